"""Benchmark: MutateFavorite and UpsertWatchProgress on the reference, gRPC and REST side by side.

Starts PostgreSQL, the stand-ins and the reference (as the suite does), then for 8 and 32
concurrent clients measures calls/s and p50/p99 latency of each operation over each surface,
through the suite's driver (so every call is a real client call, contract checks included).
Every call changes something: a favourite call flips a like on or off (one counter update and
one outbox event per call), a progress call reports 1 % more than the last one (an event every
fifth call). Each client is its own user on its own video, so clients do not queue on one row.
Prints one table with the REST / gRPC throughput ratio.

    python -m benchmarks.profile_bench [--seconds 5] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import measure
from fixtures.postgres import postgres_server
from fixtures.reference import running_reference, standins
from steps.driver import Driver, Identity

CLIENTS = (8, 32)
SURFACES = ("grpc", "rest")


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


def print_table(seconds: float, table: dict[tuple[str, int], tuple[Cell, Cell]]) -> None:
    """The table of ``cells``."""
    print(f"profile writes, gRPC vs REST through the driver, {seconds:g} s per cell")
    print(f"{'operation':<20} {'clients':>7} | {'gRPC calls/s':>12} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'REST calls/s':>12} {'p50 ms':>7} {'p99 ms':>7} | {'REST/gRPC':>9}")
    for (name, clients), (grpc_cell, rest_cell) in table.items():
        print(f"{name:<20} {clients:>7} | {grpc_cell[0]:>12.0f} {grpc_cell[1]:>7.2f} {grpc_cell[2]:>7.2f} | "
              f"{rest_cell[0]:>12.0f} {rest_cell[1]:>7.2f} {rest_cell[2]:>7.2f} | "
              f"{rest_cell[0] / grpc_cell[0]:>9.2f}")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per cell")
    parser.add_argument("--quick", action="store_true", help="2 s per cell, MutateFavorite at 32 clients only")
    args = parser.parse_args()
    seconds, clients, operations = (2.0, (32,), ("MutateFavorite",)) if args.quick else (args.seconds, CLIENTS, tuple(OPERATIONS))
    with postgres_server() as postgres, tempfile.TemporaryDirectory() as workdir:
        database = postgres.create_database()
        with standins("lingo-bench", Path(workdir)) as env, running_reference(database, extra_env=env) as target:
            driver = Driver(target, "bench-")
            print_table(seconds, cells(driver, seconds, clients, operations))
            driver.close()


if __name__ == "__main__":
    main()
