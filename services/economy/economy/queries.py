"""Reads of the economy read model, for the routes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from xiangzhi.db import Connection, Pool

from .domain.events import SOURCES
from .projections import EconomyReadModel

T = EconomyReadModel([]).table
ZERO = Decimal("0.00")

SOURCE_LABELS = {
    "contract_fee": "承包费 (contract fees)",
    "arrears": "追缴欠款 (recovered arrears)",
    "enterprise": "企业上缴 (enterprise)",
    "tourism": "乡村旅游 (tourism)",
    "subsidy": "补助 (subsidies)",
    "cooperative_dividend": "合作社分红 (co-operative dividend)",
    "other": "其他 (other)",
}


def by_source(rows: list[Any]) -> list[dict[str, Any]]:
    """Every source, in the catalogue's order, with zero where nothing was received."""
    amounts = {r["source"]: r["amount"] for r in rows}
    return [
        {"source": s, "label": SOURCE_LABELS[s], "amount_yuan": amounts.get(s, ZERO)}
        for s in SOURCES
    ]


async def assets(pool: Pool, village: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"select * from {T('assets')} where village = $1 order by asset_id", village
    )
    return [dict(r) for r in rows]


async def contracts(
    pool: Pool,
    village: str,
    *,
    status: str | None,
    campaign_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = (
        "village = $1 and ($2::text is null or status = $2) "
        "and ($3::text is null or campaign_id = $3)"
    )
    rows = await pool.fetch(
        f"select * from {T('contracts')} where {where} order by contract_id limit $4 offset $5",
        village,
        status,
        campaign_id,
        limit,
        offset,
    )
    total = await pool.fetchval(
        f"select count(*) from {T('contracts')} where {where}", village, status, campaign_id
    )
    return [dict(r) for r in rows], int(total)


async def contract(pool: Pool, village: str, contract_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f"select * from {T('contracts')} where village = $1 and contract_id = $2",
        village,
        contract_id,
    )
    if row is None:
        return None
    steps = await pool.fetch(
        f"select * from {T('rectifications')} where village = $1 and contract_id = $2 "
        "order by at, event_id",
        village,
        contract_id,
    )
    return {**dict(row), "rectifications": [dict(s) for s in steps]}


async def campaigns(
    pool: Pool, village: str, campaign_id: str | None = None
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"""
        select c.campaign_id, c.name, c.year, c.starts_on,
            (select count(*) from {T("reviews")} r
                where r.village = c.village and r.campaign_id = c.campaign_id) as reviewed,
            (select count(*) from {T("reviews")} r where r.village = c.village
                and r.campaign_id = c.campaign_id and cardinality(r.findings) > 0) as with_findings,
            (select count(*) from {T("reviews")} r where r.village = c.village
                and r.campaign_id = c.campaign_id and cardinality(r.findings) > 0
                and cardinality(r.open_findings) = 0) as rectified,
            count(k.contract_id) as cleared,
            coalesce(sum(k.area_mu), 0) as cleared_area_mu,
            coalesce(sum(k.recovered_income_yuan), 0) as recovered_income_yuan,
            coalesce(sum(k.arrears_recovered_yuan), 0) as arrears_recovered_yuan,
            coalesce(sum(k.fee_increase_yuan), 0) as fee_increase_yuan
        from {T("campaigns")} c
        left join {T("clearings")} k on k.village = c.village and k.campaign_id = c.campaign_id
        where c.village = $1 and ($2::text is null or c.campaign_id = $2)
        group by c.village, c.campaign_id, c.name, c.year, c.starts_on
        order by c.starts_on, c.campaign_id
        """,
        village,
        campaign_id,
    )
    return [dict(r) for r in rows]


async def income_year(
    pool: Pool, village: str, year: int, limit: int, offset: int
) -> dict[str, Any]:
    # The totals and the page from one snapshot: read apart, an entry applied in between would
    # be in the page and not in the total.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await _income_year(conn, village, year, limit, offset)


async def _income_year(
    pool: Connection, village: str, year: int, limit: int, offset: int
) -> dict[str, Any]:
    totals = await pool.fetch(
        f"select source, sum(amount_yuan) as amount from {T('income')} "
        "where village = $1 and year = $2 group by source",
        village,
        year,
    )
    entries = await pool.fetch(
        f"select * from {T('income')} where village = $1 and year = $2 "
        "order by received_on, entry_id limit $3 offset $4",
        village,
        year,
        limit,
        offset,
    )
    count = await pool.fetchval(
        f"select count(*) from {T('income')} where village = $1 and year = $2", village, year
    )
    return {
        "year": year,
        "total_yuan": sum((r["amount"] for r in totals), ZERO),
        "by_source": by_source(list(totals)),
        "entries": [dict(e) for e in entries],
        "entries_total": int(count),
        "limit": limit,
        "offset": offset,
    }


async def income_by_year(pool: Pool, village: str) -> list[dict[str, Any]]:
    return (await incomes_by_year(pool, [village]))[village]


async def incomes_by_year(
    pool: Pool | Connection, villages: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Every year's total by source, for each village named (none for a village without
    income), by village."""
    rows = await pool.fetch(
        f"select village, year, source, sum(amount_yuan) as amount from {T('income')} "
        "where village in (select unnest($1::text[])) "
        "group by village, year, source order by village, year",
        list(villages),
    )
    years: dict[str, dict[int, list[Any]]] = {v: {} for v in villages}
    for r in rows:
        years[r["village"]].setdefault(r["year"], []).append(r)
    return {
        village: [
            {
                "year": year,
                "total_yuan": sum((r["amount"] for r in group), ZERO),
                "by_source": by_source(group),
            }
            for year, group in sorted(of.items())
        ]
        for village, of in years.items()
    }


async def cooperatives(
    pool: Pool, village: str, coop_id: str | None = None
) -> list[dict[str, Any]]:
    coops = await pool.fetch(
        f"select * from {T('cooperatives')} where village = $1 and ($2::text is null or "
        "coop_id = $2) order by coop_id",
        village,
        coop_id,
    )
    out = []
    for coop in coops:
        harvests = await pool.fetch(
            f"select * from {T('harvests')} where village = $1 and coop_id = $2 "
            "order by harvested_on, harvest_id",
            village,
            coop["coop_id"],
        )
        sales = await pool.fetch(
            f"select * from {T('sales')} where village = $1 and coop_id = $2 "
            "order by sold_on, sale_id",
            village,
            coop["coop_id"],
        )
        out.append(
            {
                **dict(coop),
                "harvests": [dict(h) for h in harvests],
                "sales": [dict(s) for s in sales],
                "sales_yuan": sum((s["amount_yuan"] for s in sales), ZERO),
            }
        )
    return out


async def enterprises(pool: Pool, village: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"""
        select e.*, j.villagers_employed, j.as_of from {T("enterprises")} e
        left join lateral (select villagers_employed, as_of from {T("employment")} x
            where x.village = e.village and x.enterprise_id = e.enterprise_id
            order by as_of desc limit 1) j on true
        where e.village = $1 order by e.enterprise_id
        """,
        village,
    )
    return [dict(r) for r in rows]


async def jobs(pool: Pool, village: str, enterprise_id: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"select as_of, villagers_employed from {T('employment')} "
        "where village = $1 and enterprise_id = $2 order by as_of",
        village,
        enterprise_id,
    )
    return [dict(r) for r in rows]


async def statistics(pool: Pool, villages: Sequence[str], today: date) -> dict[str, dict[str, Any]]:
    """Each village's economy in figures, by village code: three grouped statements whatever
    the number of villages, from one snapshot; a village without any row has zero figures."""
    codes = sorted(set(villages))
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(
            f"""
            select v.village,
                coalesce(k.registered, 0) as registered,
                coalesce(c.cleared, 0) as cleared,
                coalesce(c.cleared_area_mu, 0) as cleared_area_mu,
                coalesce(c.recovered_income_yuan, 0) as recovered_income_yuan,
                coalesce(k.in_rectification, 0) as in_rectification,
                coalesce(o.cooperatives, 0) as cooperatives,
                coalesce(e.enterprises, 0) as enterprises,
                coalesce(j.employed, 0) as employed
            from unnest($1::text[]) as v(village)
            left join (
                select village, count(*) as registered,
                    count(*) filter (where status = 'rectifying') as in_rectification
                from {T("contracts")} where village in (select unnest($1::text[])) group by village
            ) k on k.village = v.village
            left join (
                select village, count(distinct contract_id) as cleared,
                    sum(area_mu) as cleared_area_mu,
                    sum(recovered_income_yuan) as recovered_income_yuan
                from {T("clearings")} where village in (select unnest($1::text[])) group by village
            ) c on c.village = v.village
            left join (
                select village, count(*) as cooperatives from {T("cooperatives")}
                where village in (select unnest($1::text[])) group by village
            ) o on o.village = v.village
            left join (
                select village, count(*) as enterprises from {T("enterprises")}
                where village in (select unnest($1::text[])) group by village
            ) e on e.village = v.village
            left join (
                select village, sum(villagers_employed) as employed from (
                    select distinct on (village, enterprise_id) village, villagers_employed
                    from {T("employment")} where village in (select unnest($1::text[]))
                    order by village, enterprise_id, as_of desc
                ) latest group by village
            ) j on j.village = v.village
            """,
            codes,
        )
        years = await incomes_by_year(conn, codes)
        months = await income_by_month(conn, codes, today)
    return {
        r["village"]: {
            "village": r["village"],
            "contracts": {
                k: r[k]
                for k in (
                    "registered",
                    "cleared",
                    "cleared_area_mu",
                    "recovered_income_yuan",
                    "in_rectification",
                )
            },
            "income_by_year": years[r["village"]],
            "income_by_month": months[r["village"]],
            "cooperatives": r["cooperatives"],
            "enterprises": r["enterprises"],
            "villagers_employed": int(r["employed"]),
        }
        for r in rows
    }


async def income_by_month(
    conn: Connection, villages: Sequence[str], today: date
) -> dict[str, list[dict[str, Any]]]:
    """Income received in each of the twelve months up to ``today``, months without any
    included, oldest first: each village's trend, by village."""
    rows = await conn.fetch(
        f"""
        with months as (
            select generate_series(
                date_trunc('month', $2::date::timestamp) - interval '11 months',
                date_trunc('month', $2::date::timestamp), interval '1 month') as first
        ),
        received as (
            select village, date_trunc('month', received_on::timestamp) as first,
                sum(amount_yuan) as amount
            from {T("income")} where village in (select unnest($1::text[]))
                and received_on >= (select min(first) from months)
            group by 1, 2
        )
        select v.village, to_char(m.first, 'YYYY-MM') as month,
            coalesce(r.amount, 0.00) as amount_yuan
        from unnest($1::text[]) as v(village) cross join months m
        left join received r on r.village = v.village and r.first = m.first
        order by v.village, m.first
        """,
        list(villages),
        today,
    )
    out: dict[str, list[dict[str, Any]]] = {v: [] for v in villages}
    for r in rows:
        out[r["village"]].append({"month": r["month"], "amount_yuan": r["amount_yuan"]})
    return out


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, last


async def statement(pool: Pool, village: str, year: int, quarter: int) -> dict[str, Any]:
    """The quarter's income (by the day it was received) and the contracts cleared in it;
    contractors are not named on the public statement."""
    first, after = quarter_bounds(year, quarter)
    totals = await pool.fetch(
        f"select source, sum(amount_yuan) as amount from {T('income')} "
        "where village = $1 and received_on >= $2 and received_on < $3 group by source",
        village,
        first,
        after,
    )
    cleared = await pool.fetch(
        f"select k.contract_id, c.asset_id, c.asset_kind, k.area_mu, k.annual_fee_yuan, "
        f"k.recovered_income_yuan, k.cleared_on from {T('clearings')} k "
        f"join {T('contracts')} c on c.village = k.village and c.contract_id = k.contract_id "
        "where k.village = $1 and k.cleared_on >= $2 and k.cleared_on < $3 "
        "order by k.cleared_on, k.contract_id",
        village,
        first,
        after,
    )
    return {
        "village": village,
        "year": year,
        "quarter": quarter,
        "income": by_source(list(totals)),
        "total_yuan": sum((r["amount"] for r in totals), ZERO),
        "cleared": [dict(r) for r in cleared],
        "cleared_area_mu": sum((r["area_mu"] for r in cleared), ZERO),
        "recovered_income_yuan": sum((r["recovered_income_yuan"] for r in cleared), ZERO),
    }
