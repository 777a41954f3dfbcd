"""Reads of the party read model (and of party's copy of grid's directory), for the routes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xiangzhi.db import Connection, Pool
from xiangzhi.store import EventStore

from . import handlers
from .grid_copy import GridCopy
from .projections import PartyReadModel

T = PartyReadModel([]).table
G = GridCopy([]).table


async def scores(pool: Pool, village: str, member_id: str, period: int) -> list[dict[str, Any]]:
    """A member's entries of a year, oldest first."""
    rows = await pool.fetch(
        f"select * from {T('scores')} where village = $1 and member_id = $2 and period = $3 "
        "order by scored_at, event_id",
        village,
        member_id,
        period,
    )
    return [{**dict(r), "event_id": str(r["event_id"])} for r in rows]


async def totals(pool: Pool, village: str, period: int) -> dict[str, Decimal]:
    """Each scored member's total of a year."""
    rows = await pool.fetch(
        f"select member_id, sum(points) as total from {T('scores')} "
        "where village = $1 and period = $2 group by member_id",
        village,
        period,
    )
    return {r["member_id"]: r["total"] for r in rows}


async def county_totals(
    pool: Pool | Connection, villages: Sequence[str], period: int
) -> dict[str, dict[str, Decimal]]:
    """Each scored member's total of a year, by village, for the villages named."""
    rows = await pool.fetch(
        f"select village, member_id, sum(points) as total from {T('scores')} "
        "where village in (select unnest($1::text[])) and period = $2 group by village, member_id",
        list(villages),
        period,
    )
    out: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        out.setdefault(r["village"], {})[r["member_id"]] = r["total"]
    return out


async def announcements(pool: Pool, village: str) -> list[dict[str, Any]]:
    """The village's published announcements, newest first."""
    rows = await pool.fetch(
        "select deliberation_id, topic, kind, announcement, published_at "
        f"from {T('deliberations')} "
        "where village = $1 and announcement is not null order by published_at desc",
        village,
    )
    return [dict(r) for r in rows]


async def micro_grids(pool: Pool, village: str) -> list[str]:
    """The village's micro-grids, as grid's events told party's copy of its directory."""
    return (await micro_grids_of(pool, [village]))[village]


async def micro_grids_of(pool: Pool | Connection, villages: Sequence[str]) -> dict[str, list[str]]:
    """Each village's micro-grids (none for a village grid has not told of), by village."""
    rows = await pool.fetch(
        f"select village, grid_id from {G('grids')} "
        "where village in (select unnest($1::text[])) and level = 'micro_grid'",
        list(villages),
    )
    out: dict[str, list[str]] = {v: [] for v in villages}
    for r in rows:
        out[r["village"]].append(r["grid_id"])
    return out


async def party_groups(pool: Pool, village: str) -> dict[str, str]:
    """The village's party groups bound to a grid, and the grid each is over."""
    return (await party_groups_of(pool, [village]))[village]


async def party_groups_of(
    pool: Pool | Connection, villages: Sequence[str]
) -> dict[str, dict[str, str]]:
    """Each village's party groups bound to a grid and the grid each is over, by village."""
    rows = await pool.fetch(
        f"select village, org_id, grid_id from {T('organizations')} "
        "where village in (select unnest($1::text[])) and kind = 'party_group' "
        "and grid_id is not null",
        list(villages),
    )
    out: dict[str, dict[str, str]] = {v: {} for v in villages}
    for r in rows:
        out[r["village"]][r["org_id"]] = r["grid_id"]
    return out


@dataclass(frozen=True)
class VillageFigures:
    """What a village's statistics are made of: its members' totals of the year, its
    micro-grids and its party groups over them."""

    totals: dict[str, Decimal] = field(default_factory=dict)
    micro_grids: list[str] = field(default_factory=list)
    party_groups: dict[str, str] = field(default_factory=dict)


async def statistics(pool: Pool, villages: Sequence[str], period: int) -> dict[str, VillageFigures]:
    """Each village's figures of the year, by village: three grouped statements whatever the
    number of villages, from one snapshot; a village without any row has empty figures."""
    codes = sorted(set(villages))
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        totals = await county_totals(conn, codes, period)
        grids = await micro_grids_of(conn, codes)
        groups = await party_groups_of(conn, codes)
    return {v: VillageFigures(totals.get(v, {}), grids[v], groups[v]) for v in codes}


async def rotation(store: EventStore, village: str) -> list[dict[str, str]]:
    """The representatives' turns, in their order (the schedule is one short stream)."""
    turns = await store.read_stream(str(handlers.ROTATION(village)))
    return sorted(
        ({k: str(v) for k, v in t.data.items()} for t in turns if t.village == village),
        key=lambda t: (t["starts_on"], t["person_id"]),
    )


async def activity_year(store: EventStore, village: str, activity_id: str) -> int | None:
    """The year an activity was held in (attendance scores that year), if it was held."""
    held = await store.read_stream(str(handlers.ACTIVITY(activity_id, village)))
    return int(held[0].data["date"][:4]) if held else None


async def member_names(pool: Pool, village: str) -> dict[str, str]:
    """The village's party members' names by id (what the rankings and the notice print)."""
    rows = await pool.fetch(
        f"select member_id, name from {T('members')} where village = $1", village
    )
    return {r["member_id"]: r["name"] for r in rows}


async def notices(pool: Pool, village: str) -> list[dict[str, Any]]:
    """The village's points notices, newest year first, each with its objections in the order
    they were raised (the objected-to member's name, never the objector)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        published = await conn.fetch(
            f"select period, published_at, ends_at, closed_at from {T('points_notices')} "
            "where village = $1 order by period desc",
            village,
        )
        objections = await conn.fetch(
            "select o.period, o.objection_id, o.member_id, m.name as member_name, o.raised_at, "
            "o.answered_at, o.answer, o.adjusted, o.points "
            f"from {T('notice_objections')} o left join {T('members')} m "
            "on m.village = o.village and m.member_id = o.member_id "
            "where o.village = $1 order by o.raised_at, o.objection_id",
            village,
        )
    by_period: dict[int, list[dict[str, Any]]] = {}
    for o in objections:
        objection = dict(o)
        by_period.setdefault(objection.pop("period"), []).append(objection)
    return [{**dict(n), "objections": by_period.get(n["period"], [])} for n in published]
