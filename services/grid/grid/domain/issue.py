"""A resident's issue: raised → assigned → (escalated) → resolved → confirmed, or reopened → closed.

The rules a grid office keeps:
- nothing is resolved before someone is assigned (works completion is the exception: the
  works were the handling);
- only the raiser confirms, or staff on the raiser's behalf (an old villager without a phone)
  saying so; who may do what is the permission table's (``permissions.py``);
- reopening is only for a resolved issue, and sends it back to its assignee;
- the due time follows from the category's SLA; an overdue issue climbs one level per further
  SLA period (village committee, township, county), once per level;
- an issue of the same category raised within 50 m and 7 days is a suspected duplicate.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError
from xiangzhi.permissions import Permission

from .actor import Actor
from .catalogue import CATEGORIES
from .commands import (
    AssignIssue,
    ConfirmIssue,
    EscalateIssue,
    RaiseIssue,
    ReopenIssue,
    ResolveIssue,
)
from .events import (
    LEVELS,
    Contact,
    DuplicateLinked,
    IssueAssigned,
    IssueClosed,
    IssueConfirmed,
    IssueEscalated,
    IssueRaised,
    IssueReopened,
    IssueResolved,
    Level,
    Location,
    Resolver,
)
from .geo import distance_m
from .permissions import CONFIRM_ISSUE, RAISE_ISSUE, REOPEN_ISSUE

Status = Literal[
    "new", "raised", "assigned", "escalated", "resolved", "confirmed", "reopened", "closed"
]
OPEN: frozenset[str] = frozenset({"raised", "assigned", "escalated", "reopened"})
DUPLICATE_RADIUS_M = 50.0
DUPLICATE_WINDOW = timedelta(days=7)

IssueEvent = (
    IssueRaised
    | DuplicateLinked
    | IssueAssigned
    | IssueEscalated
    | IssueResolved
    | IssueConfirmed
    | IssueReopened
    | IssueClosed
)


def within_reach(
    state: Issue, actor: Actor, permission: Permission, chiefs: Collection[str]
) -> None:
    """The rules that limit a grid worker or a township officer to some of the village's
    issues; ``chiefs`` are the people holding a chief's role on the issue's grid or its parent."""
    if actor.rule == "own_grids" and actor.person_id not in chiefs:
        raise permission.refuse(
            "own_grids", f"issue {state.issue_id} is in grid {state.grid_id}, not one of yours"
        )
    if actor.rule == "township_escalations" and state.level not in ("township", "county"):
        raise permission.refuse(
            "township_escalations",
            f"issue {state.issue_id} has not been escalated to the township",
        )


@dataclass(frozen=True)
class Issue:
    issue_id: str = ""
    status: Status = "new"
    grid_id: str = ""
    category: str = ""
    raised_by: str = ""
    raised_at: datetime | None = None
    due_at: datetime | None = None
    assignee_id: str | None = None
    level: Level | None = None
    resolver: Resolver | None = None
    duplicates: tuple[str, ...] = ()


def evolve(state: Issue, event: IssueEvent) -> Issue:
    match event:
        case IssueRaised():
            return Issue(
                issue_id=event.issue_id,
                status="raised",
                grid_id=event.grid_id,
                category=event.category,
                raised_by=event.raised_by,
                raised_at=event.raised_at,
                due_at=event.due_at,
                duplicates=event.suspected_duplicates,
            )
        case DuplicateLinked():
            return replace(state, duplicates=(*state.duplicates, event.duplicate_issue_id))
        case IssueAssigned():
            status: Status = "assigned" if state.status in ("raised", "assigned") else state.status
            return replace(state, status=status, assignee_id=event.assignee_id)
        case IssueEscalated():
            return replace(state, status="escalated", level=event.level)
        case IssueResolved():
            return replace(state, status="resolved", resolver=event.resolved_by)
        case IssueConfirmed():
            return replace(state, status="confirmed")
        case IssueReopened():
            return replace(state, status="reopened", resolver=None)
        case IssueClosed():
            return replace(state, status="closed")
    raise TypeError(f"not an issue event: {event!r}")


def fold(events: Sequence[IssueEvent]) -> Issue:
    return streams.fold(Issue(), evolve, events)


def _refuse(state: Issue, action: str) -> IllegalTransitionError:
    return IllegalTransitionError(
        f"cannot {action} issue {state.issue_id} while it is {state.status}",
        current_state=state.status,
    )


# ------------------------------------------------------------------ decisions


@dataclass(frozen=True)
class NearbyIssue:
    """What the duplicate rule needs to know of an earlier issue."""

    issue_id: str
    category: str
    location: Location
    raised_at: datetime


def suspected_duplicates(
    category: str, location: Location | None, raised_at: datetime, earlier: Sequence[NearbyIssue]
) -> list[str]:
    if location is None:
        return []
    return [
        other.issue_id
        for other in earlier
        if other.category == category
        and timedelta(0) <= raised_at - other.raised_at <= DUPLICATE_WINDOW
        and distance_m(location.lat, location.lon, other.location.lat, other.location.lon)
        <= DUPLICATE_RADIUS_M
    ]


def raise_issue(
    state: Issue,
    cmd: RaiseIssue,
    *,
    issue_id: str,
    village: str,
    now: datetime,
    actor: Actor,
    earlier: Sequence[NearbyIssue] = (),
) -> list[IssueRaised]:
    """``issue_id``: the command's, or one chosen for it. The reporter is the command's (staff
    recording for a villager) or, by default, whoever raises it. A contact is kept as given
    (an empty one is none)."""
    grid_id, category, location, address = cmd.grid_id, cmd.category, cmd.location, cmd.address
    raised_by = cmd.raised_by or actor.person_id
    if state.status != "new":
        raise _refuse(state, "raise")
    if category not in CATEGORIES:
        raise DomainError(f"unknown category {category!r}", field="category")
    if not grid_id.startswith(village):
        raise DomainError(f"grid {grid_id} is not in village {village}", field="grid_id")
    if location is None and not address:
        raise DomainError("say where: a location (lat, lon) or an address", field="location")
    if actor.rule == "own_name" and raised_by != actor.person_id:
        # Staff record issues for villagers (a visit, the hotline); a resident only for self.
        raise RAISE_ISSUE.refuse("own_name", "a resident raises issues in their own name")
    sla = timedelta(hours=CATEGORIES[category].sla_hours)
    given = cmd.contact
    contact = Contact.model_validate(given.model_dump()) if given and given.given else None
    return [
        IssueRaised(
            issue_id=issue_id,
            grid_id=grid_id,
            category=category,
            title=cmd.title,
            description=cmd.description,
            location=location,
            address=address,
            raised_by=raised_by,
            anonymous=cmd.anonymous,
            channel=cmd.channel,
            raised_at=now,
            due_at=now + sla,
            suspected_duplicates=tuple(suspected_duplicates(category, location, now, earlier)),
            contact=contact,
        )
    ]


def link_duplicate(state: Issue, duplicate_issue_id: str) -> list[DuplicateLinked]:
    if state.status == "new":
        raise _refuse(state, "link a duplicate to")
    if duplicate_issue_id in state.duplicates:
        return []
    return [DuplicateLinked(issue_id=state.issue_id, duplicate_issue_id=duplicate_issue_id)]


def assign(state: Issue, cmd: AssignIssue) -> list[IssueAssigned]:
    if state.status not in OPEN:
        raise _refuse(state, "assign")
    return [
        IssueAssigned(
            issue_id=state.issue_id,
            assignee_kind=cmd.assignee_kind,
            assignee_id=cmd.assignee_id,
            role=cmd.role,
        )
    ]


def escalate(state: Issue, cmd: EscalateIssue) -> list[IssueEscalated]:
    level = cmd.level
    if state.status not in OPEN:
        raise _refuse(state, "escalate")
    if state.level is not None and LEVELS.index(level) <= LEVELS.index(state.level):
        raise IllegalTransitionError(
            f"issue {state.issue_id} is already escalated to {state.level}",
            current_state=state.status,
            current_level=state.level,
        )
    return [IssueEscalated(issue_id=state.issue_id, level=level, reason=cmd.reason, note=cmd.note)]


def escalations_due(state: Issue, now: datetime) -> list[Level]:
    """The levels an overdue issue should have reached by ``now`` and has not: one per SLA."""
    if state.status not in OPEN or state.due_at is None or state.raised_at is None:
        return []
    sla = state.due_at - state.raised_at
    reached = -1 if state.level is None else LEVELS.index(state.level)
    due = [level for i, level in enumerate(LEVELS) if now >= state.due_at + i * sla and i > reached]
    return due[:1]  # one level at a time: each is its own event, in order


def resolve(
    state: Issue,
    cmd: ResolveIssue,
    *,
    via: Literal["handled", "works_completed"] = "handled",
    works_id: str | None = None,
) -> list[IssueResolved]:
    if via == "works_completed":
        if state.status in ("resolved", "confirmed", "closed"):
            return []  # already done: the works' completion changes nothing, even redelivered
        if state.status not in OPEN:
            raise _refuse(state, "resolve")
    elif state.status not in ("assigned", "escalated", "reopened") or state.assignee_id is None:
        if state.status == "raised":
            raise IllegalTransitionError(
                f"issue {state.issue_id} has no assignee yet: assign it before resolving",
                current_state=state.status,
            )
        raise _refuse(state, "resolve")
    return [
        IssueResolved(
            issue_id=state.issue_id,
            resolution=cmd.resolution,
            resolved_by=Resolver(person_id=cmd.person_id, party_member_id=cmd.party_member_id),
            via=via,
            works_id=works_id,
        )
    ]


def confirm(state: Issue, cmd: ConfirmIssue, *, actor: Actor) -> list[IssueConfirmed]:
    if state.status != "resolved":
        raise _refuse(state, "confirm")
    if actor.rule == "own_issues" and actor.person_id != state.raised_by:
        raise CONFIRM_ISSUE.refuse("own_issues", "only the resident who raised it confirms it")
    if actor.rule == "on_behalf" and actor.person_id != state.raised_by and not cmd.on_behalf:
        raise CONFIRM_ISSUE.refuse(
            "on_behalf", "staff confirm for the resident only saying so (on_behalf: true)"
        )
    return [
        IssueConfirmed(
            issue_id=state.issue_id,
            satisfaction=cmd.satisfaction,
            comment=cmd.comment,
            confirmed_by=actor.person_id,
            on_behalf=actor.person_id != state.raised_by,
            resolver_party_member_id=state.resolver.party_member_id if state.resolver else None,
        )
    ]


def reopen(state: Issue, cmd: ReopenIssue, *, actor: Actor) -> list[IssueReopened]:
    if state.status != "resolved":
        raise _refuse(state, "reopen")
    if actor.rule == "own_issues" and actor.person_id != state.raised_by:
        raise REOPEN_ISSUE.refuse("own_issues", "only the resident who raised it reopens it")
    return [IssueReopened(issue_id=state.issue_id, reason=cmd.reason)]


def close(state: Issue) -> list[IssueClosed]:
    if state.status not in ("resolved", "confirmed"):
        raise _refuse(state, "close")
    return [IssueClosed(issue_id=state.issue_id)]
