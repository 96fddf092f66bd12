"""Steps shared by every area: who calls, and what any call's outcome must look like."""

from __future__ import annotations

import base64
import uuid

from pytest_bdd import given, parsers, then

from steps.driver import Identity, Outcome, encode_claims

MALFORMED_USERINFO = {
    "not base64": "%%% not base64 %%%",
    "base64 of text that is not JSON": base64.urlsafe_b64encode(b"hello").decode(),
    "base64 of a JSON list": base64.urlsafe_b64encode(b'["sub"]').decode(),
    "claims without sub, user_id or uid": encode_claims({"email": "someone@example.com"}),
    "claims whose sub is not a UUID": encode_claims({"sub": "user-42"}),
}


# -- Given --------------------------------------------------------------------------------------


@given("a signed-in user", target_fixture="caller")
def _() -> Identity:
    return Identity.of_user(str(uuid.uuid4()))


@given("a caller who sends no user-info header", target_fixture="caller")
def _() -> Identity:
    return Identity.anonymous()


@given(parsers.parse("a caller whose user-info header is {description}"), target_fixture="caller")
def _(description: str) -> Identity:
    return Identity.raw(MALFORMED_USERINFO[description])


# -- Then ---------------------------------------------------------------------------------------


@then("the call fails")
def _(outcome: Outcome) -> None:
    assert not outcome.ok, f"{outcome.operation}: expected the call to fail, it succeeded with {outcome.response}"


@then(parsers.parse('the call fails with {code} and reason "{reason}"'))
def _(outcome: Outcome, code: str, reason: str) -> None:
    assert (outcome.code, outcome.reason) == (code, reason), (
        f"{outcome.operation}: expected {code} with reason {reason}, "
        f"received {outcome.code} with reason {outcome.reason} ({outcome.message!r})"
    )


@then(parsers.parse('the error names the field "{field}"'))
def _(outcome: Outcome, field: str) -> None:
    named = [v.split(":", 1)[0] for v in outcome.violations]
    assert field in named, f"{outcome.operation}: expected a violation of {field!r}, received {list(outcome.violations)}"
