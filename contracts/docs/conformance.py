"""Conformance pages from results bundles (the format of ``results/<run-id>/``: summary.json + scenarios.json).

``--results DIR`` takes a run folder (it holds ``summary.json``) or a results folder holding run
folders; of the latter, complete runs count and each target's newest one is shown. One page per
target: score per area and per needed capability, failed and skipped scenarios with reasons,
known deviations with their expiry, and the run's dates; the front page gets a target × area matrix.
"""

from __future__ import annotations

import hashlib

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.docs.behaviours import scenario_anchor
from contracts.docs.markdown import cell, slug


class BundleError(ValueError):
    """A --results folder that is not a results bundle; the message says what was expected."""


@dataclass(frozen=True)
class Bundle:
    summary: dict[str, Any]
    scenarios: list[dict[str, Any]]
    path: Path

    @property
    def target(self) -> str:
        return self.summary["target"]["name"]

    @property
    def page(self) -> str:
        return f"conformance/{page_name(self.target)}.md"


#: Longest page name kept whole; a URL target's name (endpoints, DSN) is longer than a file name may be.
_MAX_PAGE_NAME = 60


def page_name(target: str) -> str:
    """The page's file name for ``target``: its slug, or a cut slug plus a hash of the whole name when long."""
    name = slug(target)
    if len(name) <= _MAX_PAGE_NAME:
        return name
    return f"{name[:_MAX_PAGE_NAME - 9].rstrip('-')}-{hashlib.sha256(target.encode()).hexdigest()[:8]}"


def _read(run: Path) -> Bundle:
    try:
        summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
        scenarios_file = run / "scenarios.json"
        scenarios = json.loads(scenarios_file.read_text(encoding="utf-8")) if scenarios_file.is_file() else []
    except (OSError, json.JSONDecodeError) as error:
        msg = f"{run}: expected a results bundle (summary.json, scenarios.json), could not read it: {error}"
        raise BundleError(msg) from error
    missing = [key for key in ("run_id", "target", "groups", "started_at") if key not in summary]
    if missing:
        msg = f"{run}/summary.json: expected the results-bundle keys {missing}; is this an old-style summary?"
        raise BundleError(msg)
    return Bundle(summary, scenarios, run)


def load_bundles(dirs: list[Path]) -> list[Bundle]:
    """The newest complete bundle per target among ``dirs`` (each a run folder or a folder of runs)."""
    found: list[Bundle] = []
    for directory in dirs:
        if (directory / "summary.json").is_file() and (directory / "scenarios.json").is_file():
            found.append(_read(directory))
            continue
        runs = sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink() and (p / "summary.json").is_file())
        if not runs:
            msg = f"{directory}: expected a run folder with summary.json and scenarios.json, or a folder of such runs; found neither"
            raise BundleError(msg)
        found += [b for b in map(_read, runs) if b.summary.get("complete", False)]
    newest: dict[str, Bundle] = {}
    for bundle in found:
        known = newest.get(bundle.target)
        if known is None or bundle.summary.get("finished_at", "") > known.summary.get("finished_at", ""):
            newest[bundle.target] = bundle
    return [newest[name] for name in sorted(newest)]


def _score(group: dict[str, Any] | None) -> str:
    if not group or not group.get("applicable"):
        return "—"
    return f"{group['passed']}/{group['applicable']} ({group['score']:.0%})"


def _groups(bundle: Bundle, prefix: str) -> dict[str, dict[str, Any]]:
    return {k.removeprefix(prefix): v for k, v in bundle.summary["groups"].items() if k.startswith(prefix)}


def matrix(bundles: list[Bundle], prefix: str = "") -> str:
    """Target × area table of scores; ``prefix`` makes the links relative to where it is shown."""
    if not bundles:
        return "No results bundle was given to this build (`python -m contracts.docs build --results results/`).\n"
    areas = sorted({a for b in bundles for a in _groups(b, "area:")})
    lines = ["| target | all | " + " | ".join(areas) + " |", "|---|---|" + "---|" * len(areas)]
    for bundle in bundles:
        groups = _groups(bundle, "area:")
        cells = " | ".join(_score(groups.get(a)) for a in areas)
        run_date = (bundle.summary.get("finished_at") or bundle.summary["started_at"])[:10]
        lines.append(
            f"| [{bundle.target}]({prefix}{bundle.page})<br><small>{run_date}</small> "
            f"| {_score(bundle.summary['groups'].get('all'))} | {cells} |"
        )
    return "\n".join(lines) + "\n"


def _scenario_link(entry: dict[str, Any], known: set[str]) -> str:
    target = scenario_anchor(entry["feature"], entry["name"])
    if target not in known:  # a scenario this checkout no longer has: name it, link nothing
        return f"{cell(entry['name'])} (`{entry['feature']}`)"
    return f"[{cell(entry['name'])}](../{target})"


def target_page(bundle: Bundle, known: set[str]) -> str:
    """The page of one target; ``known`` holds the scenario anchors this site has."""
    summary = bundle.summary
    target = summary["target"]
    lines = [
        f"# Conformance: {bundle.target}",
        "",
        f"Run `{summary['run_id']}`, started {summary['started_at']}, finished {summary.get('finished_at') or '—'}"
        f"{'' if summary.get('complete', True) else ' (**incomplete**)'}.",
        "",
        "Capabilities: " + (", ".join(f"`{c}`" for c in target.get("capabilities", [])) or "none") + ".",
        "",
        f"Overall: {_score(summary['groups'].get('all'))}.",
        "",
    ]
    for title, prefix in (("Score per area", "area:"), ("Score per needed capability", "needs:")):
        groups = _groups(bundle, prefix)
        lines += [f"## {title}", "", "| group | passed | failed | skipped | xfailed | xpassed | score |", "|---|---|---|---|---|---|---|"]
        for name, group in sorted(groups.items()):
            lines.append(
                f"| {name} | {group.get('passed', 0)} | {group.get('failed', 0)} | {group.get('skipped', 0)} "
                f"| {group.get('xfailed', 0)} | {group.get('xpassed', 0)} | {_score(group)} |"
            )
        lines.append("")
    failed = [s for s in bundle.scenarios if s["verdict"] in ("failed", "error", "xpassed")]
    lines += ["## Failed scenarios", ""]
    if failed:
        lines += ["| scenario | verdict | failure |", "|---|---|---|"]
        lines += [f"| {_scenario_link(s, known)} | {s['verdict']} | {cell(s.get('failure') or '')} |" for s in failed]
    else:
        lines.append("None.")
    skipped = [s for s in bundle.scenarios if s["verdict"] == "skipped"]
    lines += ["", "## Skipped scenarios", ""]
    if skipped:
        lines += ["| scenario | reason |", "|---|---|"]
        lines += [f"| {_scenario_link(s, known)} | {cell(s.get('skip_reason') or '')} |" for s in skipped]
    else:
        lines.append("None.")
    deviations = [s for s in bundle.scenarios if s.get("deviation")]
    lines += ["", "## Known deviations", ""]
    if deviations:
        lines += ["| scenario | verdict | reason | reference | expires |", "|---|---|---|---|---|"]
        lines += [
            f"| {_scenario_link(s, known)} | {s['verdict']} | {cell(s['deviation'].get('reason', ''))} "
            f"| {cell(s['deviation'].get('reference', ''))} | {s['deviation'].get('expires', '')} |"
            for s in deviations
        ]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def index_page(bundles: list[Bundle]) -> str:
    return "# Conformance\n\nThe latest complete run per target, scored per area (passed / applicable).\n\n" + matrix(bundles, prefix="../")
