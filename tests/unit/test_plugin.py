"""The suite plugin seen from outside: capability skips and bad --target values."""

import pytest

FEATURE = """
Feature: Capabilities
  @needs_faults
  Scenario: breaking the broker
    Given nothing
  @needs_grpc
  Scenario: calling gRPC
    Given nothing
"""
STEPS = """
from pytest_bdd import given
@given("nothing")
def _():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".feature", capabilities=FEATURE)
    pytester.makepyfile(my_steps=STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "my_steps"]')
    return pytester


def test_a_scenario_needing_a_missing_capability_is_skipped_with_the_reason(
    suite: pytest.Pytester, answering_grpc: str
) -> None:
    result = suite.runpytest(f"--target=grpc://{answering_grpc}?capabilities=grpc", "-rs", "-p", "no:locust")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*lacks faults: add it to the target's capabilities if it can*"])


def test_an_unknown_target_name_stops_the_run_with_one_line(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--target=prod", "-p", "no:locust")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown --target 'prod': use `reference`, a name from targets.toml*"])


def test_a_malformed_targets_file_stops_the_run_with_one_line(suite: pytest.Pytester) -> None:
    suite.makefile(".toml", targets="[staging\n")
    result = suite.runpytest("--target=staging", "--targets-file=targets.toml", "-p", "no:locust")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: targets.toml is not valid TOML*fix that line or pass --targets-file=OTHER"])


FAILING = """
@upload
Feature: Deviations
  Scenario: the target gets this wrong
    Given nothing
    Then it is wrong
"""
FAILING_STEPS = """
from pytest_bdd import given, then
@given("nothing")
def _():
    pass
@then("it is wrong")
def _():
    assert False, "the target's known bug"
"""


@pytest.fixture
def deviating_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".feature", deviations=FAILING)
    pytester.makepyfile(my_steps=FAILING_STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "my_steps"]')
    pytester.makeini("[pytest]\nmarkers =\n    upload: the area tag the scored scenario carries\n")
    pytester.makefile(".toml", targets='[staging]\ncatalog_grpc = "127.0.0.1:9"\ncapabilities = ["grpc"]\n')
    return pytester


def run_with_deviation(suite: pytest.Pytester, expires: str) -> pytest.RunResult:
    suite.mkdir("deviations")
    (suite.path / "deviations" / "staging.yaml").write_text(
        '- scenario: "deviations.feature::*"\n  reason: "known bug"\n  reference: "BUG-1"\n'
        f"  expires: {expires}\n"
    )
    return suite.runpytest(
        "--target=staging", "--targets-file=targets.toml", "--deviations-dir=deviations", "-p", "no:locust", "-rxX"
    )


def test_a_known_deviation_runs_as_strict_xfail_and_is_scored(deviating_suite: pytest.Pytester) -> None:
    result = run_with_deviation(deviating_suite, "2999-01-01")
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(["*area:upload*0 / 1*1 known deviations*", "*known deviation until 2999-01-01: known bug (BUG-1)*"])


def test_an_expired_deviation_fails_again(deviating_suite: pytest.Pytester) -> None:
    run_with_deviation(deviating_suite, "2000-01-01").assert_outcomes(failed=1)


def test_a_malformed_deviation_file_stops_the_run_with_one_line(deviating_suite: pytest.Pytester) -> None:
    result = run_with_deviation(deviating_suite, "soon")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: staging.yaml entry 1: give exactly*expires as a date (YYYY-MM-DD)"])


def test_a_long_url_target_runs_without_a_deviations_file(suite: pytest.Pytester, answering_grpc: str) -> None:
    long_url = f"grpc://{answering_grpc}?capabilities=grpc&database=postgresql://u@/db%3Fhost%3D" + "x" * 300
    result = suite.runpytest(f"--target={long_url}", "-p", "no:locust")
    result.assert_outcomes(passed=1, skipped=1)


@pytest.mark.parametrize(
    ("args", "files", "line"),
    [
        (["--target=grpc://127.0.0.1:99999"], {}, "*port 99999 is out of range*"),
        (["--target=grpc://host:abc"], {}, "*port 'abc' is not a number*"),
        (["--target=grpc://[::1:9000"], {}, "*not a URL*"),
        (["--target=grpc://127.0.0.1:9000?rest=ftp://x"], {}, "*rest must be an http:// or https:// URL*"),
        (["--target=staging", "--targets-file=t.toml"], {"t.toml": b'[staging]\ncatalog_grpc = "caf\xe9:1"\n'},
         "*t.toml is not UTF-8*"),
        (["--target=staging", "--targets-file=t.toml"], {"t.toml": b'[staging]\ncatalog_grpc = "not a host port"\n'},
         "*catalog_grpc must be HOST:PORT*"),
        (["--target=staging", "--targets-file=t.toml"], {"t.toml": b'[staging]\nrest_url = "api.example:80"\n'},
         "*rest_url must be an http:// or https:// URL*"),
        (["--target=staging", "--targets-file=absent.toml"], {}, "*absent.toml: file not found*"),
        (["--target=staging", "--targets-file=t.toml"],
         {"t.toml": b'[staging]\ncatalog_grpc = "a:1"\ncapabilities = ["read_models"]\n'}, "*read_models is reference-only*"),
    ],
)
def test_bad_target_input_is_one_line_never_an_internal_error(
    suite: pytest.Pytester, args: list[str], files: dict[str, bytes], line: str
) -> None:
    for name, content in files.items():
        (suite.path / name).write_bytes(content)
    result = suite.runpytest(*args, "-p", "no:locust")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [text for text in result.stderr.lines if text.strip()]
    assert len(errors) == 1, errors
    result.stderr.fnmatch_lines([f"ERROR: {line}"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


DESTRUCTIVE = """
Feature: Destructive
  @destructive
  Scenario: writing into the target's outbox
    Given nothing
