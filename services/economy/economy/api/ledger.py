"""The income ledger, co-operatives and enterprises over HTTP, and the village's figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.deps import CountyVillages, RuntimeDep, consistent_read
from xiangzhi.errors import NotFoundError
from xiangzhi.guard import requires

from .. import handlers, queries
from ..domain import commands as c
from ..domain import permissions as perm
from .deps import ContextDep, Id, Village
from .views import (
    CooperativeView,
    EconomyStats,
    EnterpriseView,
    IncomeYear,
    JobsPoint,
    YearTotals,
)

router = APIRouter(prefix="/villages/{village}", tags=["income, co-operatives, enterprises"])
# The county's reads: several villages in one answer (the gateway's county summary).
county = APIRouter(prefix="/counties/{county}", tags=["income, co-operatives, enterprises"])
READ = [consistent_read("economy")]
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.post("/income", status_code=201, dependencies=[requires(perm.RECORD_INCOME)])
async def record_income(village: Village, body: c.RecordIncome, ctx: ContextDep) -> Accepted:
    """Record an entry of collective income; an entry id recorded before is a conflict (409)."""
    return accepted("economy", await handlers.record_income(ctx, body), body.entry_id)


@router.get("/income", dependencies=READ)
async def income(
    village: Village,
    rt: RuntimeDep,
    year: Year = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> IncomeYear:
    """A year's income (this year's by default): totals by source and the entries."""
    chosen = year or datetime.now(UTC).year
    return IncomeYear(**await queries.income_year(rt.pool, village, chosen, limit, offset))


@router.get("/income/years", dependencies=READ)
async def income_years(village: Village, rt: RuntimeDep) -> list[YearTotals]:
    """Every year's total by source."""
    return [YearTotals(**y) for y in await queries.income_by_year(rt.pool, village)]


@router.get("/statistics", dependencies=READ)
async def statistics(village: Village, rt: RuntimeDep) -> EconomyStats:
    """The village's economy in figures, for the county view."""
    figures = await queries.statistics(rt.pool, [village], datetime.now(UTC).date())
    return EconomyStats(**figures[village])


@county.get("/statistics", dependencies=READ)
async def county_statistics(villages: CountyVillages, rt: RuntimeDep) -> dict[str, EconomyStats]:
    """Each village named in figures, by village code: the same figures as each village's own
    ``/statistics``, read together (every village must be of the county and one you may see)."""
    figures = await queries.statistics(rt.pool, villages, datetime.now(UTC).date())
    return {v: EconomyStats(**figures[v]) for v in villages}


@router.post("/cooperatives", status_code=201, dependencies=[requires(perm.REGISTER_COOPERATIVE)])
async def register_cooperative(
    village: Village, body: c.RegisterCooperative, ctx: ContextDep
) -> Accepted:
    """Register a co-operative (专业合作社) with its crops."""
    return accepted("economy", await handlers.register_cooperative(ctx, body), body.coop_id)


@router.post(
    "/cooperatives/{coop_id}/harvests",
    status_code=201,
    dependencies=[requires(perm.RECORD_HARVEST)],
)
async def record_harvest(
    village: Village, coop_id: Id, body: c.RecordHarvest, ctx: ContextDep
) -> Accepted:
    return accepted("economy", await handlers.record_harvest(ctx, coop_id, body), coop_id)


@router.post(
    "/cooperatives/{coop_id}/sales", status_code=201, dependencies=[requires(perm.RECORD_SALE)]
)
async def record_sale(
    village: Village, coop_id: Id, body: c.RecordSale, ctx: ContextDep
) -> Accepted:
    return accepted("economy", await handlers.record_sale(ctx, coop_id, body), coop_id)


@router.get("/cooperatives", dependencies=READ)
async def cooperatives(village: Village, rt: RuntimeDep) -> list[CooperativeView]:
    return [CooperativeView(**r) for r in await queries.cooperatives(rt.pool, village)]


@router.get("/cooperatives/{coop_id}", dependencies=READ)
async def cooperative(village: Village, coop_id: Id, rt: RuntimeDep) -> CooperativeView:
    rows = await queries.cooperatives(rt.pool, village, coop_id)
    if not rows:
        raise NotFoundError(f"no co-operative {coop_id} in village {village}")
    return CooperativeView(**rows[0])


@router.post("/enterprises", status_code=201, dependencies=[requires(perm.REGISTER_ENTERPRISE)])
async def register_enterprise(
    village: Village, body: c.RegisterEnterprise, ctx: ContextDep
) -> Accepted:
    return accepted("economy", await handlers.register_enterprise(ctx, body), body.enterprise_id)


@router.post(
    "/enterprises/{enterprise_id}/employment",
    status_code=201,
    dependencies=[requires(perm.RECORD_EMPLOYMENT)],
)
async def record_employment(
    village: Village, enterprise_id: Id, body: c.RecordEmployment, ctx: ContextDep
) -> Accepted:
    """How many of the village's people the enterprise employs, as of a day (就地就近就业)."""
    outcome = await handlers.record_employment(ctx, enterprise_id, body)
    return accepted("economy", outcome, enterprise_id)


@router.get("/enterprises", dependencies=READ)
async def enterprises(village: Village, rt: RuntimeDep) -> list[EnterpriseView]:
    """The enterprises, each with the latest count of villagers it employs."""
    return [EnterpriseView(**r) for r in await queries.enterprises(rt.pool, village)]


@router.get("/enterprises/{enterprise_id}/employment", dependencies=READ)
async def jobs(village: Village, enterprise_id: Id, rt: RuntimeDep) -> list[JobsPoint]:
    """Villagers employed over time."""
    return [JobsPoint(**r) for r in await queries.jobs(rt.pool, village, enterprise_id)]
