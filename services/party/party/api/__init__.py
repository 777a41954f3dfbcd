"""The party service's HTTP API: thin routes, one module per part of the domain."""

from __future__ import annotations

from . import deliberation, organisation, points, study

ROUTERS = [points.router, study.router, deliberation.router, organisation.router]
PUBLIC_READ_ROUTERS = [deliberation.public, points.public]