"""
EITHER = """
Feature: Alternatives
  @needs_storage_or_publish_raw
  Scenario: storing a file either way
    Given nothing
"""


@pytest.mark.parametrize(("allow", "outcome"), [("", {"skipped": 1}), ("allow_destructive = true\n", {"passed": 1})])
def test_a_destructive_scenario_runs_only_where_the_target_allows_it(
    pytester: pytest.Pytester, allow: str, outcome: dict[str, int]
) -> None:
    pytester.makefile(".feature", destructive=DESTRUCTIVE)
    pytester.makepyfile(my_steps=STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "my_steps"]')
    pytester.makeini("[pytest]\nmarkers =\n    destructive: writes into the target's tables\n")
    pytester.makefile(".toml", targets=f'[staging]\ncatalog_grpc = "127.0.0.1:9"\n{allow}')
    result = pytester.runpytest("--target=staging", "--targets-file=targets.toml", "-rs", "-p", "no:locust")
    result.assert_outcomes(**outcome)
    if not allow:
        result.stdout.fnmatch_lines(["*does not allow @destructive scenarios*allow_destructive = true*"])


@pytest.mark.parametrize(
    ("capabilities", "outcome"), [("grpc,storage", "passed"), ("grpc,publish_raw", "passed"), ("grpc", "skipped")]
)
def test_a_need_with_alternatives_is_met_by_any_of_them(
    suite: pytest.Pytester, capabilities: str, outcome: str
) -> None:
    suite.makefile(".feature", alternatives=EITHER)
    result = suite.runpytest(
        "alternatives.feature", f"--target=grpc://127.0.0.1:9?capabilities={capabilities}", "-rs", "-p", "no:locust"
    )
    result.assert_outcomes(**{outcome: 1})
    if outcome == "skipped":
        result.stdout.fnmatch_lines(["*lacks storage_or_publish_raw*upload bytes to the signed URLs or inject messages*"])
