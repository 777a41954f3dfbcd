"""The party service's HTTP API: the points system (rules, scores that explain themselves,
rankings with stars) and the village's party statistics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.app import Runtime
from xiangzhi.deps import RuntimeDep, consistent_read
from xiangzhi.guard import caller, requires
from xiangzhi.text import StorableModel

from . import handlers
from .deps import ContextDep, MemberId, Village
from .domain import notice, points
from .domain import permissions as perm
from .domain.events import RuleCategory
from .projections import PartyReadModel

router = APIRouter(prefix="/villages/{village}", tags=["points (积分制)"])
T = PartyReadModel([]).table
READ = [consistent_read("party")]


def _thresholds(rt: Runtime) -> tuple[Decimal, ...]:
    return getattr(rt.settings, "star_thresholds", points.DEFAULT_STARS)


def _year() -> int:
    return datetime.now(UTC).year


class RuleIn(StorableModel):
    rule_id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=100)
    category: RuleCategory
    points: Decimal = Field(ge=-100, le=100, max_digits=6, decimal_places=2)
    cap_per_period: Decimal | None = Field(None, gt=0, le=1000, max_digits=7, decimal_places=2)


class ScoreIn(StorableModel):
    rule_id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    period: int = Field(ge=2000, le=2100)
    reason: str = Field(min_length=1, max_length=500)


class Entry(BaseModel):
    event_id: str
    points: Decimal
    rule_id: str
    rule_version: int
    reason: str
    source_event_id: str | None
    scored_at: datetime


class MemberPoints(BaseModel):
    member_id: str
    period: int
    total: Decimal
    stars: int
    entries: list[Entry]


class RankedView(BaseModel):
    member_id: str
    total: Decimal
    stars: int
    rank: int


@router.post("/points/rules", status_code=201, dependencies=[requires(perm.DEFINE_RULE)])
async def define_rule(
    village: Village, body: RuleIn, request: Request, ctx: ContextDep
) -> Accepted:
    """Define a rule, or a new version of one (the old version stays on the record)."""
    outcome = await handlers.define_rule(
        ctx, rule_id=body.rule_id, name=body.name,
        category=body.category, value=body.points, cap=body.cap_per_period,
    )  # fmt: skip
    return accepted("party", outcome, body.rule_id)


@router.post(
    "/members/{member_id}/scores", status_code=201, dependencies=[requires(perm.SCORE_MEMBER)]
)
async def score(
    village: Village, member_id: MemberId, body: ScoreIn, request: Request, ctx: ContextDep
) -> Accepted:
    """Score a member by a rule, with the reason."""
    await handlers.require_member(ctx, member_id, "member_id")
    outcome = await handlers.score(
        ctx, member_id=member_id, rule_id=body.rule_id,
        period=body.period, reason=body.reason,
    )  # fmt: skip
    return accepted("party", outcome, member_id)


@router.get("/members/{member_id}/points", dependencies=READ)
async def member_points(
    village: Village, member_id: MemberId, rt: RuntimeDep,
    period: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> MemberPoints:  # fmt: skip
    """A member's points for a year, each entry with its rule, version, reason and cause."""
    year = period or _year()
    rows = await rt.pool.fetch(
        f"select * from {T('scores')} where village = $1 and member_id = $2 and period = $3 "
        "order by scored_at, event_id",
        village, member_id, year,
    )  # fmt: skip
    total = sum((r["points"] for r in rows), Decimal(0))
    return MemberPoints(
        member_id=member_id, period=year, total=total, stars=points.stars(total, _thresholds(rt)),
        entries=[Entry(**{**dict(r), "event_id": str(r["event_id"])}) for r in rows],
    )  # fmt: skip


