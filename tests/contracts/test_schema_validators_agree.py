"""``contracts.schemas.violations`` judges with jsonschema-rs; jsonschema only explains. Both must agree.

Every example message in ``contracts/examples.yaml`` (its attributes and its payload) and many
broken variants of it (each field dropped, set to a wrong type or a malformed string, given a
trailing newline or upper-cased, or joined
by a field nobody declared) get the same verdict from both validators, but for one case: a
trailing newline after a pattern's ``$``, which Python's ``re.search`` (so jsonschema) lets through
and ECMA-262 (so jsonschema-rs) does not. There jsonschema-rs is the stricter, and ``violations``
reports it in its own words.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from contracts import schemas
from contracts.docs.asyncapi import EXAMPLES_FILE
from contracts.topology import load_topology

_WRONG_VALUES: tuple[Any, ...] = (None, 12345, -1, 1.5, True, "", "x", "not a date", "ab cd", [], {}, ["x"], {"x": 1})


def _examples() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(label, schema name, instance) for every example's attributes and payload."""
    topology = load_topology()
    with open(f"contracts/{EXAMPLES_FILE}", encoding="utf-8") as file:
        examples = yaml.safe_load(file)
    for event_type, example in examples.items():
        topic = topology.topics[example["topic"]]
        if topic.attributes_schema:
            yield f"{event_type} attributes", topic.attributes_schema, example["attributes"]
        payload_schema = topic.json_schema_for(event_type)
        if payload_schema:
            yield f"{event_type} payload", payload_schema, example["payload"]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from _paths(value, (*path, index))


def _replaced(instance: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(instance)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return changed


def _dropped(instance: Any, path: tuple[Any, ...]) -> Any:
    changed = copy.deepcopy(instance)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return changed


def _at(instance: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        instance = instance[part]
    return instance


_NEWLINE = " + a newline"


def _variants(instance: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield "as given", instance
    yield "an undeclared field", {**instance, "undeclaredField": "x"}
    for path in _paths(instance):
        where = "/".join(map(str, path))
        yield f"{where} dropped", _dropped(instance, path)
        for value in _WRONG_VALUES:
            yield f"{where} = {value!r}", _replaced(instance, path, value)
        value = _at(instance, path)
        if isinstance(value, str):
            yield f"{where}{_NEWLINE}", _replaced(instance, path, value + "\n")
            yield f"{where} upper-cased", _replaced(instance, path, value.upper())


def _cases() -> list[Any]:
    return [
        pytest.param(schema, instance, id=label)
        for label, schema, instance in _examples()
    ]


@pytest.mark.parametrize(("schema", "instance"), _cases())
def test_both_validators_give_every_variant_the_same_verdict(schema: str, instance: dict[str, Any]) -> None:
    judge, explainer = schemas.fast_validator(schema), schemas.validator(schema)
    disagreements = []
    for label, variant in _variants(instance):
        judged, explained = judge.is_valid(variant), explainer.is_valid(variant)
        # After a newline jsonschema-rs may only be the stricter (see the module's docstring).
        if judged != explained and not (label.endswith(_NEWLINE) and explained):
            disagreements.append(f"{label}: jsonschema-rs says {'valid' if judged else 'invalid'}, jsonschema the opposite")
    assert not disagreements, f"{schema}:\n" + "\n".join(disagreements)


@pytest.mark.parametrize(("schema", "instance"), _cases())
def test_violations_name_the_field_of_every_refused_variant(schema: str, instance: dict[str, Any]) -> None:
    for label, variant in _variants(instance):
        problems = schemas.violations(schema, variant)
        assert bool(problems) != schemas.fast_validator(schema).is_valid(variant), f"{schema} {label}: {problems}"
        assert all(problem.startswith("$") for problem in problems), f"{schema} {label}: {problems}"
