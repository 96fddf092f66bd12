"""``python -m reference_impl``: run the whole reference backend in one process.

Without ``DATABASE_URL`` it starts a local PostgreSQL (fixtures/postgres.py); without
``PUBSUB_EMULATOR_HOST`` and ``LINGO_STORAGE_URL`` it starts the Pub/Sub and GCS stand-ins and
wires itself to them, exactly as the suite's embedded reference is. When ready it prints one line,
``lingo-reference ready: <target URL>``; pass that URL to ``pytest features/ --target=<URL>``.
SIGTERM or SIGINT stop it and everything it started.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from fixtures.postgres import postgres_server
from fixtures.reference import READY_PREFIX, standins
from fixtures.targets import target_url
from reference_impl import bootstrap
from reference_impl.config import Settings


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options; each also has a ``LINGO_*`` environment variable."""
    parser = argparse.ArgumentParser(prog="python -m reference_impl", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=None, help="bind address (LINGO_HOST, default 127.0.0.1)")
    parser.add_argument("--grpc-port", type=int, default=None, help="gRPC port, 0 = free (LINGO_GRPC_PORT)")
    parser.add_argument("--http-port", type=int, default=None, help="REST port, 0 = free (LINGO_HTTP_PORT)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start, print the ready line, wait for a stop signal, stop."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # A handler, not a blocked mask: children (stand-ins, Postgres) inherit a blocked mask and
    # would then ignore the SIGTERM that stops them.
    stop = threading.Event()
    received: list[int] = []
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda signum, _frame: (received.append(signum), stop.set()))
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL") or stack.enter_context(postgres_server()).dsn
        if not os.environ.get("PUBSUB_EMULATOR_HOST") and not os.environ.get("LINGO_STORAGE_URL"):
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lingo-reference-")))
            project = os.environ.get("LINGO_PUBSUB_PROJECT", "lingo-local")
            os.environ.update(stack.enter_context(standins(project, workdir)))
        settings = Settings.from_env(database_url, host=args.host, grpc_port=args.grpc_port, http_port=args.http_port)
        running = bootstrap.start(settings)
        print(READY_PREFIX + target_url(running.target), flush=True)
        stop.wait()
        logging.getLogger(__name__).info("stopping on %s", signal.Signals(received[0]).name)
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
