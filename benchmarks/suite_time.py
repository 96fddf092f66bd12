"""Benchmark: where ``pytest features/`` spends its wall time, and how much of it is CPU.

Runs the feature suite once in a subprocess (``-p no:cacheprovider``; its ``--basetemp``, JUnit XML
and the plugin's ``--results-dir`` in a temporary folder) and prints:

- the run's wall time next to the CPU time (user + system) of it and every process it waited for
  (the reference, relays, stand-ins), plus the embedded PostgreSQL's: wall much above CPU means
  waiting. ``pg_ctl`` daemonises the postmaster, so its CPU is not the run's as far as the kernel's
  accounting of children goes; it is sampled from ``/proc`` while the run lasts (Linux only: on
  other systems, and with ``DATABASE_URL`` or Docker, PostgreSQL's CPU is left out);
- per area (feature folder): scenarios and the sum of their JUnit durations (set-up, call and
  tear-down of each scenario; what the run spent outside them is collection and session start-up);
- the ten slowest scenarios.

With ``--per-area`` it also runs each area in a subprocess of its own, which gives CPU per area
(each run pays the session start-up once). With ``--xdist N`` every run uses pytest-xdist with N
workers (``-n N``; ``auto`` for one per core); the sums of durations then add up the workers' time.

    python -m benchmarks.suite_time [--per-area] [--xdist N] [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    """One pytest subprocess: its exit code, wall and CPU seconds, and (classname, name, seconds) per testcase."""

    exit_code: int
    wall: float
    cpu: float  #: the run's process tree and the embedded PostgreSQL
    postgres_cpu: float = 0.0  #: the embedded PostgreSQL's part of ``cpu``
    cases: list[tuple[str, str, float]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def area_of(self, classname: str) -> str:
        parts = classname.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "features" else parts[0]

    def per_area(self) -> dict[str, tuple[int, float]]:
        """Scenarios and summed durations per feature folder."""
        areas: dict[str, list[float]] = defaultdict(list)
        for classname, _name, seconds in self.cases:
            areas[self.area_of(classname)].append(seconds)
        return {area: (len(times), sum(times)) for area, times in sorted(areas.items())}


class PostgresCpu:
    """CPU seconds of the PostgreSQL servers whose data directory lies under ``root``, sampled from
    ``/proc`` until ``stop``: per postmaster, its own time, the time of the children it has reaped
    (backends that ended), and that of its live children, as last seen."""

    PERIOD = 0.2

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self._latest: dict[int, float] = {}
        self._checked: dict[int, bool] = {}  # pid -> is one of the postmasters
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="postgres-cpu", daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return sum(self._latest.values())

    def _sample(self) -> None:
        if not Path("/proc").is_dir():
            return
        tick = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(self.PERIOD):
            stats = dict(filter(None, map(_stat, Path("/proc").iterdir())))
            for pid, (_ppid, utime, stime, cutime, cstime) in stats.items():
                if self._is_postmaster(pid):
                    children = sum(u + s for ppid, u, s, _cu, _cs in stats.values() if ppid == pid)
                    self._latest[pid] = (utime + stime + cutime + cstime + children) / tick

    def _is_postmaster(self, pid: int) -> bool:
        if pid not in self._checked:
            try:
                self._checked[pid] = (Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
                                      and self.root in Path(f"/proc/{pid}/cmdline").read_text())
            except OSError:  # it has just exited
                return False
        return self._checked[pid]


def _stat(entry: Path) -> tuple[int, tuple[int, int, int, int, int]] | None:
    """(pid, (parent pid, utime, stime, children's utime, children's stime)) of a /proc entry, in ticks."""
    if not entry.name.isdigit():
        return None
    try:
        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(entry.name), (int(fields[1]), *map(int, fields[11:15]))


def run_pytest(paths: list[str], extra: list[str]) -> Run:
    """Run pytest on ``paths`` in a subprocess and read its JUnit XML."""
    # The embedded PostgreSQL's data directory goes under TMPDIR, which the sampler recognises it by.
    # The run's reaper removes that directory after the run, perhaps while the folder is removed.
    with tempfile.TemporaryDirectory(prefix="suite-time-", ignore_cleanup_errors=True) as scratch:
        junit = Path(scratch) / "junit.xml"
        command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider",
                   "--basetemp", str(Path(scratch) / "tmp"), f"--junitxml={junit}",
                   "--results-dir", str(Path(scratch) / "results"), *extra]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        postgres = PostgresCpu(Path(scratch))
        began = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,  # noqa: S603
                              env={**os.environ, "TMPDIR": scratch}, check=False)
        wall = time.monotonic() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        postgres_cpu = postgres.stop()
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + postgres_cpu
        if done.returncode not in (0, 1) or not junit.exists():
            print(done.stdout[-4000:], file=sys.stderr)
        if done.returncode:
            tail = [line for line in done.stdout.splitlines() if line.strip()][-1:]
            print(f"pytest exited {done.returncode}: {' '.join(tail)}", file=sys.stderr)
        cases, failed = [], []
        if junit.exists():
            for case in ET.parse(junit).getroot().iter("testcase"):
                cases.append((case.get("classname", ""), case.get("name", ""), float(case.get("time", 0))))
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(f"{case.get('classname', '')}::{case.get('name', '')}")
    return Run(done.returncode, wall, cpu, postgres_cpu, cases, failed)


def xdist_args(workers: str | None) -> list[str]:
    """pytest arguments for ``workers`` pytest-xdist workers (none without)."""
    return ["-n", workers] if workers else []


def print_run(run: Run, per_area_runs: dict[str, Run] | None = None, label: str = "pytest features/") -> None:
    """The tables of one suite run (and of the per-area runs, if made)."""
    print(f"{label}: {len(run.cases)} scenarios, exit {run.exit_code}, wall {run.wall:.1f} s, "
          f"CPU {run.cpu:.1f} s (this process tree, and PostgreSQL's {run.postgres_cpu:.1f} s), "
          f"CPU/wall {run.cpu / run.wall:.2f}")
    header = f"{'area':<12} {'scenarios':>9} {'sum of durations s':>19}"
    if per_area_runs:
        header += f" | {'alone: wall s':>13} {'CPU s':>7} {'CPU/wall':>8}"
    for name in run.failed:
        print(f"FAILED {name}")
    print(header)
    for area, (count, seconds) in run.per_area().items():
        line = f"{area:<12} {count:>9} {seconds:>19.1f}"
        if per_area_runs and area in per_area_runs:
            alone = per_area_runs[area]
            line += f" | {alone.wall:>13.1f} {alone.cpu:>7.1f} {alone.cpu / alone.wall:>8.2f}"
        print(line)
    outside = run.wall - sum(seconds for _c, _n, seconds in run.cases)
    print(f"{'(outside)':<12} {'':>9} {outside:>19.1f}   collection, session start-up and tear-down")
    print("\nten slowest scenarios (set-up + call + tear-down):")
    for classname, name, seconds in sorted(run.cases, key=lambda case: -case[2])[:10]:
        print(f"{seconds:7.2f} s  {run.area_of(classname):<10} {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-area", action="store_true", help="also run each area alone, for CPU per area")
    parser.add_argument("--xdist", metavar="N", help="run with pytest-xdist, N workers (a number or auto)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    extra = [*xdist_args(args.xdist), *args.pytest_args]
    run = run_pytest(["features/"], extra)
    per_area = None
    if args.per_area:
        per_area = {area: run_pytest([f"features/{area}"], extra) for area in run.per_area()}
    print_run(run, per_area, label=f"pytest features/ -n {args.xdist}" if args.xdist else "pytest features/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
