"""The points system over HTTP (积分制): rules, scores that explain themselves, rankings with
stars, the year in figures, and the public notice (公示) with its objections."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.app import Runtime
from xiangzhi.deps import CountyVillages, RuntimeDep, consistent_read
from xiangzhi.guard import caller, requires
from xiangzhi.ids import ID_PATTERN

from .. import handlers, queries
from ..domain import commands as c
from ..domain import notice, points
from ..domain import permissions as perm
from ..domain.coverage import coverage
from ..settings import PartySettings
from .deps import ContextDep, MemberId, Village
from .views import (
    CoverageFigures,
    Entry,
    MemberPoints,
    NoticeMember,
    NoticeObjection,
    NoticeView,
    PartyStats,
    RankedView,
)

# One router for the app (its routes flat, as the kit checks them): the village's points, and
# the county's ranking of several villages.
router = APIRouter(tags=["points (积分制)"])
public = APIRouter(tags=["points notice (public)"])
READ = [consistent_read("party")]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Period = Annotated[int, Path(ge=2000, le=2100)]
ObjectionId = Annotated[str, Path(pattern=ID_PATTERN)]


class CountyRankedView(RankedView):
    village: str
    village_rank: int


def _thresholds(rt: Runtime[PartySettings]) -> tuple[Decimal, ...]:
    return tuple(rt.settings.star_thresholds)


def _year() -> int:
    return datetime.now(UTC).year


@router.post(
    "/villages/{village}/points/rules", status_code=201, dependencies=[requires(perm.DEFINE_RULE)]
)
async def define_rule(village: Village, body: c.DefineRule, ctx: ContextDep) -> Accepted:
    """Define a rule, or a new version of one (the old version stays on the record)."""
    outcome = await handlers.define_rule(
        ctx,
        rule_id=body.rule_id,
        name=body.name,
        category=body.category,
        value=body.points,
        cap=body.cap_per_period,
    )
    return accepted("party", outcome, body.rule_id)


@router.post(
    "/villages/{village}/members/{member_id}/scores",
    status_code=201,
    dependencies=[requires(perm.SCORE_MEMBER)],
)
async def score(village: Village, member_id: MemberId, body: c.Score, ctx: ContextDep) -> Accepted:
    """Score a member by a rule, with the reason."""
    await handlers.require_member(ctx, member_id, "member_id")
    outcome = await handlers.score(
        ctx,
        member_id=member_id,
        rule_id=body.rule_id,
        period=body.period,
        reason=body.reason,
    )
    return accepted("party", outcome, member_id)


@router.get("/villages/{village}/members/{member_id}/points", dependencies=READ)
async def member_points(
    village: Village, member_id: MemberId, rt: RuntimeDep, period: Year = None
) -> MemberPoints:
    """A member's points for a year, each entry with its rule, version, reason and cause."""
    year = period or _year()
    entries = await queries.scores(rt.pool, village, member_id, year)
    total = sum((e["points"] for e in entries), Decimal(0))
    return MemberPoints(
        member_id=member_id,
        period=year,
        total=total,
        stars=points.stars(total, _thresholds(rt)),
        entries=[Entry(**e) for e in entries],
    )


@router.get("/villages/{village}/points/rankings", dependencies=READ)
async def rankings(village: Village, rt: RuntimeDep, period: Year = None) -> list[RankedView]:
    """The village's members by their year's total, with their stars."""
    totals = await queries.totals(rt.pool, village, period or _year())
    names = await queries.member_names(rt.pool, village)
    return [
        RankedView(
            member_id=r.member_id,
            name=names.get(r.member_id),
            total=r.total,
            stars=r.stars,
            rank=r.rank,
        )
        for r in points.ranking(totals, _thresholds(rt))
    ]


@router.get("/counties/{county}/points/rankings", dependencies=READ)
async def county_rankings(
    villages: CountyVillages, rt: RuntimeDep, period: Year = None
) -> list[CountyRankedView]:
    """The members of the villages named ranked together by the village ranking's rule, each
    with their rank in their village (the county view the gateway composes). Every village
    must be of the county and one you may see."""
    totals = await queries.county_totals(rt.pool, villages, period or _year())
    ranked = points.county_ranking(totals, _thresholds(rt))
    return [CountyRankedView(**asdict(r)) for r in ranked]


@router.get("/villages/{village}/statistics", dependencies=READ)
async def statistics(village: Village, rt: RuntimeDep, period: Year = None) -> PartyStats:
    """The village's points year in figures (for the county's side-by-side view)."""
    return (await _statistics(rt, [village], period or _year()))[village]


