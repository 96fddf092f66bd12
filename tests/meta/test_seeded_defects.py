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
    "upload-events-out-of-order": (["features/upload/completion.feature"], ["upload_written"]),
    "upload-rejects-unknown-objects": (["features/upload/unknown_object.feature"], ["unknown_object"]),
    "lifecycle-ignores-expected-version": (["features/catalog/versions.feature"], ["naming_an_old_version"]),
    "lifecycle-accepts-stale-reports": (["features/catalog/processing_status.feature"], ["older_than_the_last"]),
}


def test_every_defect_has_a_row() -> None:
    assert sorted(MATRIX) == sorted(DEFECTS), "add a MATRIX row naming the scenarios each new defect must break"


@pytest.mark.parametrize("defect", sorted(MATRIX))
def test_the_defect_makes_its_scenarios_fail(defect: str, tmp_path: Path) -> None:
    features, must_fail = MATRIX[defect]
    report = tmp_path / "junit.xml"
    env = {**os.environ, "LINGO_DEFECTS": defect}
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(  # noqa: S603 - our own suite
        [sys.executable, "-m", "pytest", *features, "-p", "no:cacheprovider", "-q", f"--junitxml={report}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.exists(), f"the run produced no report:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    failed = {
        case.get("name", "")
        for case in ET.parse(report).iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    }
    for fragment in must_fail:
        assert any(fragment in name for name in failed), (
            f"with {defect!r} on, no failing scenario matches {fragment!r}; failed: {sorted(failed)}"
        )
