"""Study days (两日活动): theme party days, party lessons given by veterans and cadres, study
tours with a destination (观摩学习), and who attended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import Attend, HoldActivity
from .events import ActivityAttended, ActivityHeld, ActivityKind


@dataclass(frozen=True)
class Activity:
    activity_id: str = ""
    held: bool = False
    kind: ActivityKind | None = None
    lecturer: str | None = None
    attendees: frozenset[str] = frozenset()


def evolve(state: Activity, event: ActivityHeld | ActivityAttended) -> Activity:
    match event:
        case ActivityHeld():
            return Activity(event.activity_id, True, event.kind, event.lecturer_member_id)
        case ActivityAttended():
            return replace(state, attendees=state.attendees | {event.member_id})
    raise TypeError(f"not an activity event: {event!r}")


def fold(events: Sequence[ActivityHeld | ActivityAttended]) -> Activity:
    return streams.fold(Activity(), evolve, events)


def hold(state: Activity, cmd: HoldActivity, *, today: date) -> list[ActivityHeld]:
    activity_id, kind, on = cmd.activity_id, cmd.kind, cmd.date
    lecturer_member_id, destination = cmd.lecturer_member_id, cmd.destination
    if state.held:
        raise IllegalTransitionError(
            f"activity {activity_id} is already recorded", current_state="held"
        )
    if on > today:
        raise DomainError("an activity is recorded once it has been held", field="date")
    if kind == "party_lesson" and not lecturer_member_id:
        raise DomainError("a party lesson (讲党课) has its lecturer", field="lecturer_member_id")
    if kind == "study_tour" and not destination:
        raise DomainError("a study tour (观摩学习) has its destination", field="destination")
    return [
        ActivityHeld(
            activity_id=activity_id,
            kind=kind,
            title=cmd.title,
            date=on.isoformat(),
            lecturer_member_id=lecturer_member_id,
            destination=destination,
        )
    ]


def attend(state: Activity, cmd: Attend) -> list[ActivityAttended]:
    member_id = cmd.member_id
    if not state.held:
        raise IllegalTransitionError("no such activity", current_state="new")
    if member_id in state.attendees:
        return []  # recorded already: attendance counts once
    return [ActivityAttended(activity_id=state.activity_id, member_id=member_id)]
