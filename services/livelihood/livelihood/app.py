"""The livelihood service's composition root."""

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
from .policies import EscalationPolicy, PlanPolicy
from .projections import LivelihoodReadModel
from .settings import LivelihoodSettings


def projections(settings: LivelihoodSettings, store: EventStore) -> list[Projection]:
    return [
        LivelihoodReadModel([settings.topic]),
        DeliberationCopy([settings.party_topic]),
        EscalationPolicy([settings.grid_topic], store),
        PlanPolicy([settings.party_topic], store),
    ]


PARTS = ServiceParts[LivelihoodSettings](
    registry=registry,
    projections=projections,
    routers=api.ROUTERS,
    public_read_routers=api.PUBLIC_READ_ROUTERS,
    permissions=PERMISSIONS,
    title="Xiangzhi livelihood · 民生",
    description="Public works from proposal to acceptance, environment remediation, practical "
    "things done for the people.",
)


def create_app(settings: LivelihoodSettings | None = None) -> FastAPI:
    return kit_create_app(settings or LivelihoodSettings(), PARTS)
