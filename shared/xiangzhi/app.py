"""The app factory: one place where a service's resources are created and released."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .settings import ServiceSettings


def create_app(settings: ServiceSettings) -> FastAPI:
    """A FastAPI app whose database pool lives exactly as long as the app (the lifespan)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(settings.postgres_dsn, min_size=1, max_size=10)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(title=f"xiangzhi {settings.service_name}", lifespan=lifespan)
    app.state.settings = settings

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": settings.service_name}

    @app.get("/ready", tags=["operations"], response_model=None)
    async def ready(request: Request) -> Any:
        """Readiness: the service's database accepts queries."""
        try:
            await request.app.state.pool.fetchval("select 1")
        except (OSError, asyncpg.PostgresError) as exc:
            return JSONResponse(
                {"status": "unavailable", "service": settings.service_name, "reason": str(exc)},
                status_code=503,
            )
        return {"status": "ready", "service": settings.service_name}

    return app
