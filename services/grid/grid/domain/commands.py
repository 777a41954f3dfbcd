"""Commands as the API takes them: imperative, validated at the edge, one per action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, Field, field_validator
from xiangzhi.pii import is_phone
from xiangzhi.text import StorableModel

from .events import (
    GRID_CODE,
    Background,
    EscalationReason,
    GridLevel,
    Level,
    Location,
    MergedFrom,
    TeamKind,
)


class Command(StorableModel):
    """A command: unknown fields refused, text that PostgreSQL can store."""


class EstablishGrid(Command):
    grid_id: str = Field(pattern=GRID_CODE, description="15 digits: the village code + 3")
    name: str = Field(min_length=1, max_length=100)
    level: GridLevel
    parent_id: str | None = Field(None, pattern=GRID_CODE)
    merged_from: tuple[MergedFrom, ...] = ("party", "governance", "sanitation")
    households: int = Field(ge=0, le=10_000)


class AssignChief(Command):
    person_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=50)
    is_party_member: bool = False
    party_member_id: str | None = Field(None, max_length=64)


class FormTeam(Command):
    team_id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    name: str = Field(min_length=1, max_length=100)
    kind: TeamKind


class JoinTeam(Command):
    person_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=50)
    background: Background
    party_member_id: str | None = Field(None, max_length=64)
    leader: bool = Field(False, description="队长: may log the team's service hours")


class LogService(Command):
    person_id: str = Field(min_length=1, max_length=64)
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)
    description: str = Field(min_length=1, max_length=500)
    issue_id: str | None = None
    served_on: AwareDatetime


class ContactDetails(Command):
    """How to reach the person an issue is about (Open311's contact fields). Kept encrypted
    under that person's key; shown to staff and to the reporter, never to the public."""

    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=100, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(None, max_length=100, description="digits, spaces, + ( ) -")

    @field_validator("first_name", "last_name", "email", "phone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """Forms send empty fields as empty strings: those are not given."""
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("phone")
    @classmethod
    def _dialable(cls, value: str | None) -> str | None:
        if value is not None and not is_phone(value):
            raise ValueError("a phone number: 7 to 15 digits, with + ( ) - and spaces")
        return value

    @property
    def given(self) -> bool:
        return any((self.first_name, self.last_name, self.email, self.phone))


class RaiseIssue(Command):
    issue_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9-]{8,64}$", description="client-chosen id makes retries safe"
    )
    grid_id: str = Field(pattern=GRID_CODE)
    category: str
    title: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=2000)
    location: Location | None = None
    address: str | None = Field(None, max_length=200)
    raised_by: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="the resident it is raised for (staff); a resident's own id otherwise",
    )
    anonymous: bool = False
    channel: Literal["app", "open311", "hotline", "visit"] = "app"
    contact: ContactDetails | None = Field(
        None, description="how to reach the person (kept encrypted; staff and the reporter see it)"
    )


class Versioned(Command):
    expected_version: int | None = Field(
        None, ge=1, description="the version you read; a stale one is answered with 409"
    )


class AssignIssue(Versioned):
    assignee_kind: Literal["chief", "team"]
    assignee_id: str = Field(min_length=1, max_length=64)
    role: str | None = None


class EscalateIssue(Versioned):
    level: Level
    reason: EscalationReason
    note: str | None = Field(None, max_length=500)


class ResolveIssue(Versioned):
    resolution: str = Field(min_length=1, max_length=2000)
    person_id: str | None = None
    party_member_id: str | None = None


class ConfirmIssue(Versioned):
    satisfaction: int = Field(ge=1, le=5, description="满意度, 1 (very unhappy) to 5")
    comment: str | None = Field(None, max_length=500)
    on_behalf: bool = Field(False, description="staff confirming for the resident")


class ReopenIssue(Versioned):
    reason: str = Field(min_length=1, max_length=500)


class CloseIssue(Versioned):
    pass
