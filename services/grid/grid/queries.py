"""Reads from the grid read model; every query names its village."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from xiangzhi.db import Connection, Pool

from .domain.events import Location
from .domain.issue import DUPLICATE_WINDOW, OPEN, NearbyIssue
from .projections import GridReadModel

T = GridReadModel([]).table  # proj_grid.<table>

OPEN_STATUSES = sorted(OPEN)


async def grids(pool: Pool, village: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"select g.*, coalesce(json_agg(json_build_object("
        f"'role', c.role, 'person_id', c.person_id, 'name', c.name, "
        f"'is_party_member', c.is_party_member, 'party_member_id', c.party_member_id, "
        f"'since', c.since) order by c.role) filter (where c.role is not null), '[]') as chiefs "
        f"from {T('grids')} g left join {T('chiefs')} c on c.grid_id = g.grid_id "
        "where g.village = $1 group by g.grid_id order by g.grid_id",
        village,
    )
    return [dict(r) for r in rows]


async def intake_grid(pool: Pool, village: str) -> str | None:
    """Where issues without a grid land first: the village's grid with the lowest code."""
    value = await pool.fetchval(
        f"select grid_id from {T('grids')} where village = $1 and level = 'grid' "
        "order by grid_id limit 1",
        village,
    )
    return str(value) if value else None


async def teams(pool: Pool, village: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"select t.team_id, t.name, t.kind, t.formed_at, "
        f"coalesce(sum(m.hours), 0) as hours, count(m.person_id) as member_count, "
        f"coalesce(json_agg(json_build_object('person_id', m.person_id, 'name', m.name, "
        f"'background', m.background, 'party_member_id', m.party_member_id, 'hours', m.hours) "
        f"order by m.person_id) filter (where m.person_id is not null), '[]') as members "
        f"from {T('teams')} t left join {T('team_members')} m "
        "on m.village = t.village and m.team_id = t.team_id "
        "where t.village = $1 group by t.village, t.team_id order by t.formed_at",
        village,
    )
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class IssueFilter:
    status: list[str] | None = None
    grid_id: str | None = None
    category: list[str] | None = None
    overdue: bool | None = None
    raised_after: datetime | None = None
    raised_before: datetime | None = None
    ids: list[str] | None = None
    raised_by: str | None = None


async def issues(
    pool: Pool, village: str, f: IssueFilter, *, limit: int, offset: int, now: datetime
) -> tuple[list[dict[str, Any]], int]:
    where = ["village = $1"]
    args: list[Any] = [village]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if f.status:
        where.append(f"status = any({arg(f.status)}::text[])")
    if f.grid_id:
        where.append(f"grid_id = {arg(f.grid_id)}")
    if f.category:
        where.append(f"category = any({arg(f.category)}::text[])")
    if f.ids:
        where.append(f"issue_id = any({arg(f.ids)}::text[])")
    if f.raised_by:
        where.append(f"raised_by = {arg(f.raised_by)}")
    if f.raised_after:
        where.append(f"raised_at >= {arg(f.raised_after)}")
    if f.raised_before:
        where.append(f"raised_at <= {arg(f.raised_before)}")
    if f.overdue is not None:
        overdue = f"(status = any({arg(OPEN_STATUSES)}::text[]) and due_at < {arg(now)})"
        where.append(overdue if f.overdue else f"not {overdue}")
    clause = " and ".join(where)
    total = await pool.fetchval(f"select count(*) from {T('issues')} where {clause}", *args)
    rows = await pool.fetch(
        f"select * from {T('issues')} where {clause} "
        f"order by raised_at desc, issue_id limit {arg(limit)} offset {arg(offset)}",
        *args,
    )
    return [dict(r) for r in rows], int(total)


async def issue(pool: Pool, village: str, issue_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f"select * from {T('issues')} where village = $1 and issue_id = $2", village, issue_id
    )
    return dict(row) if row else None


