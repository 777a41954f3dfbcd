"""Commands of the party service: load, decide, append (through the kit)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xiangzhi.aggregate import Outcome, execute, load
from xiangzhi.db import Connection
from xiangzhi.store import EventMeta, EventStore

from . import catalogue as standard
from .domain import points
from .domain.events import PointsRuleDefined, registry


@dataclass(frozen=True)
class Context:
    store: EventStore
    village: str
    meta: EventMeta
    conn: Connection | None = None


def catalogue_stream(village: str) -> str:
    return f"points-catalogue-{village}"


def ledger_stream(village: str, member_id: str) -> str:
    return f"points-ledger-{village}-{member_id}"


def _fold_catalogue(events: object) -> points.Catalogue:
    state = points.Catalogue()
    for event in events:  # type: ignore[attr-defined]
        assert isinstance(event, PointsRuleDefined)
        state = state.define(event)
    return state


async def catalogue(ctx: Context) -> points.Catalogue:
    """The village's catalogue; the county's standard rules are defined on first use."""
    history, version = await load(
        ctx.store, registry, catalogue_stream(ctx.village), ctx.village, conn=ctx.conn
    )
    state = _fold_catalogue(history)
    if version == 0:
        new: list[PointsRuleDefined] = []
        for rule_id, (name, category, value, cap) in standard.STANDARD.items():
            new += points.define_rule(
                state,
                rule_id=rule_id,
                name=name,
                category=category,
                points=value,
                cap_per_period=cap,
            )
        await ctx.store.append(
            catalogue_stream(ctx.village), 0, new, village=ctx.village, meta=ctx.meta, conn=ctx.conn
        )
        state = _fold_catalogue(new)
    return state


async def define_rule(
    ctx: Context, *, rule_id: str, name: str, category: str, value: Decimal, cap: Decimal | None
) -> Outcome:
    await catalogue(ctx)
    return await execute(
        ctx.store, registry, catalogue_stream(ctx.village), village=ctx.village, meta=ctx.meta,
        fold=_fold_catalogue,
        decide=lambda s: points.define_rule(
            s, rule_id=rule_id, name=name, category=category, points=value, cap_per_period=cap,  # type: ignore[arg-type]
        ),
        conn=ctx.conn,
    )  # fmt: skip


async def score(
    ctx: Context,
    *,
    member_id: str,
    rule_id: str,
    period: int,
    reason: str,
    source_event_id: str | None = None,
) -> Outcome:
    rule = (await catalogue(ctx)).in_force(rule_id)
    return await execute(
        ctx.store, registry, ledger_stream(ctx.village, member_id), village=ctx.village,
        meta=ctx.meta, fold=points.fold,
        decide=lambda ledger: points.score(
            ledger, rule, member_id=member_id, period=period, reason=reason,
            source_event_id=source_event_id,
        ),
        conn=ctx.conn,
    )  # fmt: skip
