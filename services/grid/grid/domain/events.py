"""The grid service's events (``grid.*``): frozen payloads, past tense, each named by its type.

These are the contract with the other services (``../shared/design/events.md``); a change of
shape is a new ``.vN`` with an upcaster, never an edit.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, Field
from xiangzhi.registry import EventPayload, EventRegistry

registry = EventRegistry()

GridLevel = Literal["grid", "micro_grid"]
MergedFrom = Literal["party", "governance", "sanitation"]
ChiefRole = Literal["grid_chief", "party_group_leader", "villager_group_leader"]
TeamKind = Literal[
    "emergency_rescue",
    "daily_service",
    "dispute_mediation",
    "environment",
    "elderly_care",
    "culture",
    "safety_patrol",
    "other",
]
Background = Literal["student", "youth", "party_member", "villager", "cadre", "veteran", "other"]
Channel = Literal["app", "open311", "hotline", "visit"]
Level = Literal["village_committee", "township", "county"]
EscalationReason = Literal["overdue", "needs_works", "dispute", "other"]
Via = Literal["handled", "works_completed"]

LEVELS: tuple[Level, ...] = ("village_committee", "township", "county")
GRID_CODE = r"^\d{15}$"


class Location(EventPayload):
    lat: Decimal = Field(ge=-90, le=90, max_digits=10, decimal_places=7)
    lon: Decimal = Field(ge=-180, le=180, max_digits=11, decimal_places=7)


@registry.register
class GridEstablished(EventPayload):
    """网格/微网格 set up: party, comprehensive-governance and sanitation grids merged in one."""

    event_type = "grid.grid.established.v1"
    grid_id: str = Field(pattern=GRID_CODE)
    name: str
    level: GridLevel
    parent_id: str | None = None
    merged_from: tuple[MergedFrom, ...] = ("party", "governance", "sanitation")
    households: int = Field(ge=0)


@registry.register
class ChiefAssigned(EventPayload):
    """三长联动: one of the grid's three chiefs named; ``replaces`` records the reassignment."""

    event_type = "grid.grid.chief_assigned.v1"
    grid_id: str = Field(pattern=GRID_CODE)
    role: ChiefRole
    person_id: str
    name: str
    is_party_member: bool
    party_member_id: str | None = None
    replaces_person_id: str | None = None


@registry.register
class VolunteerTeamFormed(EventPayload):
    event_type = "grid.volunteer_team.formed.v1"
    team_id: str
    name: str
    kind: TeamKind


@registry.register
class VolunteerJoined(EventPayload):
    event_type = "grid.volunteer_team.member_joined.v1"
    team_id: str
    person_id: str
    name: str
    background: Background
    party_member_id: str | None = None
    # Added with a default: events recorded before it read as plain members.
    leader: bool = False


@registry.register
class ServiceLogged(EventPayload):
    """Hours of volunteer service; ``party_member_id`` lets the party service score it."""

    event_type = "grid.volunteer_team.service_logged.v1"
    team_id: str
    person_id: str
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)
    description: str
    issue_id: str | None = None
    party_member_id: str | None = None
    served_on: datetime


@registry.register
class IssueRaised(EventPayload):
    """A resident's issue (民生诉求) raised in a grid."""

    event_type = "grid.issue.raised.v1"
    issue_id: str
    grid_id: str = Field(pattern=GRID_CODE)
    category: str
    title: str
    description: str
    location: Location | None = None
    address: str | None = None
    raised_by: str
    anonymous: bool = False
    channel: Channel
    raised_at: AwareDatetime
    due_at: AwareDatetime
    suspected_duplicates: tuple[str, ...] = ()


@registry.register
class DuplicateLinked(EventPayload):
    """The other half of a suspected-duplicate link: a later issue points at this one."""

    event_type = "grid.issue.duplicate_linked.v1"
    issue_id: str
    duplicate_issue_id: str


@registry.register
class IssueAssigned(EventPayload):
    event_type = "grid.issue.assigned.v1"
    issue_id: str
    assignee_kind: Literal["chief", "team"]
    assignee_id: str
    role: str | None = None


@registry.register
class IssueEscalated(EventPayload):
    event_type = "grid.issue.escalated.v1"
    issue_id: str
    level: Level
    reason: EscalationReason
    note: str | None = None


class Resolver(EventPayload):
    person_id: str | None = None
    party_member_id: str | None = None


@registry.register
class IssueResolved(EventPayload):
    event_type = "grid.issue.resolved.v1"
    issue_id: str
    resolution: str
    resolved_by: Resolver
    via: Via = "handled"
    works_id: str | None = None


@registry.register
class IssueConfirmed(EventPayload):
    """The resident's word that it is done, with satisfaction 1–5 (满意度)."""

    event_type = "grid.issue.confirmed.v1"
    issue_id: str
    satisfaction: int = Field(ge=1, le=5)
    comment: str | None = None
    confirmed_by: str
    on_behalf: bool = False
    # Carried so that the party service can score the resolver without reading grid's state.
    resolver_party_member_id: str | None = None


@registry.register
class IssueReopened(EventPayload):
    event_type = "grid.issue.reopened.v1"
    issue_id: str
    reason: str


@registry.register
class IssueClosed(EventPayload):
    event_type = "grid.issue.closed.v1"
    issue_id: str
