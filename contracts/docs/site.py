"""Builds the partner docs site: writes the Markdown pages, runs MkDocs (Material theme) strictly, checks the result.

The pages are generated into a scratch folder on every build, so the site always describes the
checkout it was built from; MkDocs runs with ``strict`` (any warning, a broken link or anchor
included, fails the build), then :mod:`contracts.docs.checks` verifies links in the rendered HTML
(raw HTML included) and that no page loads anything from another host.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from contracts import schemas
from contracts.docs import asyncapi, behaviours, changes, checks, conformance, errors_page, events_page, rest_page
from contracts.docs.descriptors import load_images
from contracts.docs.grpc_reference import Reference, page_name
from contracts.error_table import load_errors
from contracts.topology import load_topology

class _Collect(logging.Handler):
    """Keeps MkDocs' warnings so the build error can list them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class DocsBuildError(RuntimeError):
    """The site could not be built, or the built site fails its checks; the message lists why."""


def _config(docs_dir: Path, site_dir: Path, nav: list) -> dict:
    warn = "warn"
    return {
        "site_name": "Lingo contracts",
        "site_description": "Behaviours, wire contracts and conformance of the Lingo video backend",
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": False,  # pages open from disk as well as from a server
        "strict": True,
        "theme": {
            "name": "material",
            "font": False,  # no web fonts: the site must work offline
            "features": ["navigation.sections", "navigation.top", "search.highlight", "content.code.copy"],
        },
        # Not Material's "offline" plugin: it loads its search shim from a CDN. Search needs the site
        # served (python -m contracts.docs serve); every other page also works opened from disk.
        "plugins": ["search"],
        "markdown_extensions": [
            "attr_list",
            "md_in_html",
            "tables",
            "admonition",
            {"toc": {"permalink": True}},
            "pymdownx.highlight",
            "pymdownx.superfences",
        ],
        "validation": {
            "omitted_files": warn,
            "absolute_links": warn,
            "unrecognized_links": warn,
            "anchors": warn,
            "not_found": warn,
        },
        "nav": nav,
    }


def _front_page(bundles: list[conformance.Bundle]) -> str:
    return "\n".join(
        [
            "# Lingo contracts",
            "",
            "What every Lingo backend deployment promises, and how each known deployment measures up. Everything "
            "here is generated from the contract files (`contracts/`) and the executable specification "
            "(`features/`) of the lingo-conformance repository.",
            "",
            "## Conformance",
            "",
            conformance.matrix(bundles),
            "## How to read these pages",
            "",
            "- [Behaviours](behaviours/index.md): each rule as a MUST statement with the scenario that checks it.",
            "- [gRPC](grpc/index.md): services, RPCs, messages and validation rules.",
            "- [Events](events/index.md): Pub/Sub topics as an AsyncAPI 3.0 document, with an example per event type.",
            "- [REST](rest/index.md): the OpenAPI 3.1 surface and its Problem Details.",
            "- [Errors](errors.md): gRPC code, reason and REST problem of every error.",
            "- [Conformance](conformance/index.md): the latest run per target.",
            "- [Changes](changes.md): what changed in the protos since the compatibility baseline.",
            "",
        ]
    )


