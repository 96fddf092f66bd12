"""The REST surface (seed 003's gateway routes), served by FastAPI over the same service layer.

Errors leave as RFC 9457 Problem Details through the one mapping table in ``errors.py``; the
framework's own refusals (unknown path, a parameter of the wrong type) and unexpected exceptions
(500 with a correlation id, the detail in the log) leave as Problem Details too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from psycopg_pool import ConnectionPool

from reference_impl.adapters.clock import Clock
from reference_impl.config import Settings
from reference_impl.domain.errors import DomainError, FieldViolation, InvalidArgument
from reference_impl.entrypoints.errors import to_problem, unexpected
from reference_impl.entrypoints.rest_limits import BodyLimit, problem
from reference_impl.entrypoints.profile_rest import profile_router
from reference_impl.service_layer.profile import ProfileService, ProfileSettings

PROBLEM_JSON = "application/problem+json"
#: The reference clock moves at most this far per call (a century), so a date stays representable.
MAX_CLOCK_STEP = 100 * 365 * 86400


def create_app(
    settings: Settings,
    registry: CollectorRegistry,
    pool: ConnectionPool,
    clock: Clock | None = None,
    metrics: Callable[[], tuple[bytes, str]] | None = None,
) -> FastAPI:
    """Build the ASGI app; routes are added by the areas that own them.

    ``/metrics`` shows ``registry``, or, given ``metrics`` (a REST worker, rest_workers.py), the
    (body, content type) that call returns: the parent process's metrics.
    """
    app = FastAPI(title="Lingo reference", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.pool = pool

    @app.exception_handler(DomainError)
    async def problem_details(request: Request, error: DomainError) -> JSONResponse:
        status, body = to_problem(error, instance=_instance(request))
        return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)

    @app.exception_handler(HTTPException)
    async def framework_refusal(request: Request, error: HTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        detail = "no such resource" if error.status_code == 404 else str(error.detail)
        body = problem(error.status_code, slug, detail, instance=_instance(request))
        return JSONResponse(body, status_code=error.status_code, media_type=PROBLEM_JSON, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, error: RequestValidationError) -> JSONResponse:
        violations = [
            FieldViolation(".".join(str(part) for part in e["loc"][1:]) or "request", str(e["msg"])) for e in error.errors()
        ]
        return await problem_details(request, InvalidArgument("ERROR_REASON_REQUEST_INVALID", "invalid request", tuple(violations)))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        status, body = to_problem(unexpected(error, f"{request.method} {request.url.path}"), instance=_instance(request))
        # Starlette raises the exception again once this answer is sent, and uvicorn then closes the
        # connection: say so, or a client reusing the connection meets a reset on its next request.
        return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers={"Connection": "close"})

    app.add_middleware(BodyLimit)

    app.include_router(profile_router(ProfileService(pool, ProfileSettings.from_settings(settings))))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "serving"}

    if metrics is None:

        @app.get("/metrics", include_in_schema=False)
        async def own_metrics() -> PlainTextResponse:
            return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    else:

        @app.get("/metrics", include_in_schema=False)
        def parent_metrics() -> Response:  # sync: FastAPI runs it on a thread, off the event loop
            body, media_type = metrics()
            return Response(body, media_type=media_type)

    if settings.test_clock and clock is not None:

        @app.post("/_reference/clock/advance", include_in_schema=False)
        async def advance_clock(seconds: float) -> dict[str, str]:
            if not (math.isfinite(seconds) and abs(seconds) <= MAX_CLOCK_STEP):
                msg = f"must be a number of seconds within ±{MAX_CLOCK_STEP}, got {seconds}"
                raise InvalidArgument("ERROR_REASON_REQUEST_INVALID", msg, (FieldViolation("seconds", msg),))
            clock.advance(seconds)
            return {"now": clock.now().isoformat()}

    return app


def _instance(request: Request) -> str:
    # The decoded path may hold characters a URI reference may not; send it percent-encoded.
    return quote(request.url.path, safe="/!$&'()*+,;=:@-._~")
