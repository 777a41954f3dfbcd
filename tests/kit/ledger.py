"""A small read model for the kit's tests: what each village recorded, and how often each event
took effect (``times`` must always be 1)."""

from __future__ import annotations

import asyncio
import os
from decimal import Decimal

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection


class PoisonError(ValueError):
    pass


class LedgerProjection(Projection):
    name = "ledger"
    ddl = """
    create table if not exists applied_events (
        event_id uuid primary key,
        village char(12) not null,
        chainseq bigint not null,
        times int not null
    );
    create table if not exists village_totals (
        village char(12) primary key,
        events int not null,
        amount numeric(14, 2) not null
    );
    """

    def __init__(self, topics: list[str], *, fixed: bool = False) -> None:
        super().__init__(topics)
        self.fixed = fixed
        # Lets a test kill the process while a batch is being applied.
        self.delay = float(os.environ.get("LEDGER_APPLY_DELAY", "0"))

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if event.data.get("poison") and not self.fixed:
            raise PoisonError(f"cannot apply {event.data.get('title')}")
        if self.delay:
            await asyncio.sleep(self.delay)
        await conn.execute(
            "insert into applied_events values ($1, $2, $3, 1) "
            "on conflict (event_id) do update set times = applied_events.times + 1",
            event.id,
            event.village,
            event.chainseq,
        )
        await conn.execute(
            "insert into village_totals values ($1, 1, $2) on conflict (village) do update "
            "set events = village_totals.events + 1, "
            "amount = village_totals.amount + excluded.amount",
            event.village,
            Decimal(event.data.get("amount", "0")),
        )


async def snapshot(conn: Connection, projection: Projection) -> dict[str, list[tuple[object, ...]]]:
    return {
        "applied_events": [
            tuple(r)
            for r in await conn.fetch(
                f"select * from {projection.table('applied_events')} order by 1"
            )
        ],
        "village_totals": [
            tuple(r)
            for r in await conn.fetch(
                f"select * from {projection.table('village_totals')} order by 1"
            )
        ],
    }
