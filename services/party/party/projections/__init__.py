"""The party service's read models, one module each, served by one projection over
party.events (its schema, ``proj_party``, is what the reads and the benchmarks query)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection

from ..domain.events import registry
from . import deliberations, notices, organisation, points, study

Apply = Callable[[Connection, Envelope, object], Awaitable[None]]
ApplyMany = Callable[[Connection, Sequence[tuple[Envelope, object]]], Awaitable[None]]

HANDLERS: dict[str, Apply] = {
    **points.HANDLERS,
    **organisation.HANDLERS,
    **study.HANDLERS,
    **deliberations.HANDLERS,
    **notices.HANDLERS,
}
# Event types whose rows a run of consecutive events writes in one statement (a policy's
# catch-up scores thousands of members in a row).
MANY: dict[str, ApplyMany] = {**points.MANY}


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

    async def apply_batch(self, conn: Connection, events: Sequence[Envelope]) -> None:
        """As ``apply`` event by event, but a run of consecutive events of a type in ``MANY``
        is written together: the order of effects is the events' order either way."""
        run: list[tuple[Envelope, object]] = []
        run_type = ""
        for event in events:
            kind = (
                registry.upcast(event.type, event.data)[0]
                if event.type.startswith("party.")
                else ""
            )
            if run and kind != run_type:
                await MANY[run_type](conn, run)
                run = []
            if kind in MANY:
                run_type = kind
                run.append((event, registry.parse(event.type, event.data)))
            else:
                await self.apply(conn, event)
        if run:
            await MANY[run_type](conn, run)
