"""Scale-out is real: two reference processes, two relays and two consumers per stream stay correct.

Two ``python -m reference_impl`` processes share one database, one broker and their ports
(``SO_REUSEPORT``); each runs its own outbox relays and inbox consumers, so every outbox has two
relays claiming from it and every subscription two consumers pulling from it. The outbox and
projection features run against that topology in a subprocess ``pytest`` and every applicable
scenario must conform.

Some state lives inside one process, so this topology does not offer it: the fault switches and
the test clock (``faults``, ``clock``), and ``/metrics`` (``rest`` here: each process exposes its own
relays' and consumers' metrics, which a real deployment scrapes per instance, so one scrape behind
the shared port sees half the work). Scenarios needing them skip by capability and the test
prints how many ran. It is a partial feature run (about a minute on an idle machine).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from pathlib import Path

import pytest

from fixtures.postgres import PostgresServer
from fixtures.pubsub.plugin import PubsubEndpoint
from fixtures.reference import scaled_out_references, standins
from fixtures.targets import target_url
from tests.deployed.inner_run import run_features

AREAS = ("features/outbox", "features/projection")
#: What one process holds for itself; the shared-port target does not advertise it (see above).
PER_PROCESS = frozenset({"faults", "clock", "rest"})
#: At least this many scenarios must run (not skip) against the scaled-out topology.
MIN_RAN = {"outbox": 10, "projection": 15}


@pytest.mark.outbox
@pytest.mark.projection
def test_outbox_and_projection_conform_with_two_references(
    postgres: PostgresServer, pubsub_endpoint: PubsubEndpoint, tmp_path: Path
) -> None:
    project = f"scale-{uuid.uuid4().hex[:8]}"  # its own topics: the outer run's reference shares the broker
    with standins(project, tmp_path, pubsub_host=pubsub_endpoint.host) as env:
        env = {**env, "LINGO_TEST_CLOCK": "0"}  # one process's clock would not move the other's
        with scaled_out_references(postgres.create_database(), count=2, extra_env=env) as reference:
            reference = dataclasses.replace(reference, capabilities=reference.capabilities - PER_PROCESS)
            completed, verdicts = run_features(list(AREAS), target_url(reference), tmp_path)
    counts = {area: Counter(v["verdict"] for v in verdicts.values() if area in v["areas"]) for area in MIN_RAN}
    print("\nscenarios against 2 references (2 relays, 2 consumers each stream):")  # noqa: T201 - the measured figures
    for area, count in counts.items():
        print(f"  {area:<11} passed {count['passed']:>3}  failed {count['failed']:>3}  skipped {count['skipped']:>3}")  # noqa: T201

    failed = sorted(node for node, v in verdicts.items() if v["verdict"] == "failed")
    assert not failed, f"{len(failed)} scenarios fail with two references:\n" + "\n".join(failed) + "\n" + completed.stdout[-6000:]
    assert completed.returncode == 0, f"the inner run failed (exit {completed.returncode}):\n{completed.stdout[-3000:]}"
    for area, least in MIN_RAN.items():
        assert counts[area]["passed"] >= least, f"only {counts[area]['passed']} {area} scenarios ran, want {least}"
