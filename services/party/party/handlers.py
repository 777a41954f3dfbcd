"""Commands of the party service: load, decide, append (through the kit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from xiangzhi.aggregate import CommandContext, Outcome, StreamKind
from xiangzhi.errors import DomainError, NotFoundError
from xiangzhi.registry import EventPayload

from . import catalogue as standard
from .domain import commands as c
from .domain import deliberation, notice, organisation, points, rotation, study
from .domain.events import PointsRuleDefined, RuleCategory, registry

Decision = Callable[[deliberation.Deliberation], Sequence[EventPayload]]
NoticeDecision = Callable[[notice.Notice], Sequence[EventPayload]]


# The streams of party's aggregates: most are named within their village.
CATALOGUE = StreamKind("points-catalogue")  # one per village: its id is the village
LEDGER = StreamKind("points-ledger", per_village=True)
ACTIVITY = StreamKind("activity", per_village=True)
DELIBERATION = StreamKind("deliberation", per_village=True)
ORG = StreamKind("org", per_village=True)
MEMBER = StreamKind("member", per_village=True)
NOTICE = StreamKind("points-notice", per_village=True)
ROTATION = StreamKind("rotation")  # one per village: its id is the village


@dataclass(frozen=True)
class Context(CommandContext):
    """Where and in which transaction a party command is given (who acts is in the meta)."""

    registry = registry


async def catalogue(ctx: Context) -> points.Catalogue:
    """The village's catalogue; the county's standard rules are defined on first use."""
    history, version = await ctx.load(CATALOGUE(ctx.village))
    state = points.fold_catalogue(history)  # type: ignore[arg-type]
    if version == 0:
        new: list[PointsRuleDefined] = []
        for rule_id, (name, category, value, cap) in standard.STANDARD.items():
            new += points.define_rule(
                state,
                rule_id=rule_id,
                name=name,
                category=category,
                points=value,
                cap_per_period=cap,
            )
        await ctx.append(CATALOGUE(ctx.village), 0, new)
        state = points.fold_catalogue(new)
    return state


async def define_rule(
    ctx: Context,
    *,
    rule_id: str,
    name: str,
    category: RuleCategory,
    value: Decimal,
    cap: Decimal | None,
) -> Outcome:
    await catalogue(ctx)
    return await ctx.execute(
        CATALOGUE(ctx.village),
        fold=points.fold_catalogue,
        decide=lambda s: points.define_rule(
            s, rule_id=rule_id, name=name, category=category, points=value, cap_per_period=cap
        ),
    )


async def is_member(ctx: Context, member_id: str) -> bool:
    """A registered party member of the village (from the member's own stream)."""
    history, _ = await ctx.load(MEMBER(member_id, ctx.village))
    return bool(organisation.fold_member(history).member_id)  # type: ignore[arg-type]


async def require_member(ctx: Context, member_id: str, field: str) -> None:
    """Only a registered member of the village is scored: 422 naming the field otherwise."""
    if not await is_member(ctx, member_id):
        raise DomainError(
            f"{member_id} is not a registered party member of village {ctx.village}", field=field
        )


async def score(
    ctx: Context,
    *,
    member_id: str,
    rule_id: str,
    period: int,
    reason: str,
    source_event_id: str | None = None,
) -> Outcome:
    rule = (await catalogue(ctx)).in_force(rule_id)
    return await ctx.execute(
        LEDGER(member_id, ctx.village),
        fold=points.fold,
        decide=lambda ledger: points.score(
            ledger,
            rule,
            member_id=member_id,
            period=period,
            reason=reason,
            source_event_id=source_event_id,
        ),
    )


# ------------------------------------------------------------------ study days


async def hold_activity(ctx: Context, cmd: c.HoldActivity) -> Outcome:
    """Record an activity; a party lesson scores its lecturer, in the same transaction."""
    lecturer = cmd.lecturer_member_id
    if lecturer is not None:
        await require_member(ctx, lecturer, "lecturer_member_id")
    async with ctx.transaction() as ctx:
        outcome = await ctx.execute(
            ACTIVITY(cmd.activity_id, ctx.village),
            fold=study.fold,
            decide=lambda s: study.hold(s, cmd, today=datetime.now(UTC).date()),
        )
        if cmd.kind == "party_lesson" and lecturer:
            await _score_capped(
                ctx,
                lecturer,
                standard.GAVE_LESSON,
                cmd.date.year,
                f"讲党课: {cmd.title}",
                f"lesson:{cmd.activity_id}",
            )
        return outcome


async def attend_activity(ctx: Context, activity_id: str, cmd: c.Attend, *, period: int) -> Outcome:
    """Record attendance; attending scores study by the rule, in the same transaction."""
    member_id = cmd.member_id
    await require_member(ctx, member_id, "member_id")
    async with ctx.transaction() as ctx:
        outcome = await ctx.execute(
            ACTIVITY(activity_id, ctx.village),
            fold=study.fold,
            decide=lambda s: study.attend(s, cmd),
        )
        if outcome.decided:
            await _score_capped(
                ctx,
                member_id,
                standard.ATTENDED_STUDY,
                period,
                f"参加两日活动 {activity_id}",
                f"attended:{activity_id}:{member_id}",
            )
        return outcome


async def _score_capped(
    ctx: Context, member_id: str, rule_id: str, period: int, reason: str, cause: str
) -> None:
    try:
        await score(
            ctx,
            member_id=member_id,
            rule_id=rule_id,
            period=period,
            reason=reason,
            source_event_id=cause,
        )
    except points.CapReachedError:
        return  # the year's cap is reached: the attendance stands, without more points


# ------------------------------------------------------------------ deliberation


async def on_deliberation(ctx: Context, deliberation_id: str, decide: Decision) -> Outcome:
    def existing(state: deliberation.Deliberation) -> Sequence[EventPayload]:
        if not state.opened:
            raise NotFoundError(f"no deliberation {deliberation_id} in village {ctx.village}")
        return decide(state)

    return await ctx.execute(
        DELIBERATION(deliberation_id, ctx.village), fold=deliberation.fold, decide=existing
    )


async def open_deliberation(ctx: Context, cmd: c.OpenDeliberation) -> Outcome:
    return await ctx.execute(
        DELIBERATION(cmd.deliberation_id, ctx.village),
        fold=deliberation.fold,
        decide=lambda s: deliberation.open_deliberation(s, cmd),
    )


# ------------------------------------------------------------------ organisation and members


async def _org(ctx: Context, org_id: str) -> organisation.Org:
    history, _ = await ctx.load(ORG(org_id, ctx.village))
    return organisation.fold_org(history)  # type: ignore[arg-type]


async def establish_org(ctx: Context, cmd: c.EstablishOrg) -> Outcome:
    parent_id = cmd.parent_id
    parent = await _org(ctx, parent_id) if parent_id else None
    if parent_id and (parent is None or parent.kind is None):
        raise DomainError(f"no organisation {parent_id}", field="parent_id")
    return await ctx.execute(
        ORG(cmd.org_id, ctx.village),
        fold=organisation.fold_org,
        decide=lambda s: organisation.establish(s, cmd, parent=parent, village=ctx.village),
    )


async def register_member(ctx: Context, cmd: c.RegisterMember) -> Outcome:
    org = await _org(ctx, cmd.org_id)
    return await ctx.execute(
        MEMBER(cmd.member_id, ctx.village),
        fold=organisation.fold_member,
        decide=lambda s: organisation.register(s, cmd, org=org, today=datetime.now(UTC).date()),
    )


async def transfer_member(ctx: Context, member_id: str, cmd: c.Transfer) -> Outcome:
    to = await _org(ctx, cmd.to_org_id)
    return await ctx.execute(
        MEMBER(member_id, ctx.village),
        fold=organisation.fold_member,
        decide=lambda s: organisation.transfer(s, to=to),
    )


# ------------------------------------------------------------------ rotation and public notice


async def schedule_rotation(ctx: Context, cmd: c.ScheduleTurn) -> Outcome:
    return await ctx.execute(
        ROTATION(ctx.village), fold=rotation.fold, decide=lambda s: rotation.schedule(s, cmd)
    )


async def answer_objection(ctx: Context, period: int, objection_id: str, cmd: c.Answer) -> Outcome:
    """Answer an objection; an answer that adjusts adds the adjustment to the member's ledger,
    by an event, in the same transaction (the answer alone would change no total)."""
    async with ctx.transaction() as ctx:
        history, _ = await ctx.load(NOTICE(period, ctx.village))
        member_id = notice.fold(history).objections.get(objection_id)  # type: ignore[arg-type]
        outcome = await on_notice(
            ctx,
            period,
            lambda s: notice.answer(s, objection_id, cmd),
        )
        adjustment = cmd.points
        if cmd.adjusted and adjustment and member_id:
            await require_member(ctx, member_id, "member_id")
            scored = await ctx.execute(
                LEDGER(member_id, ctx.village),
                fold=points.fold,
                decide=lambda ledger: points.adjust(
                    ledger,
                    member_id=member_id,
                    period=period,
                    points=adjustment,
                    reason=f"公示异议调整: {cmd.text}",
                    source_event_id=f"objection:{objection_id}",
                ),
            )
            # One answer, two streams: the caller's token must cover the ledger's event too.
            return outcome.merged(scored)
        return outcome


async def on_notice(ctx: Context, period: int, decide: NoticeDecision) -> Outcome:
    return await ctx.execute(NOTICE(period, ctx.village), fold=notice.fold, decide=decide)
