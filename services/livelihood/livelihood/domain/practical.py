"""Practical things done for the people (为民办实事): promised with an owner and a deadline (a
resident's request, or a deliberation's decision), done, and — when a resident asked —
acknowledged by that resident. Overdue: not done by the deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from . import permissions as perm
from .commands import Acknowledge, PracticalThingDone, PromisePracticalThing
from .events import (
    PracticalThingAcknowledged,
    PracticalThingPromised,
    Requester,
)
from .events import (
    PracticalThingDone as Done,
)


@dataclass(frozen=True)
class Item:
    item_id: str = ""
    title: str = ""
    promised_on: date | None = None
    resident_id: str | None = None
    deliberation_id: str | None = None
    issue_id: str | None = None
    done: bool = False
    acknowledged: bool = False


Event = PracticalThingPromised | Done | PracticalThingAcknowledged


def evolve(state: Item, event: Event) -> Item:
    match event:
        case PracticalThingPromised():
            return Item(
                item_id=event.item_id,
                title=event.title,
                resident_id=event.requester.resident_id if event.requester else None,
                deliberation_id=event.deliberation_id,
                issue_id=event.issue_id,
            )
        case Done():
            return replace(state, done=True)
        case PracticalThingAcknowledged():
            return replace(state, acknowledged=True)
    raise TypeError(f"not a practical-thing event: {event!r}")


def fold(events: Sequence[Event]) -> Item:
    return streams.fold(Item(), evolve, events)


def promise(
    state: Item, cmd: PromisePracticalThing, *, actor: str, rule: str | None, today: date
) -> list[PracticalThingPromised]:
    if state.item_id:
        raise IllegalTransitionError(f"{cmd.item_id} is promised", current_state="promised")
    resident = cmd.resident_id
    if rule == "own_name":
        if resident not in (None, actor):
            raise perm.PROMISE.refuse("own_name", "a resident asks in their own name")
        resident = actor
    if not resident and not cmd.deliberation_id:
        raise DomainError(
            "a practical thing is a resident's request or a deliberation's decision",
            field="resident_id",
        )
    if cmd.deadline < today:
        raise DomainError("a deadline that has passed", field="deadline")
    return [
        PracticalThingPromised(
            item_id=cmd.item_id,
            title=cmd.title,
            owner_id=cmd.owner_id,
            deadline=cmd.deadline,
            requester=Requester(resident_id=resident, words=cmd.words) if resident else None,
            deliberation_id=cmd.deliberation_id,
            issue_id=cmd.issue_id,
        )
    ]


def done(state: Item, cmd: PracticalThingDone, *, today: date) -> list[Done]:
    if not state.item_id:
        raise IllegalTransitionError("no such practical thing", current_state="new")
    if state.done:
        raise IllegalTransitionError(f"{state.item_id} is done", current_state="done")
    if cmd.done_on > today:
        raise DomainError("done on a day that has come", field="done_on")
    return [
        Done(
            item_id=state.item_id,
            title=state.title,
            done_on=cmd.done_on,
            beneficiaries=cmd.beneficiaries,
            issue_id=state.issue_id,
            deliberation_id=state.deliberation_id,
        )
    ]


def acknowledge(state: Item, cmd: Acknowledge, *, actor: str) -> list[PracticalThingAcknowledged]:
    if state.item_id and state.resident_id != actor:
        raise perm.ACKNOWLEDGE.refuse("own_requests", "only the resident who asked acknowledges")
    if not state.done:
        raise IllegalTransitionError(
            "acknowledged once it is done", current_state="promised" if state.item_id else "new"
        )
    if state.acknowledged:
        raise IllegalTransitionError("acknowledged already", current_state="acknowledged")
    return [
        PracticalThingAcknowledged(
            item_id=state.item_id, resident_id=actor, satisfied=cmd.satisfied
        )
    ]
