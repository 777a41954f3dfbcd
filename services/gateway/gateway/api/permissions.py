"""The platform's permission table (权限表): the gateway's own and every service's, together."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from xiangzhi.permissions import ROLE_NAMES, RULES

from .. import permissions as perm
from ..callers import limit
from .deps import PREFIX, client, settings

router = APIRouter(prefix=PREFIX, tags=["identity"])


@router.get("/permissions")
async def permissions(request: Request) -> dict[str, Any]:
    """Who may issue each command of the platform (权限表): the gateway's and every service's
    own table, as each service serves and enforces it. Public: the rules are no secret."""
    limit(request, f"permissions:{client(request)}")
    http = request.app.state.http

    async def one(service: str, base: str) -> tuple[str, list[dict[str, Any]] | None]:
        try:
            response = await http.get(f"{base}/permissions")
            response.raise_for_status()
        except Exception:  # down or refusing: its part of the table is missing this time
            return service, None
        return service, response.json()

    results = await asyncio.gather(*(one(s, b) for s, b in settings(request).upstreams().items()))
    tables = {"gateway": perm.PERMISSIONS.as_json()}
    tables.update({service: table for service, table in results if table is not None})
    missing = sorted(service for service, table in results if table is None)
    return {
        "roles": dict(ROLE_NAMES),
        "rules": dict(RULES),
        "services": tables,
        "partial": bool(missing),
        "missing": missing,
    }
