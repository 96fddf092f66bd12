"""Load the JSON Schemas under ``contracts/events/`` and the OpenAPI document, and validate against them.

A schema is named by its path under ``contracts/events/`` without ``.schema.json``:
``"attributes"``, ``"video/v1/event"``, ``"profile/v1/engagement_added"``,
``"gcs/object_finalize.attributes"``, ``"problem_details"``. Cross-file ``$ref``s are relative
(``"../../protojson.schema.json#/$defs/Uuid"``) and resolve through one ``referencing.Registry``
holding every schema under its ``$id``; each ``$id`` is ``BASE_URI`` + the file's path, so the same
relative reference works on disk and by id.

Used by the driver's contract checks (every published message, every REST body), by the docs
builder and by ``tests/contracts``. Nothing is read at import time; everything is cached after
first use.

``violations`` judges with jsonschema-rs (about 5 µs a message instead of about 0.8 ms: the suite
checks every message it observes, in the test process, thousands per run) and asks jsonschema only
to explain an instance it refused. Both see the same schemas, registry and format checks
(``tests/contracts/test_schema_validators_agree.py`` holds them to the same verdicts).

Example::

    from contracts.schemas import violations
    problems = violations("attributes", message.attributes)
    assert not problems, "\\n".join(problems)
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = [
    "BASE_URI",
    "SchemaNotFound",
    "fast_validator",
    "fast_validator_for",
    "format_checker",
    "load_openapi",
    "load_schema",
    "registry",
    "schema_names",
    "validator",
    "violations",
]

BASE_URI = "https://lingo.invalid/contracts/events/"
"""Prefix of every schema ``$id``; ``.invalid`` (RFC 2606) so nobody mistakes it for a fetchable URL."""

_SUFFIX = ".schema.json"


class SchemaNotFound(LookupError):
    """A schema name that has no file under ``contracts/events/``."""


def _events_dir() -> Traversable:
    return resources.files("contracts") / "events"


def _walk(directory: Traversable, prefix: str = "") -> dict[str, Traversable]:
    found: dict[str, Traversable] = {}
    for entry in directory.iterdir():
        if entry.is_dir():
            found.update(_walk(entry, f"{prefix}{entry.name}/"))
        elif entry.name.endswith(_SUFFIX):
            found[prefix + entry.name[: -len(_SUFFIX)]] = entry
    return found


@functools.cache
def _schema_files() -> dict[str, Traversable]:
    return _walk(_events_dir())


def schema_names() -> list[str]:
    """Names of every schema under ``contracts/events/``, sorted."""
    return sorted(_schema_files())


@functools.cache
def _load(name: str) -> dict[str, Any]:
    files = _schema_files()
    if name not in files:
        msg = (
            f"no JSON Schema named {name!r}: expected one of {', '.join(sorted(files))} "
            f"(a name is the path under contracts/events/ without {_SUFFIX!r})"
        )
        raise SchemaNotFound(msg)
    return json.loads(files[name].read_text(encoding="utf-8"))


def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (a copy: callers may mutate it)."""
    return copy.deepcopy(_load(name))


@functools.cache
def registry() -> Registry:
    """A registry holding every schema under its ``$id`` (draft 2020-12)."""
    resources_by_id = []
    for name in schema_names():
        contents = _load(name)
        resources_by_id.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources_by_id).crawl()


_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NO_SPACE = re.compile(r"^[^\s\x00-\x1f\x7f]*$")


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_SCHEME.match(value) and _NO_SPACE.match(value))


def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(_NO_SPACE.match(value))


#: Format checks of our own, for both validators (see ``format_checker``).
_OWN_FORMATS = {"uri": _is_uri, "uri-reference": _is_uri_reference}


