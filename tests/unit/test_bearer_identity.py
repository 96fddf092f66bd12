"""Identity on real deployments: a bearer token per test user, sent as ``authorization: Bearer``,
from ``LINGO_TOKEN_<ALIAS>`` or the target's ``token_command``; never in output, results or logs."""

import sys
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest

from contracts.gen.profile.v1 import profile_pb2
from fixtures.targets import target_from_url
from steps.driver import ContractViolation, Driver, Identity

SECRET = "eyJhbGciOiJub25lIn0.c2VjcmV0LXRva2Vu.sig"


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A ProfileService whose GetProfile records the metadata it gets and answers an empty profile."""
    seen: list[dict[str, str]] = []

    def get_profile(request: profile_pb2.GetProfileRequest, context: grpc.ServicerContext) -> profile_pb2.GetProfileResponse:
        seen.append(dict(context.invocation_metadata()))
        return profile_pb2.GetProfileResponse()

    handler = grpc.method_handlers_generic_handler("profile.v1.ProfileService", {
        "GetProfile": grpc.unary_unary_rpc_method_handler(
            get_profile, request_deserializer=profile_pb2.GetProfileRequest.FromString,
            response_serializer=profile_pb2.GetProfileResponse.SerializeToString,
        )
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}", seen
    server.stop(None)


def test_a_bearer_target_gets_the_token_of_the_test_user_from_the_environment(
    recording_server: tuple[str, list[dict[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, seen = recording_server
    monkeypatch.setenv("LINGO_TOKEN_OTHER", SECRET)
    driver = Driver(target_from_url(f"grpc://{address}?capabilities=grpc&auth=bearer"))
    outcome = driver.get_profile(Identity.of_user("0b0e5b8e-0000-4000-8000-000000000001", alias="other"), "grpc")
    driver.close()
    assert outcome.code == "OK"
    assert seen[0]["authorization"] == f"Bearer {SECRET}"
    assert "x-apigateway-api-userinfo" not in seen[0]


def test_a_token_command_gives_the_token_per_alias(recording_server: tuple[str, list[dict[str, str]]]) -> None:
    address, seen = recording_server
    target = target_from_url(f"grpc://{address}?capabilities=grpc&auth=bearer")
    command = f"{sys.executable} -c \"print('token-of-' + '{{alias}}')\""
    driver = Driver(type(target)(**{**target.__dict__, "token_command": command}))
    driver.get_profile(Identity.of_user("0b0e5b8e-0000-4000-8000-000000000001"), "grpc")
    driver.close()
    assert seen[0]["authorization"] == "Bearer token-of-user"


def test_a_userinfo_target_keeps_the_gateway_header(recording_server: tuple[str, list[dict[str, str]]]) -> None:
    address, seen = recording_server
    driver = Driver(target_from_url(f"grpc://{address}?capabilities=grpc"))
    driver.get_profile(Identity.of_user("0b0e5b8e-0000-4000-8000-000000000001"), "grpc")
    driver.close()
    assert "authorization" not in seen[0]
    assert "x-apigateway-api-userinfo" in seen[0]


def test_a_missing_token_says_where_to_put_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINGO_TOKEN_USER", raising=False)
    driver = Driver(target_from_url("grpc://127.0.0.1:9?capabilities=grpc&auth=bearer"))
    with pytest.raises(ContractViolation, match="set LINGO_TOKEN_USER or token_command"):
        driver.identity_headers(Identity.of_user("0b0e5b8e-0000-4000-8000-000000000001"))


FEATURE = """
@profile @needs_grpc
Feature: Secrets
  Scenario: a call the target refuses
    When the user reads their profile
"""
STEPS = """
import logging
from pytest_bdd import when
from steps.driver import Identity
@when("the user reads their profile")
def _(driver):
    logging.getLogger("lingo").warning("calling with %s", driver.identity_headers(Identity.of_user("0b0e5b8e-0000-4000-8000-000000000001")).keys())
    outcome = driver.get_profile(Identity.of_user("0b0e5b8e-0000-4000-8000-000000000001"), "grpc")
    assert not outcome.ok, f"the target answered {outcome}"
"""


def test_the_token_appears_in_no_output_result_or_log(
    pytester: pytest.Pytester, recording_server: tuple[str, list[dict[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, seen = recording_server
    monkeypatch.setenv("LINGO_TOKEN_USER", SECRET)
    pytester.makefile(".feature", secrets=FEATURE)
    pytester.makepyfile(my_steps=STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "my_steps"]')
    pytester.makeini("[pytest]\nmarkers =\n    profile: area\n")
    result = pytester.runpytest(f"--target=grpc://{address}?capabilities=grpc&auth=bearer", "-p", "no:locust",
                                "-rA", "--log-level=DEBUG", "-vv")
    result.assert_outcomes(failed=1)
    assert seen and seen[0]["authorization"] == f"Bearer {SECRET}"
    written = "".join(p.read_text() for p in (pytester.path / "results").rglob("*") if p.is_file())
    assert SECRET not in result.stdout.str() + result.stderr.str()
    assert SECRET not in written
    assert "the target answered" in written
