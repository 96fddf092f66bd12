"""How much of the specification a typical real deployment can be held to.

An honest real deployment offers ``grpc``, ``observe_events``, ``publish_raw`` and ``database``
(no REST gateway, no storage emulator, no fault switches, no test clock, no private read models).
This test starts the reference as a separate process, runs ``pytest features/`` against it in a
subprocess declaring exactly those capabilities, prints the applicable share per area and insists
that the suite can see enough there: at least 85 % of the scenarios that need no REST applicable,
at least 15 projection and 10 outbox scenarios applicable, and every applicable one conforming.

It is a whole feature run (about a minute and a half on an idle machine).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from pathlib import Path

import pytest

from fixtures.postgres import PostgresServer
from fixtures.pubsub.plugin import PubsubEndpoint
from fixtures.reference import running_reference, standins
from fixtures.targets import target_url
from tests.deployed.inner_run import run_features

TYPICAL = frozenset({"grpc", "observe_events", "publish_raw", "database"})
MIN_NON_REST_SHARE = 0.85
MIN_APPLICABLE = {"projection": 15, "outbox": 10}
APPLICABLE = {"passed", "failed"}


def share_table(verdicts: dict[str, dict]) -> tuple[str, dict[str, Counter]]:
    """Applicable / total per area and over the scenarios that need no REST, as text and counts."""
    rows: dict[str, Counter] = {}
    for verdict in verdicts.values():
        applicable = verdict["verdict"] in APPLICABLE
        groups = [*verdict["areas"], "all"] + ([] if "rest" in verdict["needs"] else ["non-REST"])
        for group in groups:
            row = rows.setdefault(group, Counter())
            row["total"] += 1
            row["applicable"] += applicable
            row["conform"] += verdict["verdict"] == "passed"
    lines = [f"{'group':<12} {'applicable':>10} {'total':>6} {'share':>7} {'conform':>8}"]
    for group in sorted(rows, key=lambda g: (g in ("non-REST", "all"), g)):
        row = rows[group]
        lines.append(
            f"{group:<12} {row['applicable']:>10} {row['total']:>6} {row['applicable'] / row['total']:>7.0%}"
            f" {row['conform']:>8}"
        )
    return "\n".join(lines), rows


@pytest.mark.outbox
@pytest.mark.projection
def test_a_typical_deployment_can_run_most_scenarios(
    postgres: PostgresServer, pubsub_endpoint: PubsubEndpoint, tmp_path: Path
) -> None:
    project = f"typical-{uuid.uuid4().hex[:8]}"  # its own topics: the outer run's reference shares the broker
    with (
        standins(project, tmp_path, pubsub_host=pubsub_endpoint.host) as env,
        running_reference(postgres.create_database(), extra_env=env) as reference,
    ):
        url = target_url(dataclasses.replace(reference, capabilities=TYPICAL))
        completed, verdicts = run_features(["features/"], url, tmp_path)
    table, rows = share_table(verdicts)
    print(f"\nscenarios applicable with capabilities {','.join(sorted(TYPICAL))}:\n{table}")  # noqa: T201 - the measured figures

    failed = sorted(node for node, v in verdicts.items() if v["verdict"] == "failed")
    assert not failed, f"{len(failed)} applicable scenarios do not conform:\n" + "\n".join(failed) + "\n" + completed.stdout[-6000:]
    non_rest = rows["non-REST"]
    assert non_rest["applicable"] >= MIN_NON_REST_SHARE * non_rest["total"], (
        f"only {non_rest['applicable']} of {non_rest['total']} scenarios that need no REST are applicable"
        f" (want {MIN_NON_REST_SHARE:.0%}):\n{table}\nskipped:\n" + _skips(verdicts)
    )
    for area, least in MIN_APPLICABLE.items():
        assert rows[area]["applicable"] >= least, f"only {rows[area]['applicable']} {area} scenarios applicable, want {least}:\n{table}"


def _skips(verdicts: dict[str, dict]) -> str:
    return "\n".join(f"{node}: {v['why']}" for node, v in sorted(verdicts.items()) if v["verdict"] == "skipped")
