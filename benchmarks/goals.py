"""Every benchmark in its quick mode, then one table of the performance goals (issue 14).

    python -m benchmarks [--skip-suite] [--skip-others]   (``benchmarks/__main__.py`` calls ``main``)

Each figure stands next to its own baseline measured in the same run (the SQL alone, the gRPC
surface, the smallest backlog, the suite's CPU time), so the ratio holds however loaded the machine
is; goals in milliseconds or seconds are absolute and do move with the load. The benchmarks'
own tables print first (the relay's backlog table and claim plan among them); the scripts
without a goal of their own (Pub/Sub and GCS stand-ins, load generator) run small and print theirs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from benchmarks import outbox_relay, profile_bench, scale_out, suite_time, upload_init
from fixtures.postgres import postgres_server
from fixtures.reference import running_reference, standins
from steps.driver import Driver

SECONDS = 2.0
T = TypeVar("T")
OTHERS = (
    ("pubsub_standin", ["--backends", "standin", "--messages", "1000", "--startup-runs", "1"]),
    ("gcs_standin", ["--size-mib", "8", "--repeat", "1", "--starts", "1"]),
    ("load_generator", ["--seconds", "1"]),
)


@dataclass
class Row:
    """One goal: the figure, this run's value, its baseline, and how the goal reads them."""

    figure: str
    value: float | None
    baseline: float | None
    goal: str
    met: Callable[[float, float | None], bool]
    unit: str = ""
    note: str = ""

    def cells(self) -> list[str]:
        if self.value is None:
            return [self.figure, "not measured", "", "", self.goal, self.note or "not measured"]
        ratio = f"{self.value / self.baseline:.2f}" if self.baseline else ""
        baseline = f"{self.baseline:,.1f}" if self.baseline is not None else "-"
        verdict = "met" if self.met(self.value, self.baseline) else "NOT met"
        if self.note:
            verdict += f" ({self.note})"
        return [self.figure, f"{self.value:,.1f}{self.unit}", baseline, ratio, self.goal, verdict]


def at_least(share: float) -> Callable[[float, float | None], bool]:
    return lambda value, baseline: baseline is not None and value >= share * baseline


def at_most(limit: float) -> Callable[[float, float | None], bool]:
    return lambda value, _baseline: value <= limit


def within(share: float) -> Callable[[float, float | None], bool]:
    return lambda value, baseline: baseline is not None and abs(value / baseline - 1) <= share


def relay_rows(args: argparse.Namespace, results: outbox_relay.Results) -> list[Row]:
    """Relay, backlog, lag and projection goals (issue 14, goals 2 and 3)."""
    rows = [Row("relay x1 events/s (base: claim+mark SQL)", results.relays[1], results.sql, ">= 0.70 of base",
                at_least(0.7))]
    first = args.backlogs[0]
    for size in (100_000, 1_000_000):
        value = results.backlog.get(size)
        rows.append(Row(f"relay x1 events/s at {size:,} pending (base: {first:,})", value, results.backlog[first],
                        "within +-20 % of base", within(0.2)))
    for rate, limit in ((500, 100.0), (2000, 250.0)):
        lag = results.lag[rate]
        p50, p99 = lag.stages["commit->applied"]
        notes = []
        if not lag.complete:
            notes.append(f"{lag.applied:,} of {lag.committed:,} applied in time")
        if lag.commit_rate < 0.9 * rate:
            notes.append(f"writer reached {lag.commit_rate:,.0f}/s")
        if lag.publish_rate < 0.9 * lag.commit_rate:
            notes.append(f"relay x1 published {lag.publish_rate:,.0f}/s")
        rows.append(Row(f"lag commit->applied p99 ms at {rate}/s (base: p50)", p99, p50, f"p99 <= {limit:g} ms",
                        lambda value, _b, limit=limit, lag=lag, rate=rate: lag.complete
                        and lag.commit_rate >= 0.9 * rate and value <= limit,
                        note="; ".join(notes)))
    rows.append(Row("projection apply events/s (base: same batched SQL)", results.apply, results.apply_sql,
                    ">= 0.90 of base", at_least(0.9)))
    return rows


Cell = tuple[float, float, float]
Table = dict[tuple[str, int], tuple[Cell, Cell]]


def reference_figures() -> tuple[dict[int, tuple[Cell, Cell]], dict[int, Table]]:
    """InitResumableUpload cells, and MutateFavorite cells per REST mode (``--rest-workers`` 0, 1, 2)."""
    with postgres_server() as postgres, tempfile.TemporaryDirectory() as workdir, standins("lingo-bench", Path(workdir)) as env:
        database = postgres.create_database()
        with running_reference(database, extra_env=env) as target:
            driver = Driver(target, "bench-")
            try:
                uploads = upload_init.cells(driver, database, SECONDS, (8, 32))
            finally:
                driver.close()
        writes = profile_bench.cells_by_workers(postgres, env, SECONDS, (32,), ("MutateFavorite",))
    return uploads, writes


