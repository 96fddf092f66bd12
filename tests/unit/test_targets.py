"""Target descriptions: targets.toml, URLs, and the one-line errors for bad ones."""

from pathlib import Path

import pytest

from fixtures.targets import TargetConfig, TargetError, load_targets, resolve_target, target_from_url, target_url

GOOD = """
[staging]
catalog_grpc = "catalog.staging.example:443"
profile_grpc = "profile.staging.example:443"
rest_url = "https://api.staging.example"
tls = true
capabilities = ["grpc", "rest", "observe_events"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(text)
    return path


def test_a_named_target_is_read_with_its_capabilities(tmp_path: Path) -> None:
    target = resolve_target("staging", write(tmp_path, GOOD))
    assert target == TargetConfig(
        name="staging",
        catalog_grpc="catalog.staging.example:443",
        profile_grpc="profile.staging.example:443",
        rest_url="https://api.staging.example",
        tls=True,
        capabilities=frozenset({"grpc", "rest", "observe_events"}),
    )


def test_reference_means_start_the_embedded_one(tmp_path: Path) -> None:
    assert resolve_target("reference", tmp_path / "absent.toml") is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[staging\ncatalog_grpc = 1", "is not valid TOML"),
        ('[staging]\ncatalog_grpc = "a:1"\ncolour = "red"', "unknown keys ['colour']"),
        ('[staging]\ncatalog_grpc = "a:1"\ncapabilities = ["teleport"]', "unknown capabilities ['teleport']"),
        ('[staging]\ncatalog_grpc = "a:1"\ncapabilities = "grpc"', "capabilities must be a list"),
        ('[staging]\ncatalog_grpc = 9000', "catalog_grpc must be a str"),
        ("[staging]\ntls = true", "give at least one endpoint"),
        ('staging = "a:1"', "must be a table"),
        ('[reference]\ncatalog_grpc = "a:1"', "reserved"),
    ],
)
def test_a_malformed_file_gives_one_line_saying_what_to_fix(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(TargetError) as raised:
        load_targets(write(tmp_path, text))
    message = str(raised.value)
    assert fragment in message
    assert "\n" not in message


def test_an_unknown_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"unknown --target 'prod'.*\(staging\).*grpc://"):
        resolve_target("prod", write(tmp_path, GOOD))


def test_a_url_target_gets_the_capabilities_its_parameters_allow() -> None:
    target = target_from_url("grpc://127.0.0.1:9000?rest=http://127.0.0.1:8080&pubsub=127.0.0.1:8085")
    assert target.catalog_grpc == target.profile_grpc == "127.0.0.1:9000"
    assert target.rest_url == "http://127.0.0.1:8080"
    assert target.capabilities == {"grpc", "rest", "publish_raw", "observe_events"}


def test_explicit_capabilities_in_a_url_are_checked() -> None:
    with pytest.raises(TargetError, match=r"unknown capabilities \['flying'\]"):
        target_from_url("grpc://127.0.0.1:9000?capabilities=grpc,flying")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000", "grpc://127.0.0.1", "grpc://:9000"])
def test_a_url_without_grpc_host_and_port_is_refused(url: str) -> None:
    with pytest.raises(TargetError, match="grpc://127.0.0.1:9000"):
        target_from_url(url)


def test_an_unknown_url_parameter_is_refused() -> None:
    with pytest.raises(TargetError, match=r"unknown parameters \['colour'\]"):
        target_from_url("grpc://127.0.0.1:9000?colour=red")


def test_target_url_round_trips() -> None:
    target = target_from_url(
        "grpc://127.0.0.1:9000?rest=http://127.0.0.1:8080&database=postgresql://u@/db&capabilities=grpc,rest,database"
    )
    assert target_from_url(target_url(target)) == TargetConfig(**{**target.__dict__, "name": target_url(target)})


def test_the_service_identity_defaults_to_seed_001s_actor_headers() -> None:
    target = target_from_url("grpc://127.0.0.1:9000")
    assert target.service_metadata() == (("x-md-actor-type", "service"), ("x-md-actor-id", "media-pipeline"))


def test_a_deployment_names_its_own_service_identity_and_it_round_trips(tmp_path: Path) -> None:
    named = load_targets(write(tmp_path, GOOD + 'service_identity = "authorization=Bearer t0ken, x-worker=media"\n'))
    assert named["staging"].service_metadata() == (("authorization", "Bearer t0ken"), ("x-worker", "media"))
    target = target_from_url("grpc://127.0.0.1:9000?service_identity=x-md-actor-type%3Dservice,x-md-actor-id%3Dai-pipeline")
    assert target_from_url(target_url(target)).service_identity == "x-md-actor-type=service,x-md-actor-id=ai-pipeline"
