"""The gateway's composition root: identity, routing, county views, one OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from xiangzhi.app import Runtime, ServiceParts
from xiangzhi.app import create_app as kit_create_app
from xiangzhi.auth import TokenIssuer, TokenVerifier
from xiangzhi.db import migrations_in

from . import api, openapi, proxy, web
from .keys import signing_keys
from .permissions import PERMISSIONS
from .ratelimit import RateLimiter
from .settings import GatewaySettings


@asynccontextmanager
async def _http(app: FastAPI, runtime: Runtime[GatewaySettings]) -> AsyncIterator[None]:
    settings: GatewaySettings = app.state.settings
    timeout = httpx.Timeout(settings.upstream_timeout_seconds, connect=2.0)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with (
        httpx.AsyncClient(timeout=timeout, limits=limits) as http,
        proxy.upstream_session(timeout_seconds=settings.upstream_timeout_seconds) as upstream,
    ):
        app.state.http = http  # county views, OpenAPI, administration
        app.state.upstream = upstream  # forwarding
        yield


PARTS = ServiceParts[GatewaySettings](
    migrations=migrations_in("gateway", resources.files("gateway") / "migrations"),
    # The gateway authenticates its own callers (callers.py): its token endpoint and Open311's
    # public reads must answer without a token, so the kit's guard is not put in front.
    open_routers=api.ROUTERS,
    permissions=PERMISSIONS,
    commands_without_permission=frozenset(
        {
            "/api/v1/auth/token",  # the way in: nobody is anybody yet
            "/api/v1/auth/revoke",  # the refresh token is the credential
            # Forwarded to the service, which enforces its own table (Open311's POST too).
            "/api/v1/villages/{village}/{service}/{path:path}",
            "/api/v1/open311/v2/villages/{village}/{path:path}",
        }
    ),
    resources=_http,
    title="Xiangzhi 乡治 API",
    description="The single public entry: identity, village scoping, routing and county views.",
)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    app = kit_create_app(settings, PARTS)
    private, public = signing_keys(settings)
    app.state.public_key = public
    app.state.issuer = TokenIssuer(
        private,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        ttl=settings.access_token_seconds,
    )
    app.state.own_verifier = TokenVerifier(
        public, issuer=settings.auth_issuer, audience=settings.auth_audience
    )
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    _merged_openapi(app, settings)
    web.mount(app, settings.web_root)  # last: its catch-all route must not shadow the API's
    return app


def _merged_openapi(app: FastAPI, settings: GatewaySettings) -> None:
    # The default route serves only the gateway's own operations; replace it.
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") != "/openapi.json"]

    @app.get("/openapi.json", include_in_schema=False)
    async def merged(request: Request) -> JSONResponse:
        documents = await openapi.fetch_all(request.app.state.http, settings.upstreams())
        own: dict[str, Any] = app.openapi()
        return JSONResponse(openapi.merge(own, documents))

    @app.get("/.well-known/xiangzhi-public-key.pem", include_in_schema=False)
    async def public_key() -> JSONResponse:
        """The key the services verify access tokens with."""
        return JSONResponse({"alg": "EdDSA", "pem": app.state.public_key})
