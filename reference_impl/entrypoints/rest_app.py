"""The REST surface (seed 003's gateway routes), served by FastAPI over the same service layer.

Errors leave as RFC 9457 Problem Details through the one mapping table in ``errors.py``.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from psycopg_pool import ConnectionPool

from reference_impl.adapters.clock import Clock
from reference_impl.config import Settings
from reference_impl.domain.errors import DomainError
from reference_impl.entrypoints.errors import to_problem
from reference_impl.entrypoints.profile_rest import profile_router
from reference_impl.service_layer.profile import ProfileService, ProfileSettings

PROBLEM_JSON = "application/problem+json"


def create_app(
    settings: Settings, registry: CollectorRegistry, pool: ConnectionPool, clock: Clock | None = None
) -> FastAPI:
    """Build the ASGI app; routes are added by the areas that own them."""
    app = FastAPI(title="Lingo reference", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.pool = pool

    @app.exception_handler(DomainError)
    async def problem_details(request: Request, error: DomainError) -> JSONResponse:
        # The decoded path may hold characters a URI reference may not; send it percent-encoded.
        status, body = to_problem(error, instance=quote(request.url.path, safe="/!$&'()*+,;=:@-._~"))
        return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)

    app.include_router(profile_router(ProfileService(pool, ProfileSettings.from_settings(settings))))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "serving"}

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    if settings.test_clock and clock is not None:

        @app.post("/_reference/clock/advance", include_in_schema=False)
        async def advance_clock(seconds: float) -> dict[str, str]:
            clock.advance(seconds)
            return {"now": clock.now().isoformat()}

    return app
