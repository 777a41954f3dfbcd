"""Reads of the livelihood read model, for the routes."""

from __future__ import annotations

from datetime import date
from typing import Any

from xiangzhi.db import Pool

from .projections import LivelihoodReadModel

T = LivelihoodReadModel([]).table


async def works(
    pool: Pool, village: str, *, stage: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = "village = $1 and ($2::text is null or stage = $2)"
    rows = await pool.fetch(
        f"select * from {T('works')} where {where} order by works_id limit $3 offset $4",
        village, stage, limit, offset,
    )  # fmt: skip
    total = await pool.fetchval(f"select count(*) from {T('works')} where {where}", village, stage)
    return [dict(r) for r in rows], int(total)


async def one_works(pool: Pool, village: str, works_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f"select * from {T('works')} where village = $1 and works_id = $2", village, works_id
    )
    if row is None:
        return None
    log = await pool.fetch(
        f"select what, quantity, amount_yuan, note, photos, at from {T('works_log')} "
        "where village = $1 and works_id = $2 order by at, event_id",
        village, works_id,
    )  # fmt: skip
    return {**dict(row), "log": [dict(r) for r in log]}


async def remediation_totals(pool: Pool, village: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"select kind, sum(count)::int as count, sum(quantity) as quantity, min(unit) as unit "
        f"from {T('remediation')} where village = $1 group by kind order by kind",
        village,
    )
    return [dict(r) for r in rows]


async def remediation_actions(pool: Pool, village: str, campaign_id: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"select * from {T('remediation')} where village = $1 and campaign_id = $2 "
        "order by done_on, action_id",
        village, campaign_id,
    )  # fmt: skip
    return [dict(r) for r in rows]


async def practical(
    pool: Pool, village: str, *, overdue_on: date | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = "village = $1 and ($2::date is null or (done_on is null and deadline < $2))"
    rows = await pool.fetch(
        f"select * from {T('practical')} where {where} order by deadline, item_id "
        "limit $3 offset $4",
        village, overdue_on, limit, offset,
    )  # fmt: skip
    total = await pool.fetchval(
        f"select count(*) from {T('practical')} where {where}", village, overdue_on
    )
    return [dict(r) for r in rows], int(total)


async def statistics(pool: Pool, village: str, today: date) -> dict[str, Any]:
    by_stage = await pool.fetch(
        f"select stage, category, unit, count(*)::int as works, sum(planned_quantity) as planned, "
        f"sum(quantity_done) as done, coalesce(sum(cost_yuan), 0)::numeric(14, 2) as cost_yuan "
        f"from {T('works')} where village = $1 group by stage, category, unit "
        "order by stage, category, unit",
        village,
    )
    things = await pool.fetchrow(
        f"select count(*) filter (where done_on is not null)::int as done, "
        f"count(*) filter (where done_on is null and deadline < $2)::int as overdue, "
        f"count(*) filter (where done_on is null)::int as open "
        f"from {T('practical')} where village = $1",
        village, today,
    )  # fmt: skip
    assert things is not None
    return {
        "village": village,
        "works": [dict(r) for r in by_stage],
        "remediation": await remediation_totals(pool, village),
        "practical_things": dict(things),
    }
