"""The docs site builds strictly from the real contracts, with every page, link and example it promises."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from contracts.docs import checks, conformance, errors_page, site as site_module
from contracts.docs.site import DocsBuildError, build
from contracts.protoc import default_contracts_dir

FIXTURE_RESULTS = Path(__file__).parent / "fixtures" / "results"


def text(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def test_every_section_has_its_pages(site: Path) -> None:
    for page in (
        "index.html", "behaviours/index.html", "behaviours/upload.html", "grpc/index.html", "grpc/video.v1.html",
        "grpc/profile.v1.html", "events/index.html", "events/asyncapi.yaml", "rest/index.html", "rest/openapi.yaml",
        "errors.html", "conformance/index.html", "conformance/reference.html", "conformance/staging.html", "changes.html",
    ):
        assert (site / page).is_file(), f"expected {page} in the built site; the build did not write it"


def test_no_broken_links_and_nothing_loaded_from_elsewhere(site: Path) -> None:
    assert checks.broken_links(site) == []
    assert checks.external_loads(site) == []


def test_grpc_reference_has_rpcs_fields_rules_and_cross_links(site: Path) -> None:
    page = text(site, "grpc/video.v1.html")
    assert 'id="video.v1.UploadService.InitResumableUpload"' in page
    # field 3 of InitResumableUploadRequest with its buf.validate rule
    assert re.search(r"<td>3</td>\s*<td><code>content_md5_hex</code></td>", page)
    assert '<td><code>string { pattern: "^[a-fA-F0-9]{32}$" len: 32 }</code></td>' in page
    assert 'href="#video.v1.InitResumableUploadRequest"' in page
    assert 'id="video.v1.ErrorReason"' in page and "ERROR_REASON_UPLOAD_ALREADY_COMPLETED" in page


def test_behaviour_pages_list_scenarios_with_ids_and_the_uncovered_ones(site: Path) -> None:
    upload = text(site, "behaviours/upload.html")
    assert "initialising a completed upload again is refused" in upload
    assert 'href="index.html#B-U12"' in upload
    index = text(site, "behaviours/index.html")
    assert 'id="B-U12"' in index and "Uncovered behaviour ids" in index


def test_errors_table_names_the_scenario_that_pins_a_reason(site: Path) -> None:
    page = text(site, "errors.html")
    row = next(r for r in page.split("<tr>") if "ERROR_REASON_UPLOAD_ALREADY_COMPLETED" in r and "ABORTED" in r)
    assert "initialising a completed upload again is refused" in row


def test_conformance_pages_come_from_the_newest_complete_bundle(site: Path) -> None:
    front = text(site, "index.html")
    assert 'href="conformance/staging.html"' in front and "96/99" in front
    staging = text(site, "conformance/staging.html")
    assert "ct-20261130T013000-bb22" in staging, "the incomplete later run must not replace the complete one"
    assert "ERROR_REASON_UPLOAD_ALREADY_COMPLETED, got OK" in staging
    assert "target lacks capability faults" in staging
    assert "2027-01-31" in staging and "upstream pagination skips an item" in staging
    assert "a scenario this checkout no longer has" in staging


def test_a_url_target_gets_a_page_name_a_file_system_accepts() -> None:
    url = "grpc://127.0.0.1:33631?rest=http://127.0.0.1:45563&database=postgresql://u:***@h/db&capabilities=" + "x," * 80
    name = conformance.page_name(url)
    assert len(name) <= 60 and re.fullmatch(r"[a-z0-9-]+", name), name
    assert name != conformance.page_name(url + "y"), "two long names that differ late must not share a page"
    assert conformance.page_name("staging") == "staging"


def test_a_broken_link_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = errors_page.page
    monkeypatch.setattr(site_module.errors_page, "page", lambda *a: original(*a) + "\n[gone](nowhere.md#nothing)\n")
    with pytest.raises(DocsBuildError, match="nowhere.md"):
        build(tmp_path / "site", [FIXTURE_RESULTS], default_contracts_dir())


def test_link_and_offline_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<p id="here"></p><a href="b.html">b</a><a href="a.html#there">x</a>'
        '<script src="https://cdn.jsdelivr.net/npm/x.js"></script><a href="https://example.org/">fine</a>'
    )
    (tmp_path / "s.css").write_text("@font-face { src: url(https://fonts.gstatic.com/s/x.woff2) }")
    (tmp_path / "s.js").write_text('load("https://fonts.googleapis.com/css?family=Roboto")')
    assert checks.broken_links(tmp_path) == [
        "a.html: <a> a.html#there: no element with id 'there'",
        "a.html: <a> b.html: no such file",
    ]
    found = "\n".join(checks.external_loads(tmp_path))
    assert "cdn.jsdelivr.net" in found and "fonts.gstatic.com" in found and "fonts.googleapis.com" in found
    assert "example.org" not in found


def test_results_folder_that_is_no_bundle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocsBuildError, match="expected a run folder"):
        build(tmp_path / "site", [tmp_path], default_contracts_dir())


def test_cli_build_writes_the_site(tmp_path: Path) -> None:
    from contracts.docs.__main__ import main

    assert main(["build", "--results", str(FIXTURE_RESULTS / "ct-20261129T230000-aa11"), "--out", str(tmp_path / "out")]) == 0
    assert "conformance/reference.html" in text(tmp_path / "out", "index.html")
    shutil.rmtree(tmp_path / "out")
