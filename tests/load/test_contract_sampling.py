"""Contract checks under load: a violation names its rule, and checking can be switched off per call."""

from __future__ import annotations

import pytest

from steps.driver import ContractViolation, Outcome, checks

REASONLESS = Outcome(operation="profile.v1.ProfileService/GetProfile", code="NOT_FOUND")


def test_a_violation_names_the_check_that_caught_it() -> None:
    with pytest.raises(ContractViolation) as caught:
        checks.run_all(REASONLESS)
    assert caught.value.rule == "application_errors_carry_a_reason"


def test_unchecked_calls_skip_the_checks_only_inside_the_block() -> None:
    with checks.unchecked():
        checks.run_all(REASONLESS)
        assert not checks.enabled()
    assert checks.enabled()
    with pytest.raises(ContractViolation):
        checks.run_all(REASONLESS)


def test_an_inline_check_is_named_after_its_title() -> None:
    assert ContractViolation("op", "ETag is not the quoted profile version", "…").rule == "etag-is-not-the-quoted-profile-version"
