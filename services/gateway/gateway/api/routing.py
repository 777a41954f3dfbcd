"""Routing to the services, and Open311 at a stable public URL: the caller is authenticated and
scoped to the village here, before anything is forwarded (``proxy.relay``)."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Request, Response
from xiangzhi.guard import check_village

from ..callers import Caller, authenticate, limit, upstream_token
from ..proxy import relay
from .deps import PREFIX, Service, Village, client, settings

router = APIRouter(prefix=PREFIX)


@router.api_route(
    "/villages/{village}/{service}/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    tags=["routing"],
    include_in_schema=False,  # the services' own operations appear in the merged document
)
async def forward(
    village: Village, service: Service, path: str, request: Request, who: Caller
) -> Response:
    check_village(who, village, request.method)  # before any upstream call: no data, no timing
    config = settings(request)
    base = config.upstreams()[service]
    # A file import checks and appends every row of a register in one transaction: minutes,
    # not the seconds any other call is given.
    long = request.method == "POST" and path.endswith("/import")
    return await relay(
        request,
        service,
        f"{base}/villages/{village}/{quote(path)}",
        token=upstream_token(request, who),
        timeout=config.upstream_import_timeout_seconds if long else None,
    )


@router.get(
    "/public/villages/{village}/{service}/{path:path}", tags=["routing"], include_in_schema=False
)
async def public(village: Village, service: Service, path: str, request: Request) -> Response:
    """村务公开: what a service publishes to everyone (party's announcements, economy's finance
    statement), read without logging in. Forwarded without a token: the service answers only
    its public routes so, and 401 to anything else."""
    limit(request, f"public:{client(request)}")
    base = settings(request).upstreams()[service]
    return await relay(request, service, f"{base}/villages/{village}/{quote(path)}", token=None)


@router.api_route(
    "/open311/v2/villages/{village}/{path:path}",
    methods=["GET", "POST"],
    tags=["Open311 GeoReport v2"],
    include_in_schema=False,
)
async def open311(village: Village, path: str, request: Request) -> Response:
    """Open311 at a stable public URL; reads are public, a POST carries ``api_key``."""
    base = f"{settings(request).grid_url}/open311/v2/villages/{village}/{quote(path)}"
    if request.method == "GET":
        limit(request, f"open311:{client(request)}")
        return await relay(request, "grid", base, token=None)
    fields = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    api_key = next((v for k, v in fields if k == "api_key"), None)
    who = await authenticate(request, api_key=api_key)
    check_village(who, village, "POST")
    # The key stays here: the service behind sees a token, never the caller's secret.
    body = urlencode([(k, v) for k, v in fields if k != "api_key"]).encode()
    return await relay(request, "grid", base, token=upstream_token(request, who), body=body)
