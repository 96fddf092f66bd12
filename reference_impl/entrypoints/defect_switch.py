"""Reference-only REST route that switches the seeded defects while the reference runs.

Served only by a reference started with ``LINGO_DEFECTS_SWITCHABLE=1`` (``reference_impl/defects.py``);
no deployment has it, and the suite's scenarios never use it. The seeded-defect matrix
(``tests/meta``) does: one reference serves every row, each scenario run with its row's defect on.

- ``PUT /_reference/defects`` ``{"on": ["name", ...]}`` — exactly these defects are on from the next
  call each site makes (``[]``: none); answers ``{"on": [...]}``. An unknown name is refused (400) and
  switches nothing.
- ``GET /_reference/defects`` — the defects on now.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from reference_impl import defects

PATH = "/_reference/defects"


class DefectSwitch(BaseModel):
    """Body of ``PUT /_reference/defects``."""

    on: list[str]


def defect_switch_router() -> APIRouter:
    """The two routes (mount only when ``defects.switchable()``)."""
    router = APIRouter(include_in_schema=False)

    @router.get(PATH)
    def current() -> dict[str, list[str]]:
        return {"on": sorted(defects.enabled())}

    @router.put(PATH)
    def switch(body: DefectSwitch) -> dict[str, list[str]]:
        try:
            return {"on": sorted(defects.switch(body.on))}
        except defects.UnknownDefect as error:
            raise HTTPException(400, str(error)) from None

    return router