def reference_rows(uploads: dict[int, tuple[Cell, Cell]], writes: dict[int, Table]) -> list[Row]:
    """InitResumableUpload and REST-vs-gRPC goals (issue 14, goal 4).

    The REST goal is read with REST in worker processes (``--rest-workers``), what the goal asks
    for; the in-process figure stays as a row of its own for comparison. Each REST figure's base is
    gRPC measured on the same reference.
    """
    rows = [Row(f"InitResumableUpload calls/s, {n} clients (base: SQL)", uploads[n][0][0], uploads[n][1][0],
                ">= 0.50 of base", at_least(0.5)) for n in (8, 32)]
    rows.append(Row("InitResumableUpload p99 ms, 32 clients (base: SQL p99)", uploads[32][0][2], uploads[32][1][2],
                    "p99 <= 20 ms", at_most(20.0)))
    for workers in sorted(writes, key=lambda n: (n == 0, n)):
        grpc_cell, rest_cell = writes[workers][("MutateFavorite", 32)]
        mode = f"--rest-workers {workers}" if workers else "REST in-process, for comparison"
        rows.append(Row(f"REST MutateFavorite calls/s, 32 clients, {mode} (base: gRPC)", rest_cell[0], grpc_cell[0],
                        ">= 1.00 of base", at_least(1.0)))
    return rows


def scale_out_row(table: dict[int, Cell]) -> Row:
    """What a second reference process buys (issue 14, goal 5): InitResumableUpload, 2 vs 1."""
    return Row(f"InitResumableUpload calls/s, 2 reference processes, {scale_out.CLIENTS} clients (base: 1)",
               table[2][0], table[1][0], "> 1.00 of base", lambda value, base: base is not None and value > base)


def in_child(function: Callable[..., T], *args: object) -> T:
    """Run ``function`` in a fresh (spawned) process: gRPC's core does not survive a fork once used,
    so a second benchmark in this process could not even start PostgreSQL (pg_ctl aborts)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def suite_rows() -> list[Row]:
    """Wall time of ``pytest features/`` (issue 14, goal 1), whose baseline is the CPU it used, and
    of ``pytest features/ -n auto``, whose baseline is the serial run's wall in this same run."""
    run = suite_time.run_pytest(["features/"], [])
    suite_time.print_run(run)
    parallel = suite_time.run_pytest(["features/"], suite_time.xdist_args("auto"))
    suite_time.print_run(parallel, label="pytest features/ -n auto")
    return [
        Row("pytest features/ wall s (base: CPU s of the run)", run.wall, run.cpu, "wall <= 30 s", at_most(30.0),
            note="" if run.exit_code == 0 else f"pytest exit {run.exit_code}"),
        Row("pytest features/ -n auto wall s (base: serial wall)", parallel.wall, run.wall, "< 1.00 of base",
            lambda value, baseline: baseline is not None and value < baseline, note="" if parallel.exit_code == 0 else f"pytest exit {parallel.exit_code}"),
    ]


def run_others() -> None:
    for module, argv in OTHERS:
        print(f"\n$ python -m benchmarks.{module} {' '.join(argv)}", flush=True)
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *argv], check=False)  # noqa: S603
        if done.returncode:
            print(f"(exit {done.returncode})")


def print_table(rows: list[Row]) -> None:
    header = ["figure", "this run", "baseline", "ratio", "goal", "verdict"]
    lines = [header, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        print(" | ".join(cell.ljust(width) if i in (0, 4, 5) else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(line, widths, strict=True))).rstrip())
        if index == 0:
            print("-+-".join("-" * width for width in widths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-suite", action="store_true", help="leave out the pytest features/ run")
    parser.add_argument("--skip-others", action="store_true", help="leave out the benchmarks without a goal")
    parser.add_argument("--relay-args", default="", help="extra options for outbox_relay (e.g. '--backlogs 10000 100000 1000000')")
    args = parser.parse_args()
    uploads, writes = in_child(reference_figures)
    upload_init.print_table(SECONDS, uploads)
    profile_bench.print_table(SECONDS, writes)
    rows = reference_rows(uploads, writes)
    scaled = in_child(scale_out.measure_all, SECONDS, scale_out.CLIENTS)
    scale_out.print_table(SECONDS, scale_out.CLIENTS, scaled)
    rows.append(scale_out_row(scaled))
    relay_args = outbox_relay.options(["--quick", *args.relay_args.split()])
    results = in_child(outbox_relay.run, relay_args)
    outbox_relay.report(relay_args, results)
    rows = relay_rows(relay_args, results) + rows
    if not args.skip_suite:
        print()
        rows.extend(suite_rows())
    if not args.skip_others:
        run_others()
    print("\nissue 14 goals, quick mode, every baseline measured in this run")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