def write_pages(docs_dir: Path, contracts_dir: Path, results: list[Path]) -> list:
    """Writes every page and asset into ``docs_dir``; returns the MkDocs nav."""
    root = contracts_dir.parent
    bundles = conformance.load_bundles(results)
    features = behaviours.load_features(root)
    ids = behaviours.load_behaviours(root)
    topology = load_topology()
    examples = asyncapi.load_examples(contracts_dir)
    problems = asyncapi.example_violations(topology, examples)
    if problems:
        raise DocsBuildError("example messages break the contract:\n  " + "\n  ".join(problems))
    document = asyncapi.build(topology, examples)
    problems = asyncapi.validate(document)
    if problems:
        raise DocsBuildError("the generated AsyncAPI document is not valid AsyncAPI 3.0.0:\n  " + "\n  ".join(problems))
    images = load_images(contracts_dir)
    reference = Reference(images.current)
    error_table = load_errors(contracts_dir)
    openapi = schemas.load_openapi()

    def write(relative: str, text: str) -> None:
        path = docs_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    write("index.md", _front_page(bundles))

    by_area: dict[str, list[behaviours.Feature]] = defaultdict(list)
    for feature in features:
        by_area[Path(feature.path).parts[1]].append(feature)
    areas = sorted(by_area, key=lambda a: behaviours.AREAS.index(a) if a in behaviours.AREAS else len(behaviours.AREAS))
    write("behaviours/index.md", behaviours.index_page(features, ids))
    for area in areas:
        write(f"behaviours/{area}.md", behaviours.area_page(area, by_area[area], ids))

    write("grpc/index.md", reference.index())
    packages = sorted(reference.packages)
    for package in packages:
        write(f"grpc/{page_name(package)}", reference.package_page(package))

    write("events/index.md", events_page.page(document, topology))
    write("events/asyncapi.yaml", asyncapi.to_yaml(document))
    for name in schemas.schema_names():
        write(f"events/{asyncapi.SCHEMA_DIR}/{name}.schema.json", json.dumps(schemas.load_schema(name), indent=2) + "\n")

    write("rest/index.md", rest_page.page(openapi, error_table))
    write("rest/openapi.yaml", yaml.safe_dump(openapi, sort_keys=False, allow_unicode=True))
    write("rest/openapi.js", rest_page.openapi_script(openapi))
    rest_page.copy_assets(docs_dir)

    write("errors.md", errors_page.page(error_table, features))

    known = {behaviours.scenario_anchor(s.feature, s.name) for f in features for s in f.scenarios}
    write("conformance/index.md", conformance.index_page(bundles))
    for bundle in bundles:
        write(bundle.page, conformance.target_page(bundle, known))

    write("changes.md", changes.page(images.baseline, images.current))

    return [
        {"Home": "index.md"},
        {"Behaviours": ["behaviours/index.md", *[f"behaviours/{a}.md" for a in areas]]},
        {"gRPC": ["grpc/index.md", *[f"grpc/{page_name(p)}" for p in packages]]},
        {"Events": "events/index.md"},
        {"REST": "rest/index.md"},
        {"Errors": "errors.md"},
        {"Conformance": ["conformance/index.md", *[b.page for b in bundles]]},
        {"Changes": "changes.md"},
    ]


def build(out: Path, results: list[Path], contracts_dir: Path) -> Path:
    """Builds the site into ``out`` (replaced); raises :class:`DocsBuildError` when anything fails."""
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="lingo-docs-") as scratch:
        docs_dir = Path(scratch) / "docs"
        try:
            nav = write_pages(docs_dir, contracts_dir, [r.resolve() for r in results])
        except (conformance.BundleError, OSError) as error:
            raise DocsBuildError(str(error)) from error
        config_file = Path(scratch) / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(_config(docs_dir, out, nav), sort_keys=False), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        warnings = _Collect()
        logging.getLogger("mkdocs").addHandler(warnings)
        try:
            config = load_config(config_file=str(config_file), strict=True)
            mkdocs_build(config)
        except (MkDocsException, SystemExit) as error:
            found = "\n  ".join(warnings.messages)
            msg = f"mkdocs build failed (strict: warnings are errors): {error}\n  {found}"
            raise DocsBuildError(msg) from error
        finally:
            logging.getLogger("mkdocs").removeHandler(warnings)
    # MkDocs' 404 page links with absolute paths for servers that route misses to it; a static,
    # possibly file:// site has no such server, and the page would only carry broken links.
    (out / "404.html").unlink(missing_ok=True)
    problems = checks.broken_links(out) + checks.external_loads(out)
    if problems:
        raise DocsBuildError("the built site fails its checks:\n  " + "\n  ".join(problems))
    return out