async def nearby_candidates(
    pool: Pool, village: str, category: str, now: datetime
) -> list[NearbyIssue]:
    """Earlier issues the duplicate rule should look at: same category, last 7 days, located."""
    rows = await pool.fetch(
        f"select issue_id, category, lat, lon, raised_at from {T('issues')} "
        "where village = $1 and category = $2 and raised_at >= $3 and lat is not null",
        village,
        category,
        now - DUPLICATE_WINDOW,
    )
    return [
        NearbyIssue(
            r["issue_id"], r["category"], Location(lat=r["lat"], lon=r["lon"]), r["raised_at"]
        )
        for r in rows
    ]


async def due_for_escalation(pool: Pool, at: datetime, limit: int = 500) -> list[tuple[str, str]]:
    """(village, issue) pairs whose next escalation level is due at ``at``.

    The next level falls due one SLA period after the last: at ``due_at`` for the village
    committee, ``due_at + SLA`` for the township, ``due_at + 2 SLA`` for the county.
    """
    rows = await pool.fetch(
        f"select village, issue_id from {T('issues')} "
        "where status = any($1::text[]) and level is distinct from 'county' "
        "and due_at + (due_at - raised_at) * (case level when 'village_committee' then 1 "
        "when 'township' then 2 else 0 end) <= $2 order by due_at limit $3",
        OPEN_STATUSES,
        at,
        limit,
    )
    return [(r["village"], r["issue_id"]) for r in rows]


async def statistics(
    pool: Pool, villages: Sequence[str], now: datetime
) -> dict[str, dict[str, Any]]:
    """村级统计 of each village named, by village code: five grouped statements whatever the
    number of villages, read from one snapshot. Every village named has its figures; one
    without any row has the figures of nothing (zero counts, no medians)."""
    codes = sorted(set(villages))
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        issue_rows = await conn.fetch(
            f"""
            select
                v.village,
                count(i.issue_id) as raised,
                count(*) filter (where i.status in ('resolved', 'confirmed', 'closed'))
                    as resolved,
                count(*) filter (where i.status = any($2::text[])) as open,
                count(*) filter (where i.status = any($2::text[]) and i.due_at < $3) as overdue,
                count(*) filter (where i.resolved_at is not null and i.resolved_at <= i.due_at)
                    as resolved_within_sla,
                percentile_cont(0.5) within group (
                    order by extract(epoch from i.first_assigned_at - i.raised_at) / 3600
                ) filter (where i.first_assigned_at is not null) as median_response_hours,
                percentile_cont(0.5) within group (
                    order by extract(epoch from i.resolved_at - i.raised_at) / 3600
                ) filter (where i.resolved_at is not null) as median_resolution_hours,
                avg(i.satisfaction) as mean_satisfaction,
                count(i.satisfaction) as confirmed
            from unnest($1::text[]) as v(village)
            left join {T("issues")} i on i.village = v.village
            group by v.village
            """,
            codes,
            OPEN_STATUSES,
            now,
        )
        grid_rows = await conn.fetch(
            f"select v.village, count(*) filter (where g.level = 'grid') as grids, "
            f"count(*) filter (where g.level = 'micro_grid') as micro_grids, "
            f"coalesce(sum(g.households) filter (where g.level = 'micro_grid'), 0) as households "
            f"from unnest($1::text[]) as v(village) "
            f"left join {T('grids')} g on g.village = v.village group by v.village",
            codes,
        )
        chief_rows = await conn.fetch(
            f"select v.village, coalesce(sum(c.held), 0) as chiefs, "
            f"count(*) filter (where c.held = 3) as fully_staffed "
            f"from unnest($1::text[]) as v(village) left join ("
            f"select village, grid_id, count(*) as held from {T('chiefs')} "
            f"where village in (select unnest($1::text[])) group by village, grid_id"
            f") c on c.village = v.village group by v.village",
            codes,
        )
        team_rows = await conn.fetch(
            f"select v.village, coalesce(t.teams, 0) as teams, "
            f"coalesce(m.volunteers, 0) as volunteers, coalesce(m.hours, 0) as hours "
            f"from unnest($1::text[]) as v(village) "
            f"left join (select village, count(*) as teams from {T('teams')} "
            f"where village in (select unnest($1::text[])) group by village) t "
            f"on t.village = v.village "
            f"left join (select village, count(*) as volunteers, sum(hours) as hours "
            f"from {T('team_members')} where village in (select unnest($1::text[])) "
            f"group by village) m on m.village = v.village",
            codes,
        )
        months = await issues_by_month(conn, codes, now)
    by_village: dict[str, dict[str, Any]] = {v: {} for v in codes}
    for rows in (issue_rows, grid_rows, chief_rows, team_rows):
        for r in rows:
            by_village[r["village"]].update(r)
    return {v: _figures(by_village[v], months[v], now) for v in codes}


