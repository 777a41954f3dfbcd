"""Reactions to events, on the service's own copies of them.

- ``economy.contract.cleared`` records what the clearing brought the collective in the income
  ledger: the arrears recovered and the year's fee increase, each an entry whose id is derived
  from the campaign and contract — so a redelivered or replayed event (a rebuild) finds its
  entries recorded and adds nothing.

It runs as a policy (its own consumer group on economy's topic) rather than inside the clearing
command, so the ledger's entries carry the clearing as their cause, and the ledger can be built
again from the clearings alone.
"""

from __future__ import annotations

from prometheus_client import Counter
from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Policy

from . import handlers
from .domain import income
from .domain.commands import RecordIncome
from .domain.events import ContractCleared, registry

ALREADY = Counter(
    "economy_policy_income_already_recorded_total",
    "Clearing income entries found already recorded (a redelivery or a replay)",
)


class ClearingIncome(Policy):
    name = "clearing_income"
    actor = "policy:clearing_income"

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if not event.type.startswith("economy.contract.cleared."):
            return
        cleared = registry.parse(event.type, event.data)
        assert isinstance(cleared, ContractCleared)
        ctx = handlers.Context(
            store=self.store, village=event.village, meta=self.meta(event), conn=conn
        )
        for entry in income.from_clearing(cleared):
            if await handlers.income_recorded(ctx, entry.entry_id):
                ALREADY.inc()
                continue
            await _record(ctx, entry)


async def _record(ctx: handlers.Context, entry: RecordIncome) -> None:
    await ctx.execute(
        handlers.INCOME(entry.entry_id, ctx.village),
        fold=income.fold,
        # Dated the clearing's day: a replay long after still records what was decided then.
        decide=lambda s: income.record(s, entry, today=entry.received_on),
    )
