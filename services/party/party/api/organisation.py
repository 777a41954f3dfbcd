"""Party organisation and members over HTTP, the coverage of the village's grids (组织覆盖),
and the villagers' representatives' rotation (轮岗)."""

from __future__ import annotations

from fastapi import APIRouter
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.deps import RuntimeDep, consistent_read
from xiangzhi.guard import requires

from .. import handlers, queries
from ..domain import commands as c
from ..domain import permissions as perm
from ..domain.coverage import coverage as measure
from .deps import ContextDep, MemberId, Village
from .views import CoverageView

router = APIRouter(prefix="/villages/{village}", tags=["organisation (组织覆盖)"])


@router.post("/organizations", status_code=201, dependencies=[requires(perm.ESTABLISH_ORG)])
async def establish(village: Village, body: c.EstablishOrg, ctx: ContextDep) -> Accepted:
    """Set up the general branch, a branch, or a party group over a grid."""
    outcome = await handlers.establish_org(ctx, body)
    return accepted("party", outcome, body.org_id)


@router.post("/members", status_code=201, dependencies=[requires(perm.REGISTER_MEMBER)])
async def register(village: Village, body: c.RegisterMember, ctx: ContextDep) -> Accepted:
    """Register a party member (full or probationary; veterans marked)."""
    outcome = await handlers.register_member(ctx, body)
    return accepted("party", outcome, body.member_id)


@router.post("/members/{member_id}/transfer", dependencies=[requires(perm.TRANSFER_MEMBER)])
async def transfer(
    village: Village, member_id: MemberId, body: c.Transfer, ctx: ContextDep
) -> Accepted:
    """Move a member to another branch or party group."""
    outcome = await handlers.transfer_member(ctx, member_id, body)
    return accepted("party", outcome, member_id)


@router.get("/coverage", dependencies=[consistent_read("party")])
async def coverage(village: Village, rt: RuntimeDep) -> CoverageView:
    """党组织全覆盖: the village's micro-grids with and without a party group (grid's
    directory as grid's events told it, not a call into grid)."""
    grids = await queries.micro_grids(rt.pool, village)
    report = measure(grids, await queries.party_groups(rt.pool, village))
    return CoverageView(
        village=village,
        grids=len(grids),
        covered=list(report.covered),
        uncovered=list(report.uncovered),
        complete=report.complete,
    )


@router.post(
    "/representatives/rotation", status_code=201, dependencies=[requires(perm.SCHEDULE_ROTATION)]
)
async def schedule_turn(village: Village, body: c.ScheduleTurn, ctx: ContextDep) -> Accepted:
    """村民代表轮岗: give a villagers' representative a turn in the committee's work."""
    outcome = await handlers.schedule_rotation(ctx, body)
    return accepted("party", outcome, body.person_id)


@router.get("/representatives/rotation")
async def rotation_schedule(village: Village, rt: RuntimeDep) -> list[dict[str, str]]:
    """The rotation schedule, in the order of the turns."""
    return await queries.rotation(rt.store, village)
