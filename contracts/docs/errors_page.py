"""The Errors page: ``contracts/errors.yaml``'s reasons as one table, with the scenarios that pin each row,
then the refusals only the REST surface answers.

A scenario pins a row when one of its steps expects the row's reason and gRPC code
(``Then the call fails with ABORTED and reason "ERROR_REASON_..."``); a step whose code is an
outline placeholder (``<refusal>``) pins every row of that reason.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.docs.behaviours import Feature
from contracts.docs.markdown import cell

_EXPECTATION = re.compile(r'fails? with (?P<code>[A-Z_]+|<[^>]+>) and reason "(?P<reason>[A-Z0-9_]+)"')


def pinning(features: list[Feature]) -> dict[tuple[str, str], list]:
    """(reason name, gRPC code or '*') -> scenarios expecting it."""
    found: dict[tuple[str, str], list] = {}
    for feature in features:
        for scenario in feature.scenarios:
            for step in feature.background + scenario.steps:
                for match in _EXPECTATION.finditer(step):
                    code = "*" if match["code"].startswith("<") else match["code"]
                    found.setdefault((match["reason"], code), [])
                    if scenario not in found[(match["reason"], code)]:
                        found[(match["reason"], code)].append(scenario)
    return found


def page(table: dict[str, Any], features: list[Feature]) -> str:
    pins = pinning(features)
    base = table["problem_base"]
    lines = [
        "# Errors",
        "",
        "Every failed gRPC call carries a status code and a `google.rpc.ErrorInfo` detail whose `reason` is an "
        "`ErrorReason` value name (bad input adds a `google.rpc.BadRequest` naming each field). The same error over REST "
        "is an RFC 9457 Problem Details body (`application/problem+json`) with the same `reason` member. "
        f"Problem types are `{base}<type>`. Source: `contracts/errors.yaml`; reasons are defined in "
        "[video.v1](grpc/video.v1.md#video.v1.ErrorReason) and [profile.v1](grpc/profile.v1.md#profile.v1.ErrorReason).",
        "",
        "| gRPC code | ErrorInfo reason | Problem type | HTTP | when | pinned by |",
        "|---|---|---|---|---|---|",
    ]
    for row in table["errors"]:
        package, _, reason = row["reason"].rpartition(".")
        scenarios = pins.get((reason, row["grpc"]), []) + pins.get((reason, "*"), [])
        links = ", ".join(f"[{cell(s.name)}](behaviours/{s.area}.md#{s.anchor})" for s in scenarios) or "—"
        problem = f"`{row['problem']}`" if row.get("problem") else "—"
        lines.append(
            f"| `{row['grpc']}` | [`{reason}`](grpc/{package}.md#{package}.ErrorReason) | {problem} | {row['http']} "
            f"| {cell(row['when'])} | {links} |"
        )
    lines += [
        "",
        "## Refusals of the REST surface",
        "",
        "What only the REST surface answers: the HTTP layer's own refusals, and the 500 of an unexpected failure "
        "(on gRPC: `INTERNAL`, reason `INTERNAL`, a `RequestInfo` naming the same correlation id). Each is Problem "
        "Details too.",
        "",
        "| HTTP | Problem type | reason | when |",
        "|---|---|---|---|",
    ]
    for row in table["http_refusals"]:
        reason = f"`{row['reason']}`" if row.get("reason") else "—"
        lines.append(f"| {row['http']} | `{row['problem']}` | {reason} | {cell(row['when'])} |")
    return "\n".join(lines) + "\n"
