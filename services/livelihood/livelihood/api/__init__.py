"""The livelihood service's HTTP API."""

from __future__ import annotations

from . import routes

ROUTERS = [routes.router, routes.county]
PUBLIC_READ_ROUTERS: list = []  # type: ignore[type-arg]
