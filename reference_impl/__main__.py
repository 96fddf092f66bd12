"""``python -m reference_impl``: run the whole reference backend in one process.

Without ``DATABASE_URL`` it starts a local PostgreSQL (fixtures/postgres.py); without
``PUBSUB_EMULATOR_HOST`` and ``LINGO_STORAGE_URL`` it starts the Pub/Sub and GCS stand-ins and
wires itself to them, exactly as the suite's embedded reference is. When ready it prints one line,
``lingo-reference ready: <target URL>``; pass that URL to ``pytest features/ --target=<URL>``.
SIGTERM or SIGINT stop it and everything it started (exit code 0); if it is killed outright,
fixtures/process.py's reaper stops its children and removes its temp directories.
Logs go to stderr at WARNING (``-v`` for INFO). A bad option or ``LINGO_*`` value stops it with
one line and exit code 2.

``--rest-workers N`` serves REST from N child processes sharing the REST port instead of a thread
of this one (entrypoints/rest_workers.py). The test clock and the fault switches live in this
process, out of the workers' reach: with workers the stand-ins it starts itself are wired without
them (no ``clock``, no ``faults`` capability), and asking for them explicitly is refused. A worker
that dies stops the whole reference with exit code 1.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading

from fixtures.cli import add_verbosity, configure_logging, port
from fixtures.postgres import postgres_server
from fixtures.process import remove_temp_dir, temp_dir
from fixtures.reference import READY_PREFIX, standins, without_parent_state
from fixtures.targets import target_url
from reference_impl.config import MAX_REST_WORKERS, ConfigError, Settings


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options; each also has a ``LINGO_*`` environment variable."""
    parser = argparse.ArgumentParser(prog="python -m reference_impl", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=None, help="bind address (LINGO_HOST, default 127.0.0.1)")
    parser.add_argument("--grpc-port", type=port, default=None, help="gRPC port, 0 = free (LINGO_GRPC_PORT)")
    parser.add_argument("--http-port", type=port, default=None, help="REST port, 0 = free (LINGO_HTTP_PORT)")
    parser.add_argument(
        "--reuse-port", action="store_true", default=None,
        help="share the ports with other reference processes via SO_REUSEPORT (LINGO_REUSE_PORT=1)",
    )
    parser.add_argument(
        "--rest-workers", type=_workers, default=None, metavar="N",
        help="serve REST from N child processes sharing the REST port, 0 = a thread of this process "
             "(LINGO_REST_WORKERS, default 0); excludes the test clock and fault switches, which live "
             "in this process; /metrics still shows this process's metrics; a dead worker stops the reference",
    )
    add_verbosity(parser)
    return parser.parse_args(argv)


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_REST_WORKERS:
        msg = f"{text!r} is not a number of REST workers (0..{MAX_REST_WORKERS}, 0 = REST in this process)"
        raise argparse.ArgumentTypeError(msg)
    return value


def main(argv: list[str] | None = None) -> int:
    """Start, print the ready line, wait for a stop signal, stop."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    configure_logging(args.verbose)
    try:
        # Read (and check) the environment before starting anything.
        options = Settings.from_env("", **_overrides(args))
    except ConfigError as error:
        print(f"python -m reference_impl: {error}", file=sys.stderr)
        return 2
    # A handler, not a blocked mask: children (stand-ins, Postgres) inherit a blocked mask and
    # would then ignore the SIGTERM that stops them.
    stop = threading.Event()
    received: list[int] = []
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda signum, _frame: (received.append(signum), stop.set()))
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL") or stack.enter_context(postgres_server()).dsn
        if not os.environ.get("PUBSUB_EMULATOR_HOST") and not os.environ.get("LINGO_STORAGE_URL"):
            workdir = temp_dir("lingo-reference-")
            stack.callback(remove_temp_dir, workdir)
            project = os.environ.get("LINGO_PUBSUB_PROJECT", "lingo-local")
            wiring = stack.enter_context(standins(project, workdir))
            if options.rest_workers:  # the clock and fault switches would stay out of the workers' reach
                wiring = without_parent_state(wiring)
            os.environ.update(wiring)
        if stop.is_set():
            return 0
        settings = Settings.from_env(database_url, **_overrides(args))
        # Imported only now: the service's imports take over a second, and --help, a bad option or
        # a bad LINGO_* value should answer at once.
        from reference_impl import bootstrap  # noqa: PLC0415

        failures: list[str] = []
        running = bootstrap.start(settings, on_failure=lambda message: (failures.append(message), stop.set()))
        stack.callback(running.stop)
        print(READY_PREFIX + target_url(running.target), flush=True)
        stop.wait()
        if failures:
            logging.getLogger(__name__).error("stopping the reference: %s", failures[0])
        else:
            logging.getLogger(__name__).info("stopping on %s", signal.Signals(received[0]).name)
    logging.getLogger(__name__).debug("stopped")
    return 1 if failures else 0


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    return {"host": args.host, "grpc_port": args.grpc_port, "http_port": args.http_port,
            "reuse_port": args.reuse_port, "rest_workers": args.rest_workers}


if __name__ == "__main__":
    sys.exit(main())
