"""Benchmark: where ``pytest features/`` spends its wall time, and how much of it is CPU.

Runs the feature suite once in a subprocess (``-p no:cacheprovider``; its ``--basetemp``, JUnit XML
and the plugin's ``--results-dir`` in a temporary folder) and prints:

- the run's wall time next to the CPU time (user + system) of it and every process it waited for
  (the reference, relays, stand-ins, PostgreSQL when embedded): wall much above CPU means waiting;
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
import resource
import subprocess
import sys
import tempfile
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
    cpu: float
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


def run_pytest(paths: list[str], extra: list[str]) -> Run:
    """Run pytest on ``paths`` in a subprocess and read its JUnit XML."""
    with tempfile.TemporaryDirectory(prefix="suite-time-") as scratch:
        junit = Path(scratch) / "junit.xml"
        command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider",
                   "--basetemp", str(Path(scratch) / "tmp"), f"--junitxml={junit}",
                   "--results-dir", str(Path(scratch) / "results"), *extra]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)  # noqa: S603
        wall = time.monotonic() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
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
    return Run(done.returncode, wall, cpu, cases, failed)


def xdist_args(workers: str | None) -> list[str]:
    """pytest arguments for ``workers`` pytest-xdist workers (none without)."""
    return ["-n", workers] if workers else []


def print_run(run: Run, per_area_runs: dict[str, Run] | None = None, label: str = "pytest features/") -> None:
    """The tables of one suite run (and of the per-area runs, if made)."""
    print(f"{label}: {len(run.cases)} scenarios, exit {run.exit_code}, wall {run.wall:.1f} s, "
          f"CPU {run.cpu:.1f} s (this process tree), CPU/wall {run.cpu / run.wall:.2f}")
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
