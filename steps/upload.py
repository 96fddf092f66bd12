"""Steps of the upload area (features/upload/)."""

from __future__ import annotations

import json

from pytest_bdd import parsers, when

from fixtures.data import MIB, upload_request
from steps.driver import Driver, Identity, Outcome

# -- When ---------------------------------------------------------------------------------------


@when(
    parsers.parse('the caller initialises an upload of a valid {mib:d} MiB "{content_type}" file'),
    target_fixture="outcome",
)
def _(driver: Driver, caller: Identity, run_id: str, mib: int, content_type: str) -> Outcome:
    return driver.init_upload(caller, **upload_request(run_id, size_bytes=mib * MIB, content_type=content_type))


@when(parsers.parse("the user initialises an upload with {field} set to {value}"), target_fixture="outcome")
def _(driver: Driver, caller: Identity, run_id: str, field: str, value: str) -> Outcome:
    return driver.init_upload(caller, **upload_request(run_id, **{field: json.loads(value)}))
