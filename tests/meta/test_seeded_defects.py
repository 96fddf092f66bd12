"""The suite proves its own power: each seeded defect makes the scenarios of its rule fail.

For every defect in ``reference_impl/defects.py`` this runs the scenarios its row names (the
scenarios of the row's feature files whose names contain one of its fragments) with that one defect
switched on, and checks in the JUnit report that each fragment names a failed scenario. A defect
without an entry here fails the test too, so a new switch cannot go unchecked; a fragment naming no
scenario fails its row.

The rows share one pytest run (a few pytest-xdist workers, each with one embedded reference started
to let its defects be switched while it runs, ``LINGO_DEFECTS_SWITCHABLE=1``), instead of a pytest
and a reference per row: ``tests/meta/switched_defects.py`` runs each named scenario with the
defect on, right after a control run of the same scenario, on the same worker, with no defect on.
Every control must pass: the reference, as the earlier runs left it, let the scenario pass just
before the defect went on, so a failure counted for a row is the row's defect's doing, not state
an earlier run left behind. ``-k`` picks rows: only their scenarios run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.postgres import PostgresServer
from reference_impl.defects import DEFECTS

ROOT = Path(__file__).resolve().parents[2]
#: Under pytest-xdist (``--dist loadgroup``) the whole matrix goes to one worker: it is one run
#: shared by every row.
pytestmark = pytest.mark.xdist_group("seeded-defects")

#: defect → (feature files to run, substrings of the scenario names that must fail)
MATRIX: dict[str, tuple[list[str], list[str]]] = {
    "upload-accepts-anonymous-callers": (
        ["features/upload/caller_identity.feature"],
        ["without_a_userinfo_header", "names_no_user"],
    ),
    "upload-skips-contract-validation": (
        ["features/upload/init_validation.feature"],
        ["content_md5_hex", "duration_seconds", "title", "description"],
    ),
    "upload-reuses-expiring-urls": (
        ["features/upload/session_reuse.feature", "features/upload/storage_guards.feature"],
        ["close_to_its_expiry", "expired_url_is_refused"],
    ),
    "upload-new-session-per-call": (
        ["features/upload/session_reuse.feature"],
        ["same_session_with_the_latest_metadata", "ten_simultaneous_calls"],
    ),
    "upload-ignores-md5-mismatch": (["features/upload/md5_check.feature"], ["other_bytes_than_declared"]),
    "upload-missing-md5-is-a-mismatch": (["features/upload/md5_check.feature"], ["reported_without_an_md5"]),
    "upload-events-out-of-order": (
        ["features/upload/completion.feature"], ["a_stored_file_completes", "upload_written", "reported_three_times"]
    ),
    "upload-long-lived-urls": (["features/upload/session_reservation.feature"], ["a_first_call_reserves"]),
    "outbox-event-outside-the-change": (
        ["features/outbox/change_and_event_together.feature"], ["a_like_whose_event", "a_lifecycle_update_whose_event"]
    ),
    "engagement-fresh-row-flips": (
        ["features/projection/engagement_projection.feature"], ["removing_a_like_the_viewer_never_added"]
    ),
    "upload-rejects-unknown-objects": (["features/upload/unknown_object.feature"], ["unknown_object"]),
    "relay-drops-attributes": (
        ["features/outbox/committed_changes.feature", "features/outbox/changes_through_rpcs.feature"],
        ["a_committed_change_produces_exactly_one_logical_event", "a_registered_upload_is_announced"],
    ),
    "relay-marks-before-publish": (
        ["features/outbox/relay_faults.feature", "features/outbox/broker_outage.feature"],
        ["a_relay_killed_after_publishing", "events_committed_during_an_outage"],
    ),
    "relay-no-head-of-line": (["features/outbox/relay_faults.feature"], ["an_event_that_used_up_its_attempts"]),
    "relay-unfenced-settle": (["features/outbox/relay_faults.feature"], ["a_lease_held_by_a_stalled_relay"]),
    "relay-ignores-lock-ttl": (
        ["features/outbox/relay_faults.feature"],
        ["a_relay_killed_after_publishing", "a_lease_held_by_a_stalled_relay", "a_relay_killed_right_after_its_claim"],
    ),
    "relay-backoff-uncapped": (["features/outbox/relay_faults.feature"], ["retry_delays_double"]),
    "relay-never-parks": (["features/outbox/relay_faults.feature"], ["an_event_that_used_up_its_attempts"]),
    "relay-retries-permanent-errors": (["features/outbox/relay_faults.feature"], ["an_event_the_broker_refuses_for_good"]),
    "projection-ignores-version": (
        ["features/projection/video_projection.feature"],
        ["an_older_version_arriving_late", "an_event_of_the_version_already_held", "a_deleted_video_is_marked_deleted"],
    ),
    "projection-overwrites-partial-updates": (
        ["features/projection/video_projection.feature"], ["partial_updates_are_merged"]
    ),
    "projection-ignores-deletes": (["features/projection/video_projection.feature"], ["a_deleted_video_is_marked_deleted"]),
    "projection-accepts-unknown-schema-versions": (["features/projection/poison_messages.feature"], ["v99"]),
    "projection-commits-failed-handlers": (
        ["features/projection/engagement_projection.feature"], ["a_handler_failure_rolls_back"]
    ),
    "inbox-never-acks": (
        ["features/projection/engagement_projection.feature", "features/projection/video_projection.feature"],
        ["a_repeated_like_counts_once", "a_newer_version_is_applied"],
    ),
    "inbox-no-dedupe": (
        ["features/projection/engagement_projection.feature", "features/outbox/relay_faults.feature",
         "features/outbox/changes_through_rpcs.feature"],
        ["a_redelivered_watch_event_is_counted_once", "a_relay_killed_after_publishing", "a_published_event_delivered_again"],
    ),
    "engagement-no-staleness-guard": (
        ["features/projection/engagement_projection.feature"], ["a_stale_removal_does_not_undo"]
    ),
    "engagement-counts-every-event": (
        ["features/projection/engagement_projection.feature"],
        ["a_repeated_like_counts_once"],
    ),
    "engagement-counts-every-watcher": (["features/projection/engagement_projection.feature"], ["every_watch_counts"]),
    "rebuild-keeps-inbox": (
        ["features/projection/rebuild_from_replay.feature"], ["rebuilding_the_profile_videos_projection"]
    ),
    "lifecycle-ignores-expected-version": (
        ["features/catalog/versions.feature", "features/outbox/changes_through_rpcs.feature"],
        ["naming_an_old_version", "changes_refused_inside_their_transaction", "racing_for_the_same_version"],
    ),
    "lifecycle-accepts-stale-reports": (["features/catalog/processing_status.feature"], ["older_than_the_last"]),
    "lifecycle-accepts-any-caller": (
        ["features/catalog/authorization.feature"],
        ["without_any_identity", "even_the_owner_is_permission_denied", "does_not_know"],
    ),
    "lifecycle-no-stage-events": (
        ["features/catalog/stage_events.feature"],
        ["announced_as_media_ready", "announced_as_ai_enriched", "announced_as_processing_failed"],
    ),
    "visibility-publishes-any-status": (
        ["features/catalog/visibility.feature"], ["pending_upload-publishes", "processing-publishes", "failed-publishes"]
    ),
    "idempotency-ignores-keys": (
        ["features/catalog/idempotency.feature"],
        ["registers_once", "instead_of_aborted", "another_request_is_refused", "ten_simultaneous"],
    ),
    "catalog-reads-ignore-ownership": (
        ["features/catalog/authorization.feature"],
        ["not_public_reader_sees[metadata-a caller", "made_private_reader_sees[detail-another user", "without the raw file"],
    ),
    "catalog-public-list-ignores-visibility": (
        ["features/catalog/listings.feature", "features/catalog/paging.feature"],
        ["public_listing_of_a_user", "public videos-3-3,3,1"],
    ),
    "catalog-paging-skips-one": (
        ["features/catalog/paging.feature"],
        ["uploads-1-", "uploads-3-", "public videos-2-", "neither_repeat_nor_hide_one[the user's uploads"],
    ),
    "catalog-page-token-unbound": (
        ["features/catalog/paging.feature"],
        ["of another user's uploads", "filtered by status", "issued to another caller", "videos-of the user's uploads"],
    ),
    "catalog-etag-ignores-version": (["features/catalog/etags.feature"], ["a_change_gives_a_new_etag"]),
}


def test_every_defect_has_a_row() -> None:
    assert sorted(MATRIX) == sorted(DEFECTS), "add a MATRIX row naming the scenarios each new defect must break"


#: How the matrix's pytests start: scenarios need none of the plugins for property tests, and not
#: importing them saves seconds of CPU. The collection needs no pytest-xdist either.
_PYTEST = [
    sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:schemathesis",
    "-p", "no:anyio",
]
INNER_PYTEST = [*_PYTEST, "-p", "no:xdist", "-p", "no:xdist.looponfail"]
#: pytest-xdist workers of the matrix's run, each with its own reference and stand-ins. Most of a
#: defect's run is waiting (for a deadline its broken rule misses, a relay's lease), so a few runs
#: at once share two cores well; a control and its defect run stay on one worker, in order.
WORKERS = 4
#: How the matrix's run starts: as above, with pytest-xdist, and the plugin switching the defects.
MATRIX_PYTEST = [
    *_PYTEST, "-p", "tests.meta.switched_defects", "-n", str(WORKERS), "--dist", "loadgroup",
]


@dataclass(frozen=True)
class DefectRun:
    """What the shared run shows of one defect's row."""

    selected: tuple[str, ...]
    #: scenarios (node ids) that failed with the defect on
    failed: frozenset[str]
    #: scenarios whose control run (no defect on, right before the defect's run) passed
    controls_passed: frozenset[str]
    output: str


