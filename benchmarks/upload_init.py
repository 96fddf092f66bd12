"""Benchmark: InitResumableUpload against the reference, next to the same SQL run alone.

Starts PostgreSQL, the stand-ins and the reference (as the suite does), then for 1, 8 and 32
concurrent clients measures calls/s and p50/p99 latency of InitResumableUpload for new files,
and the same reserve (INSERT … ON CONFLICT) + store-URL transaction issued straight to
PostgreSQL by as many threads. Prints one table with the ratio service / SQL.

    python -m benchmarks.upload_init [--seconds 5] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from benchmarks.harness import measure
from fixtures.data import upload_request
from fixtures.postgres import postgres_server
from fixtures.reference import running_reference, standins
from reference_impl.adapters import uploads_repository
from steps.driver import Driver, Identity


def service_call(driver: Driver, run_id: str) -> Callable[[], Callable[[], None]]:
    """A factory of per-thread InitResumableUpload callers, each for new files of a new user."""

    def make() -> Callable[[], None]:
        identity = Identity.of_user(str(uuid.uuid4()))

        def call() -> None:
            outcome = driver.init_upload(identity, **upload_request(run_id))
            assert outcome.ok, outcome

        return call

    return make


def sql_call(database_url: str) -> Callable[[], Callable[[], None]]:
    """A factory of per-thread callers running the reserve + store-URL transaction directly."""

    def make() -> Callable[[], None]:
        conn = psycopg.connect(database_url)
        user_id = uuid.uuid4()

        def call() -> None:
            with conn.transaction():
                fields = upload_request("bench-")
                session = uploads_repository.reserve(
                    conn,
                    new_video_id=uuid.uuid4(),
                    user_id=user_id,
                    bucket="bench",
                    content_type=fields["content_type"],
                    expected_size=fields["size_bytes"],
                    content_md5=fields["content_md5_hex"],
                    title=fields["title"],
                    description=fields["description"],
                )
                assert session is not None
                expires = datetime.now(UTC) + timedelta(minutes=15)
                uploads_repository.store_signed_url(conn, session.video_id, "https://example.invalid/signed", expires)

        return call

    return make


Cell = tuple[float, float, float]


def cells(driver: Driver, database_url: str, seconds: float, clients: tuple[int, ...]) -> dict[int, tuple[Cell, Cell]]:
    """(service, SQL alone) per client count, each (calls/s, p50 ms, p99 ms), on a running reference."""
    return {
        n: (measure(n, seconds, service_call(driver, "bench-")), measure(n, seconds, sql_call(database_url)))
        for n in clients
    }


def print_table(seconds: float, table: dict[int, tuple[Cell, Cell]]) -> None:
    """The table of ``cells``."""
    print(f"InitResumableUpload vs the same SQL alone, {seconds:g} s per cell, 2-core machine")
    print(f"{'clients':>7} | {'service calls/s':>15} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'SQL tx/s':>9} {'p50 ms':>7} {'p99 ms':>7} | {'service/SQL':>11}")
    for clients, (service, alone) in table.items():
        print(f"{clients:>7} | {service[0]:>15.0f} {service[1]:>7.2f} {service[2]:>7.2f} | "
              f"{alone[0]:>9.0f} {alone[1]:>7.2f} {alone[2]:>7.2f} | {service[0] / alone[0]:>11.2f}")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per cell")
    parser.add_argument("--quick", action="store_true", help="2 s per cell, 8 and 32 clients only")
    args = parser.parse_args()
    seconds, clients = (2.0, (8, 32)) if args.quick else (args.seconds, (1, 8, 32))
    with postgres_server() as postgres, tempfile.TemporaryDirectory() as workdir:
        database = postgres.create_database()
        with standins("lingo-bench", Path(workdir)) as env, running_reference(database, extra_env=env) as target:
            driver = Driver(target, "bench-")
            print_table(seconds, cells(driver, database, seconds, clients))
            driver.close()


if __name__ == "__main__":
    main()
