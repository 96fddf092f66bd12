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


# -- bad input is one line (issue 9 item 4) ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("grpc://127.0.0.1:99999", "port 99999 is out of range"),
        ("grpc://host:abc", "port 'abc' is not a number"),
        ("grpc://[::1:9000", "not a URL"),
        ("grpc://127.0.0.1:9000?rest=ftp://x", "rest must be an http:// or https:// URL"),
        ("grpc://127.0.0.1:9000?rest=127.0.0.1:8080", "rest must be an http:// or https:// URL"),
        ("grpc://127.0.0.1:9000?profile=nohost", "profile must be HOST:PORT"),
    ],
)
def test_a_bad_url_gives_one_line(url: str, fragment: str) -> None:
    with pytest.raises(TargetError) as raised:
        resolve_target(url, Path("targets.toml"))
    assert fragment in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[staging]\ncatalog_grpc = "not a host port"', "catalog_grpc must be HOST:PORT"),
        ('[staging]\ncatalog_grpc = "a:70000"', "catalog_grpc must be HOST:PORT"),
        ('[staging]\nrest_url = "api.staging.example"', "rest_url must be an http:// or https:// URL"),
        ('[staging]\nrest_url = "ftp://x"', "rest_url must be an http:// or https:// URL"),
        ('[staging]\ncatalog_grpc = "a:1"\nstorage_url = "a:1"', "storage_url must be an http:// or https:// URL"),
        ('[staging]\ncatalog_grpc = "a:1"\ndatabase_url = "a:1"', "database_url must be a postgresql:// DSN"),
    ],
)
def test_a_bad_endpoint_in_a_table_gives_one_line(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(TargetError) as raised:
        load_targets(write(tmp_path, text))
    assert fragment in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_targets_file_that_is_not_utf8_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_bytes(b'[staging]\ncatalog_grpc = "caf\xe9:1"\n')
    with pytest.raises(TargetError, match=r"targets.toml is not UTF-8 \(byte 0xe9 at offset 29\)"):
        resolve_target("staging", path)


def test_a_missing_targets_file_is_named_as_missing(tmp_path: Path) -> None:
    with pytest.raises(TargetError) as raised:
        resolve_target("staging", tmp_path / "elsewhere.toml")
    assert "file not found" in str(raised.value)
    assert "none defined" not in str(raised.value)


# -- reference-only capabilities (issue 9 item 2) ----------------------------------------------


@pytest.mark.parametrize("capability", ["clock", "faults", "read_models"])
def test_a_reference_only_capability_is_refused_for_a_table(tmp_path: Path, capability: str) -> None:
    with pytest.raises(TargetError) as raised:
        load_targets(write(tmp_path, f'[staging]\ncatalog_grpc = "a:1"\ncapabilities = ["grpc", "{capability}"]'))
    assert f"{capability} is reference-only" in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("capability", ["clock", "faults", "read_models"])
def test_a_reference_only_capability_is_refused_for_a_url(capability: str) -> None:
    with pytest.raises(TargetError, match=f"{capability} is reference-only"):
        target_from_url(f"grpc://127.0.0.1:9000?capabilities=grpc,{capability}")


def test_a_faults_url_implies_faults_only_for_the_reference() -> None:
    assert "faults" not in target_from_url("grpc://127.0.0.1:9000?faults=http://127.0.0.1:1").capabilities
    reference = target_from_url("grpc://127.0.0.1:9000?faults=http://127.0.0.1:1&reference=true")
    assert "faults" in reference.capabilities


def test_the_reference_url_it_prints_keeps_its_reference_only_capabilities() -> None:
    reference = TargetConfig(name="reference", catalog_grpc="127.0.0.1:1", reference=True,
                             capabilities=frozenset({"grpc", "clock", "read_models"}))
    again = target_from_url(target_url(reference))
    assert again.reference and again.capabilities == reference.capabilities


# -- destructive scenarios (issue 9 item 2) -----------------------------------------------------


def test_destructive_scenarios_are_allowed_only_when_the_table_says_so(tmp_path: Path) -> None:
    targets = load_targets(write(tmp_path, GOOD + '\n[scratch]\ncatalog_grpc = "a:1"\nallow_destructive = true\n'))
    assert not targets["staging"].allows_destructive
    assert targets["scratch"].allows_destructive
    assert target_from_url("grpc://127.0.0.1:9000?reference=true").allows_destructive


# -- identity (issue 9 item 5) ----------------------------------------------------------------


def test_a_table_may_ask_for_bearer_tokens(tmp_path: Path) -> None:
    text = '[staging]\ncatalog_grpc = "a:1"\nauth = "bearer"\ntoken_command = "print-token {alias}"\n'
    target = load_targets(write(tmp_path, text))["staging"]
    assert (target.auth, target.token_command) == ("bearer", "print-token {alias}")


def test_an_unknown_auth_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"auth must be one of \['bearer', 'userinfo'\]"):
        load_targets(write(tmp_path, '[staging]\ncatalog_grpc = "a:1"\nauth = "kerberos"\n'))
def test_the_service_identity_defaults_to_seed_001s_actor_headers() -> None:
    target = target_from_url("grpc://127.0.0.1:9000")
    assert target.service_metadata() == (("x-md-actor-type", "service"), ("x-md-actor-id", "media-pipeline"))


def test_a_deployment_names_its_own_service_identity_and_it_round_trips(tmp_path: Path) -> None:
    named = load_targets(write(tmp_path, GOOD + 'service_identity = "authorization=Bearer t0ken, x-worker=media"\n'))
    assert named["staging"].service_metadata() == (("authorization", "Bearer t0ken"), ("x-worker", "media"))
    target = target_from_url("grpc://127.0.0.1:9000?service_identity=x-md-actor-type%3Dservice,x-md-actor-id%3Dai-pipeline")
    assert target_from_url(target_url(target)).service_identity == "x-md-actor-type=service,x-md-actor-id=ai-pipeline"
