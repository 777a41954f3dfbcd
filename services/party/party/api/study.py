"""Study days over HTTP (两日活动): theme party days, party lessons, study tours; attendance."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.deps import RuntimeDep
from xiangzhi.guard import requires

from .. import handlers, queries
from ..domain import commands as c
from ..domain import permissions as perm
from .deps import ContextDep, Id, Village

router = APIRouter(prefix="/villages/{village}", tags=["study days (两日活动)"])


@router.post("/activities", status_code=201, dependencies=[requires(perm.HOLD_ACTIVITY)])
async def hold_activity(village: Village, body: c.HoldActivity, ctx: ContextDep) -> Accepted:
    """Record a study day; a party lesson scores its lecturer."""
    outcome = await handlers.hold_activity(ctx, body)
    return accepted("party", outcome, body.activity_id)


@router.post(
    "/activities/{activity_id}/attendance",
    status_code=201,
    dependencies=[requires(perm.ATTEND_ACTIVITY)],
)
async def attend(
    village: Village, activity_id: Id, body: c.Attend, ctx: ContextDep, rt: RuntimeDep
) -> Accepted:
    """Record that a member attended; attending scores study by the rule."""
    period = await queries.activity_year(rt.store, village, activity_id)
    outcome = await handlers.attend_activity(
        ctx, activity_id, body, period=period or datetime.now(UTC).year
    )
    return accepted("party", outcome, activity_id)
