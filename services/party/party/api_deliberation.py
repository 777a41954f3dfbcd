"""Study days and deliberation over HTTP; published announcements are public (no login)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.deps import RuntimeDep, consistent_read
from xiangzhi.errors import DomainError
from xiangzhi.guard import requires
from xiangzhi.text import StorableModel

from . import handlers
from .deps import ContextDep, Village
from .domain import deliberation as d
from .domain import permissions as perm
from .domain.events import QA, ActivityKind, DeliberationKind, Matter, Step
from .projections import PartyReadModel

router = APIRouter(prefix="/villages/{village}")
public = APIRouter(prefix="/villages/{village}", tags=["announcements (public)"])
Id = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,64}$")]
T = PartyReadModel([]).table


# ------------------------------------------------------------------ study days


class HoldActivity(StorableModel):
    activity_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    kind: ActivityKind
    title: str = Field(min_length=1, max_length=200)
    date: date
    lecturer_member_id: str | None = Field(None, max_length=64)
    destination: str | None = Field(None, max_length=100)


class Attend(StorableModel):
    member_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")


@router.post(
    "/activities",
    status_code=201,
    tags=["study days (两日活动)"],
    dependencies=[requires(perm.HOLD_ACTIVITY)],
)
async def hold_activity(village: Village, body: HoldActivity, ctx: ContextDep) -> Accepted:
    """Record a study day; a party lesson scores its lecturer."""
    outcome = await handlers.hold_activity(
        ctx, activity_id=body.activity_id, kind=body.kind,
        title=body.title, on=body.date, lecturer=body.lecturer_member_id,
        destination=body.destination, period=body.date.year,
    )  # fmt: skip
    return accepted("party", outcome, body.activity_id)


@router.post(
    "/activities/{activity_id}/attendance",
    status_code=201,
    tags=["study days (两日活动)"],
    dependencies=[requires(perm.ATTEND_ACTIVITY)],
)
async def attend(
    village: Village, activity_id: Id, body: Attend, ctx: ContextDep, rt: RuntimeDep
) -> Accepted:
    """Record that a member attended; attending scores study by the rule."""
    held = await rt.store.read_stream(handlers.activity_stream(village, activity_id))
    period = int(held[0].data["date"][:4]) if held else datetime.now(UTC).year
    outcome = await handlers.attend_activity(
        ctx,
        activity_id=activity_id,
        member_id=body.member_id,
        period=period,
    )
    return accepted("party", outcome, activity_id)


# ------------------------------------------------------------------ deliberation


class OpenDeliberation(StorableModel):
    deliberation_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    kind: DeliberationKind
    topic: str = Field(min_length=1, max_length=200)
    matter: Matter


class CompleteStep(StorableModel):
    summary: str = Field(min_length=1, max_length=4000)
    questions: tuple[QA, ...] = ()
    plan_items: tuple[str, ...] = ()
    works_items: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()


class PartyMeeting(StorableModel):
    members_total: int = Field(ge=1, le=10_000)
    attending: int = Field(ge=0, le=10_000)
    agreeing: int = Field(ge=0, le=10_000)


class VillagersMeeting(StorableModel):
    representatives: bool
    votes_for: int = Field(ge=0, le=100_000)
    votes_against: int = Field(ge=0, le=100_000)


class Announce(StorableModel):
    text: str = Field(min_length=1, max_length=8000)


@router.post(
    "/deliberations",
    status_code=201,
    tags=["deliberation (协商)"],
    dependencies=[requires(perm.OPEN_DELIBERATION)],
)
async def open_deliberation(village: Village, body: OpenDeliberation, ctx: ContextDep) -> Accepted:
    """Open a deliberation: 民情恳谈, 百姓议事 or 妇女议事."""
    outcome = await handlers.open_deliberation(
        ctx, deliberation_id=body.deliberation_id, kind=body.kind,
        topic=body.topic, matter=body.matter,
    )  # fmt: skip
    return accepted("party", outcome, body.deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/steps/{step}",
    tags=["deliberation (协商)"],
    dependencies=[requires(perm.COMPLETE_STEP)],
)
async def complete_step(
    village: Village,
    deliberation_id: Id,
    step: Step,
    body: CompleteStep,
    ctx: ContextDep,
) -> Accepted:
    """Complete the next of the six steps (strictly in order)."""
    if step == "publish_announcement":
        # The sixth step is the announcement: the secretary's, at its own route.
        raise DomainError("the announcement is published at …/announcement", field="path.step")
    outcome = await handlers.on_deliberation(
        ctx, deliberation_id,
        lambda s: d.complete_step(
            s, step=step, summary=body.summary, questions=body.questions,
            plan_items=body.plan_items, works_items=body.works_items, attachments=body.attachments,
        ),
    )  # fmt: skip
    return accepted("party", outcome, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/party-meeting",
    tags=["deliberation (协商)"],
    dependencies=[requires(perm.RECORD_MEETING)],
)
async def party_meeting(
    village: Village, deliberation_id: Id, body: PartyMeeting, ctx: ContextDep
) -> Accepted:
    """四议: record the party members' meeting on the matter."""
    outcome = await handlers.on_deliberation(
        ctx, deliberation_id,
        lambda s: d.record_party_meeting(
            s, members_total=body.members_total, attending=body.attending, agreeing=body.agreeing
        ),
    )  # fmt: skip
    return accepted("party", outcome, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/villagers-resolution",
    tags=["deliberation (协商)"],
    dependencies=[requires(perm.RECORD_MEETING)],
)
async def villagers_resolution(
    village: Village, deliberation_id: Id, body: VillagersMeeting, ctx: ContextDep
) -> Accepted:
    """四议: record the villagers' (representatives') meeting resolution."""
    outcome = await handlers.on_deliberation(
        ctx, deliberation_id,
        lambda s: d.record_villagers_resolution(
            s, representatives=body.representatives, votes_for=body.votes_for,
            votes_against=body.votes_against,
        ),
    )  # fmt: skip
    return accepted("party", outcome, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/announcement",
    tags=["deliberation (协商)"],
    dependencies=[requires(perm.ANNOUNCE)],
)
async def announce(
    village: Village, deliberation_id: Id, body: Announce, ctx: ContextDep
) -> Accepted:
    """发布公告: the sixth step; the announcement becomes public."""
    outcome = await handlers.on_deliberation(
        ctx,
        deliberation_id,
        lambda s: d.announce(s, text=body.text, now=datetime.now(UTC)),
    )
    return accepted("party", outcome, deliberation_id)


class AnnouncementView(BaseModel):
    deliberation_id: str
    topic: str
    kind: str
    announcement: str
    published_at: datetime


@public.get("/announcements", dependencies=[consistent_read("party")])
async def announcements(village: Village, rt: RuntimeDep) -> list[AnnouncementView]:
    """The village's published announcements, newest first: readable by anyone, no login."""
    rows = await rt.pool.fetch(
        "select deliberation_id, topic, kind, announcement, published_at "
        f"from {T('deliberations')} "
        "where village = $1 and announcement is not null order by published_at desc",
        village,
    )
    return [AnnouncementView(**dict(r)) for r in rows]
