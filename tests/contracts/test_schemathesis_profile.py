"""schemathesis against the reference's REST app: the profile routes keep every promise of lingo.yaml.

The app runs in this process on a loopback port over a fresh, migrated PostgreSQL, and the
schemathesis CLI fuzzes it from contracts/openapi/lingo.yaml with every check, all four phases
(examples, coverage, fuzzing, stateful), a fixed seed and a bounded number of examples, so a run
is reproducible and takes seconds. Upload initiation has its own owner and is left out here. A
hook adds one check of our own: no error response leaks internals.

The few tunings below each follow from the contract, not from convenience; they are listed in
``CONFIG`` with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from prometheus_client import CollectorRegistry

import contracts
from reference_impl.adapters.database import create_pool
from reference_impl.adapters.migrations import migrate
from reference_impl.config import Settings
from reference_impl.entrypoints.rest_app import create_app
from reference_impl.entrypoints.rest_limits import uvicorn_config
from steps.driver import encode_claims

SPEC = Path(contracts.__file__).resolve().parent / "openapi" / "lingo.yaml"
ROOT = Path(__file__).resolve().parents[2]
#: Adds the check that no error response leaks internals (the gRPC fuzz campaign's invariant).
HOOKS = "tests.contracts.schemathesis_hooks"
SEED = 42
MAX_EXAMPLES = 20
CALLER = "5b7c3c6e-1f2a-4c3d-9e8f-0a1b2c3d4e5f"
_DEFAULT_POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

CONFIG = f"""
# Every {{userId}} is the caller's own id, so generated requests reach the operations instead of
# stopping at the ownership check (403s are the features' business: data_ownership.feature).
[parameters]
"path.userId" = "{CALLER}"

# If-Match makes a schema-valid update depend on server state: an ETag of another version, or
# any ETag while there is no profile, is 412 by contract (RFC 9110 §13.1.1). Creating a profile
# needs displayName, which a schema-valid body without it cannot know in advance: 400.
[[operations]]
include-operation-id = "updateProfile"
checks.positive_data_acceptance.expected-statuses = {_DEFAULT_POSITIVE + ["400", "412"]}

[[operations]]
include-operation-id = "updatePreferences"
checks.positive_data_acceptance.expected-statuses = {_DEFAULT_POSITIVE + ["400", "412"]}

# schemathesis 4.32's coverage phase sends `0` as a *valid* If-Match / If-None-Match although the
# parameters' pattern asks for a quoted ETag (it rightly sends `{{}}` and "" as invalid ones). The
# contract answers a value that is no entity tag with 400, so 400 is accepted on the two
# operations taking these headers (updateProfile above already accepts it for its own reason).
[[operations]]
include-operation-id = "getProfile"
checks.positive_data_acceptance.expected-statuses = {_DEFAULT_POSITIVE + ["400"]}

# Page tokens are opaque: any string is schema-valid, but only one the service issued for this
# list and caller is accepted; the contract answers 400 to the rest.
[[operations]]
include-operation-id = "listFavorites"
checks.positive_data_acceptance.expected-statuses = {_DEFAULT_POSITIVE + ["400"]}

[[operations]]
include-operation-id = "listWatchHistory"
checks.positive_data_acceptance.expected-statuses = {_DEFAULT_POSITIVE + ["400"]}
"""

#: ``ignored_auth`` probes with an invalid credential and expects 401/403. Our credential is the
#: gateway's verified-claims header: a header that does not decode is a malformed request, which
#: the contract (and upstream's InvalidUserInfo) answers with 400; a missing one is 401, which the
#: features check on every route (caller_identity.feature).
EXCLUDED_CHECKS = "ignored_auth"


@pytest.fixture
def rest_url(fresh_database: str) -> Iterator[str]:
    """Base URL of the reference's REST app serving a fresh, migrated database."""
    migrate(fresh_database)
    pool = create_pool(fresh_database, min_size=1, max_size=8)
    app = create_app(Settings(database_url=fresh_database), CollectorRegistry(), pool)
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn_config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="rest-under-test")
    thread.start()
    # uvicorn offers no readiness event; `started` flips once the socket serves.
    while not server.started and thread.is_alive():
        thread.join(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        pool.close()


def test_profile_routes_pass_every_schemathesis_check(rest_url: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run", str(SPEC),
        "--url", rest_url,
        "--header", f"X-Apigateway-Api-Userinfo: {encode_claims({'sub': CALLER})}",
        "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS,
        "--phases", "examples,coverage,fuzzing,stateful",
        "--exclude-tag", "uploads",
        "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1", "--generation-database", "none", "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600, check=False)  # noqa: S603 - a hang guard: ~107 s at load 8

    assert result.returncode == 0, (
        f"schemathesis found mismatches between contracts/openapi/lingo.yaml and the REST app "
        f"(seed {SEED}); fix the side that is wrong, then rerun:\n{result.stdout[-12000:]}\n{result.stderr[-2000:]}"
    )
    assert "Stateful" in result.stdout and f"Seed: {SEED}" in result.stdout, result.stdout[-3000:]


def test_the_caller_is_a_canonical_uuid() -> None:
    assert str(uuid.UUID(CALLER)) == CALLER
