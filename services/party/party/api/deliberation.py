"""Deliberation over HTTP (协商): the six steps in order with 四议两公开; published
announcements are public (no login)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.deps import RuntimeDep, consistent_read
from xiangzhi.errors import DomainError
from xiangzhi.guard import requires

from .. import handlers, queries
from ..domain import commands as c
from ..domain import deliberation as d
from ..domain import permissions as perm
from ..domain.events import Step
from .deps import ContextDep, Id, Village
from .views import AnnouncementView

router = APIRouter(prefix="/villages/{village}", tags=["deliberation (协商)"])
public = APIRouter(prefix="/villages/{village}", tags=["announcements (public)"])


@router.post("/deliberations", status_code=201, dependencies=[requires(perm.OPEN_DELIBERATION)])
async def open_deliberation(
    village: Village, body: c.OpenDeliberation, ctx: ContextDep
) -> Accepted:
    """Open a deliberation: 民情恳谈, 百姓议事 or 妇女议事."""
    outcome = await handlers.open_deliberation(ctx, body)
    return accepted("party", outcome, body.deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/steps/{step}", dependencies=[requires(perm.COMPLETE_STEP)]
)
async def complete_step(
    village: Village, deliberation_id: Id, step: Step, body: c.CompleteStep, ctx: ContextDep
) -> Accepted:
    """Complete the next of the six steps (strictly in order)."""
    if step == "publish_announcement":
        # The sixth step is the announcement: the secretary's, at its own route.
        raise DomainError("the announcement is published at …/announcement", field="path.step")
    outcome = await handlers.on_deliberation(
        ctx, deliberation_id, lambda s: d.complete_step(s, step, body)
    )
    return accepted("party", outcome, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/party-meeting",
    dependencies=[requires(perm.RECORD_MEETING)],
)
async def party_meeting(
    village: Village, deliberation_id: Id, body: c.PartyMeeting, ctx: ContextDep
) -> Accepted:
    """四议: record the party members' meeting on the matter."""
    outcome = await handlers.on_deliberation(
        ctx, deliberation_id, lambda s: d.record_party_meeting(s, body)
    )
    return accepted("party", outcome, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/villagers-resolution",
    dependencies=[requires(perm.RECORD_MEETING)],
)
async def villagers_resolution(
    village: Village, deliberation_id: Id, body: c.VillagersMeeting, ctx: ContextDep
) -> Accepted:
    """四议: record the villagers' (representatives') meeting resolution."""
    outcome = await handlers.on_deliberation(
        ctx, deliberation_id, lambda s: d.record_villagers_resolution(s, body)
    )
    return accepted("party", outcome, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/announcement", dependencies=[requires(perm.ANNOUNCE)]
)
async def announce(
    village: Village, deliberation_id: Id, body: c.Announce, ctx: ContextDep
) -> Accepted:
    """发布公告: the sixth step; the announcement becomes public."""
    outcome = await handlers.on_deliberation(
        ctx, deliberation_id, lambda s: d.announce(s, body, now=datetime.now(UTC))
    )
    return accepted("party", outcome, deliberation_id)


@public.get("/announcements", dependencies=[consistent_read("party")])
async def announcements(village: Village, rt: RuntimeDep) -> list[AnnouncementView]:
    """The village's published announcements, newest first: readable by anyone, no login."""
    return [AnnouncementView(**row) for row in await queries.announcements(rt.pool, village)]
