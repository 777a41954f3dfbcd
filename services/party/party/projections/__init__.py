"""The party service's read models, one module each, served by one projection over
party.events (its schema, ``proj_party``, is what the reads and the benchmarks query)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection

from ..domain.events import registry
from . import deliberations, notices, organisation, points, study

Apply = Callable[[Connection, Envelope, object], Awaitable[None]]

HANDLERS: dict[str, Apply] = {
    **points.HANDLERS,
    **organisation.HANDLERS,
    **study.HANDLERS,
    **deliberations.HANDLERS,
    **notices.HANDLERS,
}


class PartyReadModel(Projection):
    """Scores and rules, the organisation and its members, study days, deliberations, the
    points notices."""

    name = "party"
    ddl = points.DDL + study.DDL + organisation.DDL + deliberations.DDL + notices.DDL

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if not event.type.startswith("party."):
            return
        handler = HANDLERS.get(registry.upcast(event.type, event.data)[0])
        if handler is not None:
            await handler(conn, event, registry.parse(event.type, event.data))
