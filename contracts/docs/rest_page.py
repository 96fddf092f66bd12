"""The REST page: the OpenAPI 3.1 document rendered by Swagger UI from local files, and the Problem Details types.

Swagger UI's dist files come from the ``swagger-ui-bundle-v2`` package (Swagger UI 5, which reads
OpenAPI 3.1); the document is embedded as a script (``openapi.js``) rather than fetched, so the page
also works when opened from disk. "Try it out" is off: the page documents, it does not call.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import swagger_ui_bundle

ASSETS = "assets/swagger-ui"
_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")


def copy_assets(docs_dir: Path) -> None:
    """Copies Swagger UI's bundle, stylesheet and licence into the site."""
    source = Path(swagger_ui_bundle.swagger_ui_path)
    target = docs_dir / ASSETS
    target.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        shutil.copyfile(source / name, target / name)
    licences = list(Path(swagger_ui_bundle.__file__).resolve().parent.parent.glob("swagger_ui_bundle_v2-*.dist-info/licenses/LICENSE"))
    if licences:
        shutil.copyfile(licences[0], target / "LICENSE.txt")


def openapi_script(openapi: dict[str, Any]) -> str:
    return "window.lingoOpenapi = " + json.dumps(openapi, default=str) + ";\n"


def page(openapi: dict[str, Any], errors: dict[str, Any]) -> str:
    problem_types: dict[str, tuple[int, list[str]]] = {}
    for row in errors["errors"]:
        if row.get("problem"):
            status, reasons = problem_types.setdefault(row["problem"], (row["http"], []))
            reasons.append(row["reason"].rpartition(".")[2])
    lines = [
        "# REST",
        "",
        f"{openapi['info']['title']} {openapi['info']['version']}, OpenAPI {openapi['openapi']}: "
        "[openapi.yaml](openapi.yaml). Each operation names its gRPC twin in `x-grpc-method`; both surfaces agree on "
        "results and errors.",
        "",
        "## Problem Details types",
        "",
        "Errors are RFC 9457 Problem Details (`application/problem+json`, schema `Problem`): `type`, `title`, "
        "`status`, `detail`, `instance`, plus `reason` (the gRPC `ErrorInfo` reason of the same error) and `errors[]` "
        "(one entry per invalid field). Branch on `type`/`status`, then on `reason`; see [Errors](../errors.md).",
        "",
        f"Types are `{errors['problem_base']}<type>`.",
        "",
        "| type | status | reasons |",
        "|---|---|---|",
    ]
    for slug, (status, reasons) in problem_types.items():
        unique = ", ".join(f"`{r}`" for r in dict.fromkeys(reasons))
        lines.append(f"| `{slug}` | {status} | {unique} |")
    lines += [
        "",
        "## Operations",
        "",
        f'<link rel="stylesheet" href="../{ASSETS}/swagger-ui.css">',
        '<div id="swagger-ui"></div>',
        f'<script src="../{ASSETS}/swagger-ui-bundle.js"></script>',
        '<script src="openapi.js"></script>',
        "<script>",
        "window.addEventListener('load', function () {",
        "  SwaggerUIBundle({spec: window.lingoOpenapi, dom_id: '#swagger-ui', deepLinking: true,",
        "    validatorUrl: null, supportedSubmitMethods: [], defaultModelsExpandDepth: 0});",
        "});",
        "</script>",
        "",
    ]
    return "\n".join(lines)
