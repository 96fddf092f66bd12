"""At the end of a run (plain or master): judge the thresholds, set the exit code, print the table.

The exit code is decided while locust quits (before its own summary) and the table printed after
that summary, so it is the last thing an operator sees.
"""

from __future__ import annotations

import sys
from pathlib import Path

from locust import events
from locust.runners import WorkerRunner

from load._thresholds import TOTAL, Measured, ThresholdsError, Verdict, judge, load, table

PERCENTILES = {"p50_ms": 0.5, "p95_ms": 0.95, "p99_ms": 0.99}
_report: list[str] = []


@events.init.add_listener
def _check_file(environment, runner=None, **_kwargs) -> None:  # noqa: ANN001 - locust's Environment
    options = environment.parsed_options
    if options is None or isinstance(runner, WorkerRunner) or not options.thresholds:
        return
    try:
        load(Path(options.thresholds))
    except ThresholdsError as problem:
        sys.stderr.write(f"locust -f load/: --thresholds: {problem}\n")
        sys.exit(2)


@events.quitting.add_listener
def _judge(environment, **_kwargs) -> None:  # noqa: ANN001 - locust's Environment
    options = environment.parsed_options
    if options is None or isinstance(environment.runner, WorkerRunner) or not options.thresholds:
        return
    verdicts = judge(load(Path(options.thresholds)), measurements(environment.stats))
    breached = [v for v in verdicts if v.breached]
    environment.process_exit_code = 1 if breached else 0
    _report[:] = [_text(verdicts, breached, environment.stats)]


@events.quit.add_listener
def _print(**_kwargs) -> None:
    for text in _report:
        sys.stdout.write(text)
        sys.stdout.flush()


def measurements(stats) -> dict[str, Measured]:  # noqa: ANN001 - locust's RequestStats
    """The run's figures per entry ("<type> <name>") and in total."""
    measured = {}
    for (name, method), entry in stats.entries.items():
        measured[f"{method} {name}"] = _figures(entry)
    violations = sum(e.num_failures for (_, method), e in stats.entries.items() if method == "contract")
    total = _figures(stats.total)
    measured[TOTAL] = Measured(total.samples, total.failures, total.percentiles, violations)
    return measured


def _figures(entry) -> Measured:  # noqa: ANN001 - locust's StatsEntry
    percentiles = {key: float(entry.get_response_time_percentile(q) or 0) for key, q in PERCENTILES.items()}
    return Measured(entry.num_requests, entry.num_failures, percentiles)


def _text(verdicts: list[Verdict], breached: list[Verdict], stats) -> str:  # noqa: ANN001
    lines = ["", "Thresholds (load/thresholds.toml or --thresholds):", table(verdicts)]
    uploads = stats.entries.get(("upload bytes", "storage")) or stats.entries.get(("OBJECT_FINALIZE", "pubsub"))
    seconds = stats.total.last_request_timestamp - stats.total.start_time if stats.total.last_request_timestamp else 0
    if uploads is not None and seconds > 0:
        lines.append(f"upload byte throughput: {uploads.total_content_length / seconds / 1024 / 1024:.2f} MiB/s")
    verdict = f"{len(breached)} threshold(s) breached: exit code 1" if breached else "all thresholds held: exit code 0"
    lines.append(verdict)
    return "\n".join(lines) + "\n"