@router.get("/counties/{county}/statistics", dependencies=READ)
async def county_statistics(
    villages: CountyVillages, rt: RuntimeDep, period: Year = None
) -> dict[str, PartyStats]:
    """Each village named in figures, by village code: the same figures as each village's own
    ``/statistics``, read together (every village must be of the county and one you may see)."""
    return await _statistics(rt, villages, period or _year())


async def _statistics(
    rt: Runtime[PartySettings], villages: list[str], year: int
) -> dict[str, PartyStats]:
    thresholds = _thresholds(rt)
    figures = await queries.statistics(rt.pool, villages, year)
    out = {}
    for village in villages:
        of = figures[village]
        distribution = {n: 0 for n in range(6)}
        for total in of.totals.values():
            distribution[points.stars(total, thresholds)] += 1
        report = coverage(of.micro_grids, of.party_groups)
        out[village] = PartyStats(
            village=village,
            period=year,
            members_scored=len(of.totals),
            points_total=sum(of.totals.values(), Decimal(0)),
            stars=distribution,
            coverage=CoverageFigures(
                grids=len(of.micro_grids), covered=len(report.covered), complete=report.complete
            ),
        )
    return out


# ------------------------------------------------------------------ public notice (公示)


@public.get("/villages/{village}/points/notices", dependencies=READ)
async def notices(village: Village, rt: RuntimeDep) -> list[NoticeView]:
    """The village's points notices, newest year first, with the year's ranking and every
    objection and its answer: readable by anyone, no login (the notice board)."""
    names = await queries.member_names(rt.pool, village)
    out = []
    for n in await queries.notices(rt.pool, village):
        totals = await queries.totals(rt.pool, village, n["period"])
        out.append(
            NoticeView(
                period=n["period"],
                published_at=n["published_at"],
                ends_at=n["ends_at"],
                state="closed" if n["closed_at"] else "published",
                members=[
                    NoticeMember(
                        rank=r.rank,
                        member_id=r.member_id,
                        name=names.get(r.member_id),
                        total=r.total,
                        stars=r.stars,
                    )
                    for r in points.ranking(totals, _thresholds(rt))
                ],
                objections=[
                    NoticeObjection(**o, answered=o["answered_at"] is not None)
                    for o in n["objections"]
                ],
            )
        )
    return out


@router.post(
    "/villages/{village}/points/notices/{period}",
    status_code=201,
    dependencies=[requires(perm.PUBLISH_NOTICE)],
)
async def publish_notice(
    village: Village, period: Period, body: c.PublishNotice, ctx: ContextDep
) -> Accepted:
    """Put the year's totals up for public notice."""
    outcome = await handlers.on_notice(
        ctx,
        period,
        lambda s: notice.publish(s, period, body, now=datetime.now(UTC)),
    )
    return accepted("party", outcome, str(period))


@router.post(
    "/villages/{village}/points/notices/{period}/objections",
    status_code=201,
    dependencies=[requires(perm.OBJECT)],
)
async def object_to(
    village: Village, period: Period, body: c.Object, request: Request, ctx: ContextDep
) -> Accepted:
    """Raise an objection while the notice runs (a party member of the village)."""
    objection_id = uuid.uuid4().hex[:12]
    who = caller(request)
    objector = who.person_id or who.subject
    if not await handlers.is_member(ctx, objector):
        raise perm.OBJECT.refuse("party_member", f"{objector} is not a registered party member")
    await handlers.require_member(ctx, body.member_id, "member_id")
    outcome = await handlers.on_notice(
        ctx,
        period,
        lambda s: notice.object_to(
            s, objection_id, body, raised_by=objector, now=datetime.now(UTC)
        ),
    )
    return accepted("party", outcome, objection_id)


@router.post(
    "/villages/{village}/points/notices/{period}/objections/{objection_id}/answer",
    dependencies=[requires(perm.ANSWER_OBJECTION)],
)
async def answer_objection(
    village: Village, period: Period, objection_id: ObjectionId, body: c.Answer, ctx: ContextDep
) -> Accepted:
    """Answer an objection (every one is answered before the notice closes)."""
    outcome = await handlers.answer_objection(ctx, period, objection_id, body)
    return accepted("party", outcome, objection_id)


@router.post(
    "/villages/{village}/points/notices/{period}/close", dependencies=[requires(perm.CLOSE_NOTICE)]
)
async def close_notice(village: Village, period: Period, ctx: ContextDep) -> Accepted:
    """Close the notice once it has run its course with every objection answered."""
    outcome = await handlers.on_notice(
        ctx, period, lambda s: notice.close(s, now=datetime.now(UTC))
    )
    return accepted("party", outcome, str(period))