def _figures(row: Mapping[str, Any], months: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    raised, resolved = int(row["raised"]), int(row["resolved"])
    return {
        "village": row["village"],
        "grids": int(row["grids"]),
        "micro_grids": int(row["micro_grids"]),
        "households": int(row["households"]),
        "chiefs": int(row["chiefs"]),
        "grids_with_three_chiefs": int(row["fully_staffed"]),
        "volunteer_teams": int(row["teams"]),
        "volunteers": int(row["volunteers"]),
        "volunteer_hours": Decimal(row["hours"]),
        "issues": {
            "raised": raised,
            "resolved": resolved,
            "open": int(row["open"]),
            "overdue": int(row["overdue"]),
            "resolved_within_sla": int(row["resolved_within_sla"]),
            "resolution_rate": _ratio(resolved, raised),
            "median_response_hours": _hours(row["median_response_hours"]),
            "median_resolution_hours": _hours(row["median_resolution_hours"]),
            "mean_satisfaction": (
                Decimal(row["mean_satisfaction"]).quantize(Decimal("0.01"))
                if row["mean_satisfaction"] is not None
                else None
            ),
            "confirmed": int(row["confirmed"]),
        },
        "issues_by_month": months,
        "as_of": now,
    }


async def issues_by_month(
    conn: Connection, villages: Sequence[str], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Issues raised and resolved in each of the twelve months up to ``now`` (UTC), months
    without any included, oldest first: each village's trend, by village."""
    rows = await conn.fetch(
        f"""
        with months as (
            select generate_series(
                date_trunc('month', $2::timestamptz at time zone 'UTC') - interval '11 months',
                date_trunc('month', $2::timestamptz at time zone 'UTC'),
                interval '1 month') as first
        ),
        since as (select min(first) at time zone 'UTC' as first from months),
        raised as (
            select village, date_trunc('month', raised_at at time zone 'UTC') as first,
                count(*) as n
            from {T("issues")} where village in (select unnest($1::text[]))
                and raised_at >= (select first from since)
            group by 1, 2
        ),
        resolved as (
            select village, date_trunc('month', resolved_at at time zone 'UTC') as first,
                count(*) as n
            from {T("issues")} where village in (select unnest($1::text[]))
                and resolved_at >= (select first from since)
            group by 1, 2
        )
        select v.village, to_char(m.first, 'YYYY-MM') as month,
            coalesce(r.n, 0) as raised, coalesce(s.n, 0) as resolved
        from unnest($1::text[]) as v(village) cross join months m
        left join raised r on r.village = v.village and r.first = m.first
        left join resolved s on s.village = v.village and s.first = m.first
        order by v.village, m.first
        """,
        villages,
        now,
    )
    out: dict[str, list[dict[str, Any]]] = {v: [] for v in villages}
    for r in rows:
        out[r["village"]].append(
            {"month": r["month"], "raised": r["raised"], "resolved": r["resolved"]}
        )
    return out


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def _hours(value: float | None) -> Decimal | None:
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else None
