"""Public works, remediation and practical things over HTTP.

Approving works cites a deliberation: send party's consistency token
(``X-Consistency-Token``) to wait, bounded, until livelihood's copy of party's events has it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

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
    LivelihoodStats,
    PracticalPage,
    PracticalView,
    RemediationAction,
    RemediationTotal,
    WorksDetail,
    WorksPage,
    WorksView,
)

router = APIRouter(prefix="/villages/{village}", tags=["livelihood (民生)"])
# The county's reads: several villages in one answer (the gateway's county summary).
county = APIRouter(prefix="/counties/{county}", tags=["livelihood (民生)"])
READ = [consistent_read("livelihood")]
S = "livelihood"
Stage = Literal["proposed", "approved", "in_progress", "completed", "accepted"]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.post("/works", status_code=201, dependencies=[requires(perm.PROPOSE_WORKS)])
async def propose(village: Village, body: c.ProposeWorks, ctx: ContextDep) -> Accepted:
    """Propose public works (民生工程): the unit fits the category."""
    return accepted(S, await handlers.propose(ctx, body), body.works_id)


@router.post(
    "/works/{works_id}/approval",
    dependencies=[requires(perm.APPROVE_WORKS), consistent_read("party_copy")],
)
async def approve(
    village: Village, works_id: Id, body: c.ApproveWorks, ctx: ContextDep
) -> Accepted:
    """Approve on a deliberation that passed 四议两公开 (a township: county-funded works only)."""
    return accepted(S, await handlers.approve(ctx, works_id, body), works_id)


@router.post("/works/{works_id}/funding", status_code=201, dependencies=[requires(perm.FUND_WORKS)])
async def fund(village: Village, works_id: Id, body: c.FundWorks, ctx: ContextDep) -> Accepted:
    return accepted(S, await handlers.fund(ctx, works_id, body), works_id)


@router.post("/works/{works_id}/start", dependencies=[requires(perm.START_WORKS)])
async def start(village: Village, works_id: Id, body: c.StartWorks, ctx: ContextDep) -> Accepted:
    return accepted(S, await handlers.start(ctx, works_id, body), works_id)


@router.post(
    "/works/{works_id}/progress", status_code=201, dependencies=[requires(perm.REPORT_PROGRESS)]
)
async def progress(
    village: Village, works_id: Id, body: c.ReportProgress, ctx: ContextDep
) -> Accepted:
    """Quantity done so far (photos as references)."""
    return accepted(S, await handlers.report_progress(ctx, works_id, body), works_id)


@router.post("/works/{works_id}/change", dependencies=[requires(perm.APPROVE_CHANGE)])
async def change(
    village: Village, works_id: Id, body: c.ApproveChange, ctx: ContextDep
) -> Accepted:
    """An approved change of budget (and plan): what spending over the budget needs."""
    return accepted(S, await handlers.approve_change(ctx, works_id, body), works_id)


@router.post("/works/{works_id}/completion", dependencies=[requires(perm.COMPLETE_WORKS)])
async def complete(
    village: Village, works_id: Id, body: c.CompleteWorks, ctx: ContextDep
) -> Accepted:
    """Works completed: grid resolves the issues linked to them."""
    return accepted(S, await handlers.complete(ctx, works_id, body), works_id)


@router.post("/works/{works_id}/acceptance", dependencies=[requires(perm.ACCEPT_WORKS)])
async def accept(village: Village, works_id: Id, body: c.AcceptWorks, ctx: ContextDep) -> Accepted:
    """验收: passed, or failed and back in progress. Not by the contractor."""
    return accepted(S, await handlers.accept(ctx, works_id, body), works_id)


@router.get("/works", dependencies=READ)
async def works(
    village: Village, rt: RuntimeDep, stage: Stage | None = None, limit: Limit = 100,
    offset: Offset = 0,
) -> WorksPage:  # fmt: skip
    rows, total = await queries.works(rt.pool, village, stage=stage, limit=limit, offset=offset)
    return WorksPage(items=[WorksView(**r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/works/{works_id}", dependencies=READ)
async def one_works(village: Village, works_id: Id, rt: RuntimeDep) -> WorksDetail:
    row = await queries.one_works(rt.pool, village, works_id)
    if row is None:
        raise NotFoundError(f"no works {works_id} in village {village}")
    return WorksDetail(**row)


@router.post(
    "/remediation/campaigns", status_code=201, dependencies=[requires(perm.START_REMEDIATION)]
)
async def start_campaign(village: Village, body: c.StartRemediation, ctx: ContextDep) -> Accepted:
    """人居环境整治: a campaign and its partners (村企联建)."""
    return accepted(S, await handlers.start_remediation(ctx, body), body.campaign_id)


@router.post(
    "/remediation/campaigns/{campaign_id}/actions",
    status_code=201,
    dependencies=[requires(perm.RECORD_REMEDIATION)],
)
async def record(
    village: Village, campaign_id: Id, body: c.RecordRemediation, ctx: ContextDep
) -> Accepted:
    return accepted(S, await handlers.record_remediation(ctx, campaign_id, body), body.action_id)


@router.get("/remediation", dependencies=READ)
async def remediation(village: Village, rt: RuntimeDep) -> list[RemediationTotal]:
    """Totals by kind: garbage points, m³ of garbage, weed spots, buildings and m² …"""
    return [RemediationTotal(**r) for r in await queries.remediation_totals(rt.pool, village)]


@router.get("/remediation/campaigns/{campaign_id}/actions", dependencies=READ)
async def actions(village: Village, campaign_id: Id, rt: RuntimeDep) -> list[RemediationAction]:
    rows = await queries.remediation_actions(rt.pool, village, campaign_id)
    return [RemediationAction(**r) for r in rows]


@router.post("/practical-things", status_code=201, dependencies=[requires(perm.PROMISE)])
async def promise(village: Village, body: c.PromisePracticalThing, ctx: ContextDep) -> Accepted:
    """为民办实事: a resident's request (a resident asks in their own name) or a deliberation's
    decision, with an owner and a deadline."""
    return accepted(S, await handlers.promise(ctx, body), body.item_id)


@router.post("/practical-things/{item_id}/done", dependencies=[requires(perm.MARK_DONE)])
async def mark_done(
    village: Village, item_id: Id, body: c.PracticalThingDone, ctx: ContextDep
) -> Accepted:
    return accepted(S, await handlers.mark_done(ctx, item_id, body), item_id)


@router.post(
    "/practical-things/{item_id}/acknowledgement", dependencies=[requires(perm.ACKNOWLEDGE)]
)
async def acknowledge(
    village: Village, item_id: Id, body: c.Acknowledge, ctx: ContextDep
) -> Accepted:
    """The resident who asked says it is done."""
    return accepted(S, await handlers.acknowledge(ctx, item_id, body), item_id)


@router.get("/practical-things", dependencies=READ)
async def practical(
    village: Village, rt: RuntimeDep, overdue: bool = False, limit: Limit = 100,
    offset: Offset = 0,
) -> PracticalPage:  # fmt: skip
    """Every practical thing, or (``overdue=true``) those not done by their deadline."""
    today = datetime.now(UTC).date() if overdue else None
    rows, total = await queries.practical(
        rt.pool, village, overdue_on=today, limit=limit, offset=offset
    )
    return PracticalPage(
        items=[PracticalView(**r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/statistics", dependencies=READ)
async def statistics(village: Village, rt: RuntimeDep) -> LivelihoodStats:
    """Works by stage and category with quantities, remediation totals, practical things."""
    figures = await queries.statistics(rt.pool, [village], datetime.now(UTC).date())
    return LivelihoodStats(**figures[village])


@county.get("/statistics", dependencies=READ)
async def county_statistics(villages: CountyVillages, rt: RuntimeDep) -> dict[str, LivelihoodStats]:
    """Each village named in figures, by village code: the same figures as each village's own
    ``/statistics``, read together (every village must be of the county and one you may see)."""
    figures = await queries.statistics(rt.pool, villages, datetime.now(UTC).date())
    return {v: LivelihoodStats(**figures[v]) for v in villages}
