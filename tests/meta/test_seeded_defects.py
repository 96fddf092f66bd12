"""The suite proves its own power: each seeded defect makes the scenarios of its rule fail.

For every defect in ``reference_impl/defects.py`` this runs the feature files that state the rule
against an embedded reference with that one defect switched on, and checks in the JUnit report
that each expected scenario failed. A defect without an entry here fails the test too, so a new
switch cannot go unchecked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from reference_impl.defects import DEFECTS

ROOT = Path(__file__).resolve().parents[2]

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


#: Defect runs going on at once. Each run mostly waits (for its scenarios' deadlines), so a few
#: share two cores well and the whole matrix takes minutes instead of the sum of its runs.
CONCURRENT_RUNS = 4


@dataclass(frozen=True)
class DefectRun:
    """The outcome of the feature files of one defect's row, run with that defect on."""

    failed: frozenset[str]
    output: str


def run_with_defect(defect: str, workdir: Path) -> DefectRun:
    """Run the row's feature files against an embedded reference with ``defect`` switched on."""
    features, _ = MATRIX[defect]
    report = workdir / f"{defect}.xml"
    env = {**os.environ, "LINGO_DEFECTS": defect}
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(  # noqa: S603 - our own suite
        [sys.executable, "-m", "pytest", *features, "-p", "no:cacheprovider", "-q", f"--junitxml={report}",
         f"--basetemp={workdir / defect}",
         f"--results-dir={workdir / f'{defect}-results'}"],  # its bundles stay out of the repo's results/
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    if not report.exists():
        return DefectRun(frozenset(), f"the run produced no report:\n{output}")
    failed = frozenset(
        case.get("name", "")
        for case in ET.parse(report).iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    )
    return DefectRun(failed, output)


@pytest.fixture(scope="module")
def defect_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DefectRun]:
    """Every row's run, done concurrently once for the module."""
    workdir = tmp_path_factory.mktemp("defects")
    with ThreadPoolExecutor(max_workers=CONCURRENT_RUNS) as pool:
        runs = dict(zip(sorted(MATRIX), pool.map(lambda d: run_with_defect(d, workdir), sorted(MATRIX)), strict=True))
    return runs


@pytest.mark.parametrize("defect", sorted(MATRIX))
def test_the_defect_makes_its_scenarios_fail(defect: str, defect_runs: dict[str, DefectRun]) -> None:
    _, must_fail = MATRIX[defect]
    run = defect_runs[defect]
    for fragment in must_fail:
        assert any(fragment in name for name in run.failed), (
            f"with {defect!r} on, no failing scenario matches {fragment!r}; failed: {sorted(run.failed)}\n{run.output}"
        )