@functools.cache
def format_checker() -> FormatChecker:
    """Draft 2020-12 format checks plus ``uri`` and ``uri-reference``.

    jsonschema only checks the URI formats when an optional RFC 3986 package is installed; we
    do not depend on one, so a light syntactic check stands in (scheme present, no whitespace).
    """
    checker = copy.deepcopy(Draft202012Validator.FORMAT_CHECKER)
    for name, check in _OWN_FORMATS.items():
        checker.checks(name)(check)
    return checker


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A cached draft 2020-12 validator for schema ``name``, with format checking on.

    Raises:
        SchemaNotFound: no such schema.
    """
    return Draft202012Validator(_load(name), registry=registry(), format_checker=format_checker())


@functools.cache
def _rs_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry([(_load(name)["$id"], _load(name)) for name in schema_names()])


@functools.cache
def fast_validator(name: str) -> jsonschema_rs.Validator:
    """A cached jsonschema-rs validator for schema ``name``: the same schema, registry and format checks as ``validator``.

    Raises:
        SchemaNotFound: no such schema.
    """
    return fast_validator_for(_load(name), registry=_rs_registry())


def fast_validator_for(schema: dict[str, Any], *, registry: jsonschema_rs.Registry | None = None) -> jsonschema_rs.Validator:
    """A jsonschema-rs draft 2020-12 validator for ``schema``, checking formats as ``format_checker`` does."""
    return jsonschema_rs.Draft202012Validator(schema, registry=registry, validate_formats=True, formats=_OWN_FORMATS)


def _describe(error: ValidationError) -> str:
    where = error.json_path
    if error.validator in ("oneOf", "anyOf"):
        # jsonschema's own text repeats the whole instance; say how many branches matched instead.
        alternatives = len(error.validator_value)
        if error.validator == "oneOf" and not error.context:
            message = f"expected exactly one of {alternatives} alternatives to match, more than one did"
        else:
            expected = "exactly one" if error.validator == "oneOf" else "at least one"
            closest = best_match(error.context)
            message = f"expected {expected} of {alternatives} alternatives to match, none did; closest: {closest.json_path}: {closest.message}"
        return f"{where}: {message}"
    return f"{where}: {error.message}"


def violations(name: str, instance: Any) -> list[str]:
    """Readable reasons why ``instance`` does not conform to schema ``name``; empty when it does.

    Each entry is ``"<JSON path>: <what is wrong>"``, e.g.
    ``"$.event_id: 'abc' does not match '^[0-9a-f]{8}-...'"``, sorted by path.

    Raises:
        SchemaNotFound: no such schema.
    """
    fast = fast_validator(name)
    if fast.is_valid(instance):
        return []
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        return [_describe(error) for error in errors]
    # Refused by the judge only (a check jsonschema does not make, e.g. ``$`` before a final newline):
    # its own words, in the same form.
    return sorted(f"{_json_path(e.instance_path)}: {e.message}" for e in fast.iter_errors(instance))


def _json_path(path: Sequence[str | int]) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


# Which JSON Schema definitions lingo.yaml mirrors under components/schemas (it keeps copies so
# the document is self-contained for FastAPI, Swagger UI and schemathesis). Values are
# (schema name, $defs key or None for the root).
_MIRRORED: dict[str, tuple[str, str | None]] = {
    **{d: ("protojson", d) for d in ("Uuid", "Int64", "NonNegativeInt64", "PositiveInt64", "Timestamp", "Struct")},
    **{
        d: ("profile/v1/messages", d)
        for d in (
            "FavoriteType",
            "VideoStats",
            "WatchProgress",
            "FavoriteState",
            "Preferences",
            "Profile",
            "VideoMetadata",
            "FavoriteItem",
            "FavoriteSummary",
            "WatchHistoryEntry",
        )
    },
    "Problem": ("problem_details", None),
    "FieldViolation": ("problem_details", "FieldViolation"),
}
_DEFS_REF = re.compile(r"^[^#]*#/\$defs/(?P<name>[A-Za-z0-9_]+)$")


def _to_component_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and (match := _DEFS_REF.match(value)):
                out[key] = f"#/components/schemas/{match['name']}"
            else:
                out[key] = _to_component_refs(value)
        return out
    if isinstance(node, list):
        return [_to_component_refs(item) for item in node]
    return node


def openapi_mirrored_components() -> dict[str, dict[str, Any]]:
    """The schemas ``lingo.yaml`` must carry under ``components/schemas``, derived from ``contracts/events``.

    Each is the JSON Schema definition with ``$schema``/``$id``/``$defs`` dropped and every
    ``...#/$defs/X`` reference rewritten to ``#/components/schemas/X``. The JSON Schemas are the
    source; a test fails when ``lingo.yaml`` drifts from this.
    """
    mirrored: dict[str, dict[str, Any]] = {}
    for component, (schema_name, def_name) in _MIRRORED.items():
        source = _load(schema_name)
        node = source["$defs"][def_name] if def_name else {k: v for k, v in source.items() if k not in ("$schema", "$id", "$defs")}
        mirrored[component] = _to_component_refs(node)
    return mirrored


@functools.cache
def _openapi() -> dict[str, Any]:
    text = (resources.files("contracts") / "openapi" / "lingo.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_openapi() -> dict[str, Any]:
    """The parsed OpenAPI 3.1 document ``contracts/openapi/lingo.yaml`` (a copy: callers may mutate it)."""
    return copy.deepcopy(_openapi())


def main(argv: list[str] | None = None) -> int:
    """``python -m contracts.schemas openapi-components``: print the mirrored block of ``lingo.yaml``.

    Prints :func:`openapi_mirrored_components` as YAML indented to sit under
    ``components/schemas``, to paste over the "mirrored from contracts/events" block.
    """
    import argparse  # noqa: PLC0415 - only the command line needs it
    import sys  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m contracts.schemas", description=main.__doc__)
    parser.add_argument("command", choices=["openapi-components"])
    parser.parse_args(argv)
    text = yaml.safe_dump(openapi_mirrored_components(), sort_keys=False, width=110, allow_unicode=True)
    sys.stdout.write("".join(f"    {line}" if line.strip() else line for line in text.splitlines(keepends=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