def scenario_name(node_id: str) -> str:
    """The scenario's test name (what the JUnit report calls it) from its node id."""
    return node_id.split("::", 1)[1]


def collect_scenarios(workdir: Path) -> dict[str, list[str]]:
    """Node ids of the scenarios in every feature file the matrix names, by file (one collection)."""
    features = sorted({feature for files, _ in MATRIX.values() for feature in files})
    run = subprocess.run(  # noqa: S603 - our own suite
        [*INNER_PYTEST, *features, "--collect-only", "-q",
         f"--basetemp={workdir / 'collect'}", f"--results-dir={workdir / 'collect-results'}"],
        cwd=ROOT, env=_run_environment(), capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, f"collecting the matrix's feature files failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    by_file: dict[str, list[str]] = {feature: [] for feature in features}
    for line in run.stdout.splitlines():
        path, sep, _ = line.partition("::")
        if sep and path in by_file:
            by_file[path].append(line)
    return by_file


def select_scenarios(defect: str, scenarios: dict[str, list[str]]) -> dict[str, list[str]]:
    """The scenarios of the row's files each of its fragments names (a fragment naming none selects nothing)."""
    features, must_fail = MATRIX[defect]
    candidates = [node for feature in features for node in scenarios[feature]]
    return {fragment: [node for node in candidates if fragment in scenario_name(node)] for fragment in must_fail}


def _run_environment(database_url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "LINGO_DEFECTS": "", "LINGO_DEFECTS_SWITCHABLE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    if database_url:
        env["DATABASE_URL"] = database_url  # the module's server: the run creates its own databases on it
    return env


def run_matrix(plan: dict[str, list[str]], workdir: Path, database_url: str) -> dict[str, DefectRun]:
    """Run every planned scenario with each defect naming it on (after its control) in one pytest;
    what each defect's row shows."""
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    report = workdir / "matrix.xml"
    features = sorted({node.split("::", 1)[0] for node in plan})
    run = subprocess.run(  # noqa: S603 - our own suite
        [*MATRIX_PYTEST, *features, "--seeded-defects-plan", str(plan_file), "-q", f"--junitxml={report}",
         f"--basetemp={workdir / 'run'}",
         f"--results-dir={workdir / 'results'}"],  # its bundles stay out of the repo's results/
        cwd=ROOT,
        env=_run_environment(database_url),
        capture_output=True,
        text=True,
        timeout=1800,  # a hang guard: the run takes minutes
        check=False,
    )
    output = f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    failed: dict[str, set[str]] = {}
    controls_passed: dict[str, set[str]] = {}
    if report.exists():
        for case in ET.parse(report).iter("testcase"):
            properties = {p.get("name"): p.get("value") for p in case.iter("property")}
            if "seeded_defect" not in properties:
                continue
            defect, scenario = properties["seeded_defect"], properties["scenario"]
            broke = case.find("failure") is not None or case.find("error") is not None
            if properties["control"] == "True":
                if not broke and case.find("skipped") is None:
                    controls_passed.setdefault(defect, set()).add(scenario)
            elif broke:
                failed.setdefault(defect, set()).add(scenario)
    else:
        output = f"the run produced no report:\n{output}"
    rows = {defect for defects in plan.values() for defect in defects}
    return {
        defect: DefectRun(
            tuple(sorted(node for node, defects in plan.items() if defect in defects)),
            frozenset(failed.get(defect, ())), frozenset(controls_passed.get(defect, ())), output,
        )
        for defect in rows
    }


@pytest.fixture(scope="module")
def defect_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer
) -> dict[str, DefectRun]:
    """The selected rows (all, unless ``-k`` picked some), run once for the module in one shared run:
    each row runs only the scenarios its fragments name."""
    workdir = tmp_path_factory.mktemp("defects")
    scenarios = collect_scenarios(workdir)
    rows = sorted(
        item.callspec.params["defect"]
        for item in request.session.items
        if item.path == Path(__file__) and hasattr(item, "callspec")
    )
    plan: dict[str, list[str]] = {}
    for defect in rows:
        for node in sorted({node for nodes in select_scenarios(defect, scenarios).values() for node in nodes}):
            plan.setdefault(node, []).append(defect)
    runs = run_matrix(plan, workdir, postgres.dsn) if plan else {}
    empty = DefectRun((), frozenset(), frozenset(), "its fragments name no scenario of its feature files")
    return {defect: runs.get(defect, empty) for defect in rows}


@pytest.mark.parametrize("defect", sorted(MATRIX))
def test_the_defect_makes_its_scenarios_fail(defect: str, defect_runs: dict[str, DefectRun]) -> None:
    _, must_fail = MATRIX[defect]
    run = defect_runs[defect]
    uncontrolled = sorted(set(run.selected) - run.controls_passed)
    assert not uncontrolled, (
        f"{len(uncontrolled)} scenarios of {defect!r} did not pass (or did not run) with no defect on right before "
        f"its run, so their failures cannot count for it: {[scenario_name(node) for node in uncontrolled]}\n{run.output}"
    )
    failed = [scenario_name(node) for node in run.failed]
    for fragment in must_fail:
        assert any(fragment in name for name in failed), (
            f"with {defect!r} on, no failing scenario matches {fragment!r}; ran {len(run.selected)}: "
            f"{[scenario_name(node) for node in run.selected]}; failed: {sorted(failed)}\n{run.output}"
        )
