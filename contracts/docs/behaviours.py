"""Behaviour pages: every scenario of ``features/`` as a MUST statement with its steps and tags.

One page per area (the folder under ``features/``); ``features/behaviours.yaml`` becomes the index,
with the scenarios covering each id and the ids no scenario covers yet. Each scenario has a stable
anchor (:func:`scenario_anchor`) so the Errors and Conformance pages can point at it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from gherkin.parser import Parser

from contracts.docs.markdown import cell, slug

AREAS = ("upload", "outbox", "projection", "profile", "catalog")
NEEDS_PREFIX = "needs_"
SIDE_EFFECTS = ("read_only", "creates_own", "destructive")


@dataclass
class Scenario:
    """One scenario (outline) as written, with the tags it inherits from its feature and rule."""

    feature: str  # path relative to the repository, e.g. features/upload/completion.feature
    name: str
    tags: list[str]
    steps: list[str]
    examples: list[tuple[str, list[str], list[list[str]], list[str]]] = field(default_factory=list)

    @property
    def area(self) -> str:
        return Path(self.feature).parts[1]

    @property
    def anchor(self) -> str:
        return f"{Path(self.feature).stem}--{slug(self.name)}"


@dataclass
class Feature:
    path: str
    name: str
    description: str
    tags: list[str]
    background: list[str]
    scenarios: list[Scenario]


def scenario_anchor(feature: str, name: str) -> str:
    """Link target (relative to the site root) of a scenario named as in its .feature file."""
    return f"behaviours/{Path(feature).parts[1]}.md#{Path(feature).stem}--{slug(name)}"


def _steps(steps: list[dict]) -> list[str]:
    lines = []
    for step in steps:
        lines.append(f"{step['keyword'].strip()} {step['text']}")
        table = step.get("dataTable")
        if table:
            lines += ["  | " + " | ".join(c["value"] for c in row["cells"]) + " |" for row in table["rows"]]
    return lines


def load_features(root: Path) -> list[Feature]:
    """Every feature under ``root/features``, sorted by path."""
    features = []
    for path in sorted((root / "features").rglob("*.feature")):
        relative = path.relative_to(root).as_posix()
        document = Parser().parse(path.read_text(encoding="utf-8"))["feature"]
        feature_tags = [t["name"].lstrip("@") for t in document["tags"]]
        background: list[str] = []
        scenarios = []
        children = [(child, []) for child in document["children"]]
        while children:
            child, inherited = children.pop(0)
            if "background" in child:
                background = _steps(child["background"]["steps"])
            elif "rule" in child:
                rule_tags = [t["name"].lstrip("@") for t in child["rule"].get("tags", [])]
                children = [(c, inherited + rule_tags) for c in child["rule"]["children"]] + children
            elif "scenario" in child:
                raw = child["scenario"]
                scenario = Scenario(
                    feature=relative,
                    name=raw["name"],
                    tags=feature_tags + inherited + [t["name"].lstrip("@") for t in raw["tags"]],
                    steps=_steps(raw["steps"]),
                )
                for example in raw.get("examples", []):
                    header = [c["value"] for c in example["tableHeader"]["cells"]] if example.get("tableHeader") else []
                    rows = [[c["value"] for c in row["cells"]] for row in example.get("tableBody", [])]
                    scenario.examples.append((example["name"], header, rows, [t["name"].lstrip("@") for t in example["tags"]]))
                scenarios.append(scenario)
        features.append(
            Feature(relative, document["name"], document.get("description", "").strip(), feature_tags, background, scenarios)
        )
    return features


def load_behaviours(root: Path) -> dict[str, str]:
    """Behaviour id -> statement, from ``features/behaviours.yaml``."""
    return yaml.safe_load((root / "features" / "behaviours.yaml").read_text(encoding="utf-8"))


def _tag_line(tags: list[str], behaviours: dict[str, str]) -> str:
    ids = [f"[{t}](index.md#{t})" for t in tags if t in behaviours]
    needs = [f"`{t.removeprefix(NEEDS_PREFIX)}`" for t in tags if t.startswith(NEEDS_PREFIX)]
    effects = [f"`{t}`" for t in tags if t in SIDE_EFFECTS]
    parts = []
    if ids:
        parts.append("**Behaviours** " + " ".join(ids))
    if needs:
        parts.append("**Needs** " + " ".join(needs))
    if effects:
        parts.append("**Side effects** " + " ".join(effects))
    return " · ".join(parts)


def area_page(area: str, features: list[Feature], behaviours: dict[str, str]) -> str:
    """The page of one area: each feature's MUST statement, then its scenarios."""
    lines = [f"# {area.capitalize()} behaviours", ""]
    for feature in features:
        lines += [f"## {feature.name} {{ #{Path(feature.path).stem} }}", "", f"`{feature.path}`", ""]
        lines += [feature.description, ""] if feature.description else []
        if feature.background:
            lines += ["Background:", "", "```gherkin", *feature.background, "```", ""]
        for scenario in feature.scenarios:
            lines += [f"### {scenario.name} {{ #{scenario.anchor} }}", "", _tag_line(scenario.tags, behaviours), ""]
            lines += ["```gherkin", *scenario.steps, "```", ""]
            for name, header, rows, tags in scenario.examples:
                title = f"Examples{': ' + name if name else ''}"
                extra = f" ({' '.join('@' + t for t in tags)})" if tags else ""
                lines += [f"*{title}*{extra}", ""]
                if header:
                    lines += ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
                    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
                lines.append("")
    return "\n".join(lines) + "\n"


def index_page(features: list[Feature], behaviours: dict[str, str]) -> str:
    """behaviours.yaml as a table, with the covering scenarios, then the ids nobody covers."""
    covering: dict[str, list[Scenario]] = defaultdict(list)
    total = 0
    for feature in features:
        for scenario in feature.scenarios:
            total += 1
            for tag in scenario.tags:
                if tag in behaviours:
                    covering[tag].append(scenario)
    areas = sorted({Path(f.path).parts[1] for f in features}, key=lambda a: (a not in AREAS, AREAS.index(a) if a in AREAS else 0, a))
    lines = [
        "# Behaviours",
        "",
        "Each scenario is a MUST statement every Lingo deployment is held to; its tags name the behaviour ids it "
        "covers, the capabilities a target needs to run it (`needs`) and what it does to shared data (side effects). "
        "Ids come from `features/behaviours.yaml`.",
        "",
        f"{total} scenarios cover {len(covering)} of {len(behaviours)} behaviour ids. By area: "
        + ", ".join(f"[{a}]({a}.md)" for a in areas)
        + ".",
        "",
        "| id | behaviour | scenarios |",
        "|---|---|---|",
    ]
    for behaviour_id, statement in behaviours.items():
        links = ", ".join(f"[{cell(s.name)}]({s.area}.md#{s.anchor})" for s in covering.get(behaviour_id, []))
        lines.append(f'| <span id="{behaviour_id}"></span>{behaviour_id} | {cell(statement)} | {links or "**uncovered**"} |')
    uncovered = [b for b in behaviours if b not in covering]
    lines += ["", "## Uncovered behaviour ids", ""]
    lines += [f"- [{b}](#{b}): {behaviours[b]}" for b in uncovered] or ["None."]
    return "\n".join(lines) + "\n"
