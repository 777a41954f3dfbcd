"""Reads of the livelihood read model, for the routes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from xiangzhi.db import Connection, Pool

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
    return (await remediation_totals_of(pool, [village]))[village]


async def remediation_totals_of(
    pool: Pool | Connection, villages: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each village's remediation totals by kind (none for a village without any), by village."""
    rows = await pool.fetch(
        f"select village, kind, sum(count)::int as count, sum(quantity) as quantity, "
        f"min(unit) as unit from {T('remediation')} where village in (select unnest($1::text[])) "
        "group by village, kind order by village, kind",
        list(villages),
    )
    out: dict[str, list[dict[str, Any]]] = {v: [] for v in villages}
    for r in rows:
        total = dict(r)
        out[total.pop("village")].append(total)
    return out


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


async def statistics(pool: Pool, villages: Sequence[str], today: date) -> dict[str, dict[str, Any]]:
    """Each village's works, remediation and practical things in figures, by village code:
    three grouped statements whatever the number of villages, from one snapshot; a village
    without any row has no works, no remediation and zero practical things."""
    codes = sorted(set(villages))
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        by_stage = await conn.fetch(
            f"select village, stage, category, unit, count(*)::int as works, "
            f"sum(planned_quantity) as planned, sum(quantity_done) as done, "
            f"coalesce(sum(cost_yuan), 0)::numeric(14, 2) as cost_yuan "
            f"from {T('works')} where village in (select unnest($1::text[])) "
            "group by village, stage, category, unit order by village, stage, category, unit",
            codes,
        )
        things = await conn.fetch(
            f"select v.village, "
            f"count(*) filter (where p.done_on is not null)::int as done, "
            f"count(*) filter (where p.done_on is null and p.deadline < $2)::int as overdue, "
            f"count(*) filter (where p.item_id is not null and p.done_on is null)::int as open "
            f"from unnest($1::text[]) as v(village) "
            f"left join {T('practical')} p on p.village = v.village group by v.village",
            codes,
            today,
        )
        remediation = await remediation_totals_of(conn, codes)
    works: dict[str, list[dict[str, Any]]] = {v: [] for v in codes}
    for r in by_stage:
        figures = dict(r)
        works[figures.pop("village")].append(figures)
    return {
        r["village"]: {
            "village": r["village"],
            "works": works[r["village"]],
            "remediation": remediation[r["village"]],
            "practical_things": {k: r[k] for k in ("done", "overdue", "open")},
        }
        for r in things
    }