@router.get("/points/rankings", dependencies=READ)
async def rankings(
    village: Village, rt: RuntimeDep, period: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[RankedView]:
    """The village's members by their year's total, with their stars."""
    rows = await rt.pool.fetch(
        f"select member_id, sum(points) as total from {T('scores')} "
        "where village = $1 and period = $2 group by member_id",
        village, period or _year(),
    )  # fmt: skip
    ranked = points.ranking({r["member_id"]: r["total"] for r in rows}, _thresholds(rt))
    return [
        RankedView(member_id=r.member_id, total=r.total, stars=r.stars, rank=r.rank) for r in ranked
    ]


class PartyStats(BaseModel):
    village: str
    period: int
    members_scored: int
    points_total: Decimal
    stars: dict[int, int]


@router.get("/statistics", dependencies=READ)
async def statistics(
    village: Village, rt: RuntimeDep, period: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> PartyStats:
    """The village's points year in figures (for the county's side-by-side view)."""
    year = period or _year()
    ranked = await rankings(village, rt, year)
    distribution = {n: 0 for n in range(6)}
    for r in ranked:
        distribution[r.stars] += 1
    return PartyStats(
        village=village, period=year, members_scored=len(ranked),
        points_total=sum((r.total for r in ranked), Decimal(0)), stars=distribution,
    )  # fmt: skip


# ------------------------------------------------------------------ public notice (公示)


class PublishNotice(StorableModel):
    days: int = Field(ge=5, le=60, description="how long the notice runs (at least 5 days)")


class Objection(StorableModel):
    member_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    text: str = Field(min_length=1, max_length=2000)


class Answer(StorableModel):
    text: str = Field(min_length=1, max_length=2000)
    adjusted: bool = False
    points: Decimal | None = Field(
        None, ge=-100, le=100, max_digits=6, decimal_places=2,
        description="with adjusted: the points added to (or taken from) the member's year",
    )  # fmt: skip


Period = Annotated[int, Path(ge=2000, le=2100)]
ObjectionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,64}$")]


@router.post(
    "/points/notices/{period}", status_code=201, dependencies=[requires(perm.PUBLISH_NOTICE)]
)
async def publish_notice(
    village: Village, period: Period, body: PublishNotice, request: Request, ctx: ContextDep
) -> Accepted:
    """Put the year's totals up for public notice."""
    outcome = await handlers.on_notice(
        ctx, period,
        lambda s: notice.publish(s, period=period, now=datetime.now(UTC), days=body.days),
    )  # fmt: skip
    return accepted("party", outcome, str(period))


@router.post(
    "/points/notices/{period}/objections",
    status_code=201,
    dependencies=[requires(perm.OBJECT)],
)
async def object_to(
    village: Village, period: Period, body: Objection, request: Request, ctx: ContextDep
) -> Accepted:
    """Raise an objection while the notice runs (a party member of the village)."""
    objection_id = uuid.uuid4().hex[:12]
    who = caller(request)
    objector = who.person_id or who.subject
    if not await handlers.is_member(ctx, objector):
        raise perm.OBJECT.refuse("party_member", f"{objector} is not a registered party member")
    await handlers.require_member(ctx, body.member_id, "member_id")
    outcome = await handlers.on_notice(
        ctx, period,
        lambda s: notice.object_to(
            s, objection_id=objection_id, member_id=body.member_id,
            raised_by=objector, text=body.text, now=datetime.now(UTC),
        ),
    )  # fmt: skip
    return accepted("party", outcome, objection_id)


@router.post(
    "/points/notices/{period}/objections/{objection_id}/answer",
    dependencies=[requires(perm.ANSWER_OBJECTION)],
)
async def answer_objection(
    village: Village,
    period: Period,
    objection_id: ObjectionId,
    body: Answer,
    request: Request,
    ctx: ContextDep,
) -> Accepted:
    """Answer an objection (every one is answered before the notice closes)."""
    outcome = await handlers.answer_objection(
        ctx, period, objection_id=objection_id, text=body.text,
        adjusted=body.adjusted, adjustment=body.points,
    )  # fmt: skip
    return accepted("party", outcome, objection_id)


@router.post("/points/notices/{period}/close", dependencies=[requires(perm.CLOSE_NOTICE)])
async def close_notice(
    village: Village, period: Period, request: Request, ctx: ContextDep
) -> Accepted:
    """Close the notice once it has run its course with every objection answered."""
    outcome = await handlers.on_notice(
        ctx, period, lambda s: notice.close(s, now=datetime.now(UTC))
    )
    return accepted("party", outcome, str(period))
