"""schemathesis hooks for the REST run: one more check, that no error response leaks internals.

Loaded with ``SCHEMATHESIS_HOOKS=tests.contracts.schemathesis_hooks``; the pattern is the one the
gRPC fuzz campaign greps every refusal for (stack frames, SQL, exception class names).
"""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.fuzz.wire import LEAK


@schemathesis.check
def no_leaked_internals(ctx: Any, response: Any, case: Any) -> None:  # noqa: ARG001 - the check signature
    """An error response names no stack frame, SQL, exception class or module path."""
    if response.status_code < 400:
        return  # successful bodies echo what the client stored
    leaks = sorted({match.group(0) for match in LEAK.finditer(response.text)})
    if leaks:
        msg = f"{response.status_code} response leaks internals {leaks}: {response.text[:500]}"
        raise AssertionError(msg)
