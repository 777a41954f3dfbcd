"""The party service's composition root."""

from __future__ import annotations

from fastapi import FastAPI
from xiangzhi.app import ServiceParts
from xiangzhi.app import create_app as kit_create_app
from xiangzhi.projection import Projection
from xiangzhi.store import EventStore

from . import api
from .domain.events import registry
from .domain.permissions import PERMISSIONS
from .grid_copy import GridCopy
from .policies import GridPolicies
from .projections import PartyReadModel
from .settings import PartySettings


def projections(settings: PartySettings, store: EventStore) -> list[Projection]:
    return [
        PartyReadModel([settings.topic]),
        GridPolicies([settings.grid_topic], store),
        GridCopy([settings.grid_topic]),
    ]


PARTS = ServiceParts[PartySettings](
    registry=registry,
    projections=projections,
    routers=api.ROUTERS,
    public_read_routers=api.PUBLIC_READ_ROUTERS,
    permissions=PERMISSIONS,
    title="Xiangzhi party · 党建",
    description="The points system, study days and deliberation over the grids.",
)


def create_app(settings: PartySettings | None = None) -> FastAPI:
    return kit_create_app(settings or PartySettings(), PARTS)
