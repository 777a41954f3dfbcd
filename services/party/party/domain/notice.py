"""Public notice of the year's points (公示): objections are raised while it runs, each is
answered, and the notice closes only when it has run its course with nothing left unanswered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import Answer, Object, PublishNotice
from .events import NoticeClosed, NoticePublished, ObjectionAnswered, ObjectionRaised

MIN_NOTICE = timedelta(days=5)

Event = NoticePublished | ObjectionRaised | ObjectionAnswered | NoticeClosed


@dataclass(frozen=True)
class Notice:
    period: int = 0
    ends_at: datetime | None = None
    open_objections: frozenset[str] = frozenset()
    closed: bool = False
    objections: dict[str, str] = field(default_factory=dict)  # objection → member objected to

    @property
    def state(self) -> str:
        return "closed" if self.closed else ("published" if self.ends_at else "new")


def evolve(state: Notice, event: Event) -> Notice:
    match event:
        case NoticePublished():
            return Notice(period=event.period, ends_at=event.ends_at)
        case ObjectionRaised():
            return replace(
                state,
                open_objections=state.open_objections | {event.objection_id},
                objections={**state.objections, event.objection_id: event.member_id},
            )
        case ObjectionAnswered():
            return replace(state, open_objections=state.open_objections - {event.objection_id})
        case NoticeClosed():
            return replace(state, closed=True)
    raise TypeError(f"not a notice event: {event!r}")


def fold(events: Sequence[Event]) -> Notice:
    return streams.fold(Notice(), evolve, events)


def publish(
    state: Notice, period: int, cmd: PublishNotice, *, now: datetime
) -> list[NoticePublished]:
    days = cmd.days
    if state.ends_at is not None:
        raise IllegalTransitionError(
            f"the {period} notice is already published", current_state=state.state
        )
    if timedelta(days=days) < MIN_NOTICE:
        raise DomainError(f"a notice runs at least {MIN_NOTICE.days} days", field="days")
    return [NoticePublished(period=period, published_at=now, ends_at=now + timedelta(days=days))]


def object_to(
    state: Notice, objection_id: str, cmd: Object, *, raised_by: str, now: datetime
) -> list[ObjectionRaised]:
    """``raised_by``: the objector, from the token; ``objection_id``: chosen for it."""
    if state.ends_at is None or state.closed or now > state.ends_at:
        raise IllegalTransitionError(
            "objections are taken while the notice runs", current_state=state.state
        )
    return [
        ObjectionRaised(
            objection_id=objection_id,
            period=state.period,
            member_id=cmd.member_id,
            raised_by=raised_by,
            text=cmd.text,
        )
    ]


def answer(state: Notice, objection_id: str, cmd: Answer) -> list[ObjectionAnswered]:
    """Answer an objection; an adjustment names its points (the ledger records them)."""
    adjusted, points = cmd.adjusted, cmd.points
    if objection_id not in state.open_objections:
        raise DomainError(f"no open objection {objection_id}", field="objection_id")
    if adjusted and not points:
        raise DomainError("an answer that adjusts says by how many points", field="points")
    if not adjusted and points:
        raise DomainError("points are given only with adjusted: true", field="points")
    return [
        ObjectionAnswered(
            objection_id=objection_id,
            answer=cmd.text,
            adjusted=adjusted,
            points=points if adjusted else None,
        )
    ]


def close(state: Notice, *, now: datetime) -> list[NoticeClosed]:
    if state.ends_at is None or state.closed:
        raise IllegalTransitionError("no running notice", current_state=state.state)
    if now < state.ends_at:
        raise IllegalTransitionError(
            f"the notice runs until {state.ends_at:%Y-%m-%d}", current_state=state.state
        )
    if state.open_objections:
        raise IllegalTransitionError(
            f"{len(state.open_objections)} objection(s) still await an answer",
            current_state=state.state,
            unanswered=sorted(state.open_objections),
        )
    return [NoticeClosed(period=state.period)]
