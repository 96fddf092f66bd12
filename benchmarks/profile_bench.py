"""Benchmark: MutateFavorite and UpsertWatchProgress on the reference, gRPC and REST side by side.

Starts PostgreSQL and the stand-ins, then a reference per REST mode in turn (REST in a thread of
the reference, and ``--rest-workers`` 1 and 2: REST in worker processes of its own, each on a fresh
database), and on each, for 8 and 32
concurrent clients measures calls/s and p50/p99 latency of each operation over each surface,
through the suite's driver (so every call is a real client call, contract checks included).
Every call changes something: a favourite call flips a like on or off (one counter update and
one outbox event per call), a progress call reports 1 % more than the last one (an event every
fifth call). Each client is its own user on its own video, so clients do not queue on one row.
Prints one table with the REST / gRPC throughput ratio, gRPC measured on the same reference.
The benchmark's clients are threads of one process, which must stay faster than what it measures.

    python -m benchmarks.profile_bench [--seconds 5] [--quick] [--rest-workers 0 1 2]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks.harness import measure
from fixtures.cli import count
from fixtures.postgres import PostgresServer, postgres_server
from fixtures.reference import running_reference, standins, without_parent_state
from fixtures.targets import TargetConfig
from steps.driver import Driver, Identity

CLIENTS = (8, 32)
SURFACES = ("grpc", "rest")
#: REST modes measured: 0 = REST in a thread of the reference, N = ``--rest-workers N``.
WORKERS = (0, 1, 2)


def favorite_calls(driver: Driver, surface: str) -> Callable[[], Callable[[], None]]:
    """Per-thread MutateFavorite callers: a new user liking and unliking a new video in turn."""

    def make() -> Callable[[], None]:
        identity, video = Identity.of_user(str(uuid.uuid4())), str(uuid.uuid4())
        adding = itertools.cycle((True, False))

        def call() -> None:
            outcome = driver.mutate_favorite(identity, surface, video, "like", add=next(adding))
            assert outcome.ok, outcome

        return call

    return make


def progress_calls(driver: Driver, surface: str) -> Callable[[], Callable[[], None]]:
    """Per-thread UpsertWatchProgress callers: a new user watching a new video 1 % further each call."""

    def make() -> Callable[[], None]:
        identity, video = Identity.of_user(str(uuid.uuid4())), str(uuid.uuid4())
        step = itertools.count(1)

        def call() -> None:
            n = next(step)
            outcome = driver.upsert_watch_progress(
                identity, surface, video, position_seconds=n, progress_ratio=(n % 100) / 100, total_watch_seconds=n
            )
            assert outcome.ok, outcome

        return call

    return make


OPERATIONS = {"MutateFavorite": favorite_calls, "UpsertWatchProgress": progress_calls}
Cell = tuple[float, float, float]


def cells(
    driver: Driver, seconds: float, clients: tuple[int, ...], operations: tuple[str, ...] = tuple(OPERATIONS)
) -> dict[tuple[str, int], tuple[Cell, Cell]]:
    """(gRPC, REST) per (operation, clients), each (calls/s, p50 ms, p99 ms), on a running reference."""
    for name in operations:
        for surface in SURFACES:
            # One call each first: the driver's lazily built clients and schema checks are not the figure.
            OPERATIONS[name](driver, surface)()()
    return {
        (name, n): tuple(measure(n, seconds, OPERATIONS[name](driver, s)) for s in SURFACES)  # type: ignore[misc]
        for name in operations
        for n in clients
    }


Table = dict[tuple[str, int], tuple[Cell, Cell]]


def rest_mode(workers: int) -> str:
    """How a reference started with ``--rest-workers workers`` serves REST, for tables."""
    return "in-process" if workers == 0 else f"{workers} worker" + ("s" if workers > 1 else "")


def bench_driver(target: TargetConfig, clients: int) -> Driver:
    """The suite's driver, its HTTP client keeping a connection alive per client: httpx keeps 20 by
    default, so 32 clients would open and close dozens of connections a second (~80/s seen), a cost of the
    client that gRPC (one multiplexed channel) does not pay."""
    transport = httpx.HTTPTransport(limits=httpx.Limits(max_connections=None, max_keepalive_connections=clients))
    return Driver(target, "bench-", http_transport=transport)


def cells_by_workers(
    postgres: PostgresServer, env: dict[str, str], seconds: float, clients: tuple[int, ...],
    operations: tuple[str, ...] = tuple(OPERATIONS), workers: tuple[int, ...] = WORKERS,
) -> dict[int, Table]:
    """``cells`` per REST mode, each on a reference of its own (fresh database) started with ``--rest-workers``."""
    tables = {}
    for n in workers:
        wiring = without_parent_state(env) if n else env
        with running_reference(postgres.create_database(), extra_env=wiring, extra_args=("--rest-workers", str(n))) as target:
            driver = bench_driver(target, max(clients))
            try:
                tables[n] = cells(driver, seconds, clients, operations)
            finally:
                driver.close()
    return tables


def print_table(seconds: float, tables: dict[int, Table]) -> None:
    """The table of ``cells_by_workers``."""
    print(f"profile writes, gRPC vs REST through the driver, per REST mode (--rest-workers), {seconds:g} s per cell")
    print(f"{'operation':<20} {'clients':>7} {'REST mode':>10} | {'gRPC calls/s':>12} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'REST calls/s':>12} {'p50 ms':>7} {'p99 ms':>7} | {'REST/gRPC':>9}")
    for workers, table in tables.items():
        for (name, clients), (grpc_cell, rest_cell) in table.items():
            print(f"{name:<20} {clients:>7} {rest_mode(workers):>10} | "
                  f"{grpc_cell[0]:>12.0f} {grpc_cell[1]:>7.2f} {grpc_cell[2]:>7.2f} | "
                  f"{rest_cell[0]:>12.0f} {rest_cell[1]:>7.2f} {rest_cell[2]:>7.2f} | "
                  f"{rest_cell[0] / grpc_cell[0]:>9.2f}")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per cell")
    parser.add_argument("--quick", action="store_true", help="2 s per cell, MutateFavorite at 32 clients only")
    parser.add_argument("--rest-workers", type=count, nargs="+", default=list(WORKERS), metavar="N",
                        help="REST modes to measure: 0 = in the reference's process, N = that many worker processes")
    args = parser.parse_args()
    seconds, clients, operations = (2.0, (32,), ("MutateFavorite",)) if args.quick else (args.seconds, CLIENTS, tuple(OPERATIONS))
    with postgres_server() as postgres, tempfile.TemporaryDirectory() as workdir, standins("lingo-bench", Path(workdir)) as env:
        print_table(seconds, cells_by_workers(postgres, env, seconds, clients, operations, tuple(args.rest_workers)))


if __name__ == "__main__":
    main()
