"""contracts/errors.yaml against the reference: the Problem Details it sends are the table's.

The docs site renders the table for partners; these checks keep the reference from drifting away
from what the table tells them (the gRPC side is pinned by the scenarios the Errors page links).
"""

from __future__ import annotations

import pytest

from contracts.error_table import load_errors
from reference_impl.domain import errors
from reference_impl.entrypoints.errors import WIRE, to_problem

TABLE = load_errors()


def _instance(kind: type[errors.DomainError]) -> errors.DomainError:
    return kind("a-correlation-id") if issubclass(kind, errors.Internal) else kind("ERROR_REASON_X", "a message")


@pytest.mark.parametrize("kind", sorted(WIRE, key=lambda kind: kind.__name__), ids=lambda kind: kind.__name__)
def test_every_problem_type_the_reference_sends_starts_with_the_tables_base(kind: type[errors.DomainError]) -> None:
    status, body = to_problem(_instance(kind))
    _, http_status, slug = WIRE[kind]
    assert (status, body["type"]) == (http_status, TABLE["problem_base"] + slug)


def test_every_problem_type_the_table_names_is_one_the_reference_sends() -> None:
    sent = {(http_status, slug) for _code, http_status, slug in WIRE.values()}
    named = {(row["http"], row["problem"]) for row in TABLE["errors"] if row.get("problem")}
    assert named <= sent, f"the table names Problem types the reference never sends: {sorted(named - sent)}"
