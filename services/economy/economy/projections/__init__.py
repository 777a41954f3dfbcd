"""The economy service's read models, served by one projection over economy.events (schema
``proj_economy``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection

from ..domain.events import registry
from . import contracts, ledger

Apply = Callable[[Connection, Envelope, object], Awaitable[None]]

HANDLERS: dict[str, Apply] = {**contracts.HANDLERS, **ledger.HANDLERS}


class EconomyReadModel(Projection):
    """Assets, contracts, campaigns and clearings; the income ledger; co-operatives, enterprises."""

    name = "economy"
    ddl = contracts.DDL + ledger.DDL

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if not event.type.startswith("economy."):
            return
        handler = HANDLERS.get(registry.upcast(event.type, event.data)[0])
        if handler is not None:
            await handler(conn, event, registry.parse(event.type, event.data))
