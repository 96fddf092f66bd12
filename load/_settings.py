"""The load run's own command-line options, and checking them once before any user starts.

Every process (a plain run, the master and each worker) resolves ``--target-url`` with the suite's
``fixtures.targets.resolve_target`` and tries to reach its endpoints; a bad option or an unreachable
target ends the process with one line on stderr, before a single user starts.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from locust import events
from locust.runners import WorkerRunner

from fixtures.targets import REFERENCE, TargetConfig, TargetError, resolve_target

LOAD_DIR = Path(__file__).parent
DEFAULT_THRESHOLDS = LOAD_DIR / "thresholds.toml"
SHAPES = ("steady", "ramp", "spike", "soak")
REACH_TIMEOUT = 3.0


@dataclass(frozen=True)
class Settings:
    """What the users of this process need from the command line.

    Attributes:
        target: the resolved target.
        check_rate: fraction (0–1) of calls whose answers go through the contract checks.
        pipeline_rate: commits per second of the event-pipeline user.
        upload_bytes: size of each file the uploader writes.
    """

    target: TargetConfig
    check_rate: float
    pipeline_rate: float
    upload_bytes: int


_resolved: dict[tuple, Settings] = {}


def current(environment) -> Settings:  # noqa: ANN001 - locust's Environment
    """The settings of this process's options (a worker receives the master's options with each spawn).

    Raises:
        TargetError: the options are wrong (a worker started without them checks them only here).
    """
    options = environment.parsed_options
    key = (options.target_url, options.targets_file, options.check_rate, options.pipeline_rate, options.upload_bytes)
    if key not in _resolved:
        _resolved[key] = settings_from(options)
    return _resolved[key]


@events.init_command_line_parser.add_listener
def _add_options(parser) -> None:  # noqa: ANN001 - locust's configargparse parser
    parser.add_argument(
        "--target-url", default="", include_in_web_ui=True,
        help="grpc://HOST:PORT?rest=…&pubsub=…&capabilities=… (the ready line of `python -m reference_impl`) "
        "or a table name from --targets-file",
    )
    parser.add_argument("--targets-file", default="targets.toml", help="file of named targets (default targets.toml)")
    parser.add_argument(
        "--check-rate", type=float, default=1.0, include_in_web_ui=True,
        help="fraction 0..1 of calls whose answers run the contract checks (0 = pure stress)",
    )
    parser.add_argument(
        "--thresholds", default=str(DEFAULT_THRESHOLDS),
        help="TOML file of limits checked at the end (default load/thresholds.toml; '' for none)",
    )
    parser.add_argument("--shape", choices=SHAPES, default="steady", help="load shape: steady (-u/-r), ramp, spike, soak")
    parser.add_argument(
        "--pipeline-rate", type=float, default=5.0, include_in_web_ui=True,
        help="commits per second of the event-pipeline user (default 5)",
    )
    parser.add_argument("--upload-bytes", type=int, default=256 * 1024, help="bytes of each uploaded file (default 256 KiB)")


@events.init.add_listener
def _check_options(environment, runner=None, **_kwargs) -> None:  # noqa: ANN001 - locust's Environment
    options = environment.parsed_options
    if options is None:  # used as a library, without locust's command line
        return
    if isinstance(runner, WorkerRunner) and not options.target_url:
        return  # the master's options arrive with the first spawn
    try:
        current(environment)
    except TargetError as problem:
        sys.stderr.write(f"locust -f load/: {problem}\n")
        sys.exit(2)


def settings_from(options) -> Settings:  # noqa: ANN001 - argparse namespace
    """Check the options and resolve the target.

    Raises:
        TargetError: one line saying which option is wrong and what to pass instead.
    """
    spec = (options.target_url or "").strip()
    if not spec:
        msg = "--target-url is required: pass the URL `python -m reference_impl` prints, e.g. grpc://127.0.0.1:9000?rest=…"
        raise TargetError(msg)
    if not 0.0 <= options.check_rate <= 1.0:
        msg = f"--check-rate={options.check_rate}: give a fraction between 0 (no checks) and 1 (every call)"
        raise TargetError(msg)
    if options.pipeline_rate <= 0 or options.upload_bytes <= 0:
        msg = "--pipeline-rate and --upload-bytes must be positive"
        raise TargetError(msg)
    if options.thresholds and not Path(options.thresholds).is_file():
        msg = f"--thresholds={options.thresholds}: no such file; pass a TOML file like load/thresholds.toml or ''"
        raise TargetError(msg)
    try:
        target = resolve_target(spec, Path(options.targets_file))
    except TargetError as problem:
        text = str(problem)
        raise TargetError(text if text.startswith("--target") else f"--target-url: {text}") from problem
    if target is None or spec == REFERENCE:
        msg = "--target-url=reference: the load run does not start the reference; start `python -m reference_impl` and pass its URL"
        raise TargetError(msg)
    for what, address in _endpoints(target):
        _reach(what, address)
    return Settings(target, options.check_rate, options.pipeline_rate, options.upload_bytes)


def _endpoints(target: TargetConfig) -> list[tuple[str, str]]:
    found = [("catalog gRPC", target.catalog_grpc), ("profile gRPC", target.profile_grpc)]
    if target.rest_url:
        found.append(("REST", urlsplit(target.rest_url).netloc))
    return [(what, address) for what, address in found if address]


def _reach(what: str, address: str) -> None:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=REACH_TIMEOUT):
            pass
    except (OSError, ValueError) as exc:
        msg = f"--target-url: cannot reach the {what} endpoint {address} ({exc}); is the target running?"
        raise TargetError(msg) from exc
