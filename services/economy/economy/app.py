"""The economy service's composition root."""

from __future__ import annotations

from fastapi import FastAPI
from xiangzhi.app import ServiceParts
from xiangzhi.app import create_app as kit_create_app
from xiangzhi.deliberations import DeliberationCopy
from xiangzhi.projection import Projection
from xiangzhi.store import EventStore

from . import api
from .domain.events import registry
from .domain.permissions import PERMISSIONS
from .policies import ClearingIncome
from .projections import EconomyReadModel
from .settings import EconomySettings


def projections(settings: EconomySettings, store: EventStore) -> list[Projection]:
    return [
        EconomyReadModel([settings.topic]),
        DeliberationCopy([settings.party_topic]),
        ClearingIncome([settings.topic], store),
    ]


PARTS = ServiceParts[EconomySettings](
    registry=registry,
    projections=projections,
    routers=api.ROUTERS,
    public_read_routers=api.PUBLIC_READ_ROUTERS,
    permissions=PERMISSIONS,
    title="Xiangzhi economy · 集体经济",
    description="Collective contracts and their clearing, the income ledger, co-operatives and "
    "enterprises; the quarterly finance statement (财务公开).",
)


def create_app(settings: EconomySettings | None = None) -> FastAPI:
    return kit_create_app(settings or EconomySettings(), PARTS)
