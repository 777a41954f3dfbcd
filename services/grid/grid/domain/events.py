"""The grid service's events (``grid.*``): frozen payloads, past tense, each named by its type.

These are the contract with the other services (``../shared/design/events.md``); a change of
shape is a new ``.vN`` with an upcaster, never an edit.

Every string field is classified where it is declared (``xiangzhi.pii``): ``Personal`` (sealed
under its data subject's key before it is stored), ``NotPersonal``, or ``Pseudonym`` (an id
naming a person, kept in clear). An event with personal fields names whose they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, Field
from xiangzhi.pii import NotPersonal, Personal, PersonsData, Pseudonym, email_subject, phone_subject
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
    grid_id: NotPersonal = Field(pattern=GRID_CODE)
    name: NotPersonal
    level: GridLevel
    parent_id: NotPersonal | None = None
    merged_from: tuple[MergedFrom, ...] = ("party", "governance", "sanitation")
    households: int = Field(ge=0)


@registry.register
class ChiefAssigned(PersonsData):
    """三长联动: one of the grid's three chiefs named; ``replaces`` records the reassignment."""

    event_type = "grid.grid.chief_assigned.v1"
    subject_field = "person_id"
    grid_id: NotPersonal = Field(pattern=GRID_CODE)
    role: ChiefRole
    person_id: Pseudonym
    name: Personal
    is_party_member: bool
    party_member_id: Pseudonym | None = None
    replaces_person_id: Pseudonym | None = None


@registry.register
class VolunteerTeamFormed(EventPayload):
    event_type = "grid.volunteer_team.formed.v1"
    team_id: NotPersonal
    name: NotPersonal
    kind: TeamKind


@registry.register
class VolunteerJoined(PersonsData):
    event_type = "grid.volunteer_team.member_joined.v1"
    subject_field = "person_id"
    team_id: NotPersonal
    person_id: Pseudonym
    name: Personal
    background: Background
    party_member_id: Pseudonym | None = None
    # Added with a default: events recorded before it read as plain members.
    leader: bool = False


@registry.register
class ServiceLogged(PersonsData):
    """Hours of volunteer service; ``party_member_id`` lets the party service score it."""

    event_type = "grid.volunteer_team.service_logged.v1"
    subject_field = "person_id"
    team_id: NotPersonal
    person_id: Pseudonym
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)
    description: Personal
    issue_id: NotPersonal | None = None
    party_member_id: Pseudonym | None = None
    served_on: datetime


class Contact(EventPayload):
    """How to reach the person an issue is about (Open311's ``first_name``, ``last_name``,
    ``email``, ``phone``). Each is sealed as it is stored, so a read model holds tokens: nothing
    may compare, search or check them; the reveal turns them back into text for a reader."""

    first_name: Personal | None = None
    last_name: Personal | None = None
    email: Personal | None = None
    phone: Personal | None = None

    @staticmethod
    def person(data: Mapping[str, Any]) -> str | None:
        """The person the address or number reaches, if it names one."""
        if data.get("email"):
            return email_subject(data["email"])
        if data.get("phone"):
            return phone_subject(data["phone"])
        return None


@registry.register
class IssueRaised(EventPayload):
    """A resident's issue (民生诉求) raised in a grid."""

    event_type = "grid.issue.raised.v1"
    issue_id: NotPersonal
    grid_id: NotPersonal = Field(pattern=GRID_CODE)
    category: NotPersonal
    title: Personal
    description: Personal
    location: Location | None = None
    address: Personal | None = None
    raised_by: Pseudonym
    anonymous: bool = False
    channel: Channel
    raised_at: AwareDatetime
    due_at: AwareDatetime
    suspected_duplicates: tuple[NotPersonal, ...] = ()
    # Added with a default: events recorded before it (and issues raised without one) have none.
    contact: Contact | None = None

    @classmethod
    def data_subject(cls, data: Mapping[str, Any]) -> str | None:
        """Whose issue it is: through Open311 the citizen the contact names (the client that
        posted it is only the reporter of record), otherwise the resident who raised it — the
        contact they gave is theirs too, forgotten with them."""
        contact = data.get("contact")
        if data.get("channel") == "open311" and contact:
            named = Contact.person(contact)
            if named:
                return named
        return data.get("raised_by") or None


@registry.register
class DuplicateLinked(EventPayload):
    """The other half of a suspected-duplicate link: a later issue points at this one."""

    event_type = "grid.issue.duplicate_linked.v1"
    issue_id: NotPersonal
    duplicate_issue_id: NotPersonal


@registry.register
class IssueAssigned(EventPayload):
    event_type = "grid.issue.assigned.v1"
    issue_id: NotPersonal
    assignee_kind: Literal["chief", "team"]
    assignee_id: Pseudonym  # a chief's person id, or a team's id
    role: NotPersonal | None = None


@registry.register
class IssueEscalated(EventPayload):
    event_type = "grid.issue.escalated.v1"
    issue_id: NotPersonal
    level: Level
    reason: EscalationReason
    note: NotPersonal | None = None


class Resolver(EventPayload):
    person_id: Pseudonym | None = None
    party_member_id: Pseudonym | None = None


@registry.register
class IssueResolved(EventPayload):
    event_type = "grid.issue.resolved.v1"
    issue_id: NotPersonal
    resolution: NotPersonal
    resolved_by: Resolver
    via: Via = "handled"
    works_id: NotPersonal | None = None


@registry.register
class IssueConfirmed(PersonsData):
    """The resident's word that it is done, with satisfaction 1–5 (满意度)."""

    event_type = "grid.issue.confirmed.v1"
    subject_field = "confirmed_by"
    issue_id: NotPersonal
    satisfaction: int = Field(ge=1, le=5)
    comment: Personal | None = None
    confirmed_by: Pseudonym
    on_behalf: bool = False
    # Carried so that the party service can score the resolver without reading grid's state.
    resolver_party_member_id: Pseudonym | None = None


@registry.register
class IssueReopened(EventPayload):
    event_type = "grid.issue.reopened.v1"
    issue_id: NotPersonal
    reason: NotPersonal


@registry.register
class IssueClosed(EventPayload):
    event_type = "grid.issue.closed.v1"
    issue_id: NotPersonal
