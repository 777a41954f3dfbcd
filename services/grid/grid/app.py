"""The grid service's composition root."""

from __future__ import annotations

from fastapi import FastAPI
from xiangzhi.app import ServiceParts
from xiangzhi.app import create_app as kit_create_app
from xiangzhi.projection import Projection
from xiangzhi.store import EventStore

from . import sla
from .api import open311, routes
from .domain.events import registry
from .domain.permissions import PERMISSIONS
from .party_copy import PartyCopy
from .policies import WorksCompletedPolicy
from .projections import GridReadModel
from .settings import GridSettings


def projections(settings: GridSettings, store: EventStore) -> list[Projection]:
    return [
        GridReadModel([settings.topic]),
        WorksCompletedPolicy([settings.livelihood_topic], store),
        PartyCopy([settings.party_topic]),
    ]


PARTS = ServiceParts[GridSettings](
    registry=registry,
    projections=projections,
    routers=[routes.router, routes.county],
    public_read_routers=[open311.router],
    permissions=PERMISSIONS,
    workers=[sla.watch],
    title="Xiangzhi grid · 网格化治理",
    description="Micro-grids, the three chiefs, volunteer teams and residents' issues.",
)


def create_app(settings: GridSettings | None = None) -> FastAPI:
    return kit_create_app(settings or GridSettings(), PARTS)
