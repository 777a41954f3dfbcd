"""The grid service's read models, one module each, served by one projection over grid.events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection

from ..domain.events import registry
from . import directory, issues, teams

Apply = Callable[[Connection, Envelope, object], Awaitable[None]]

HANDLERS: dict[str, Apply] = {**directory.HANDLERS, **teams.HANDLERS, **issues.HANDLERS}


class GridReadModel(Projection):
    """Grid directory with chiefs, team rosters and hours, and residents' issues."""

    name = "grid"
    ddl = directory.DDL + teams.DDL + issues.DDL

    async def apply(self, conn: Connection, event: Envelope) -> None:
        handler = HANDLERS.get(registry.upcast(event.type, event.data)[0])
        if handler is not None:
            await handler(conn, event, registry.parse(event.type, event.data))
