"""Commands as the API takes them: imperative, validated at the edge, one per action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field
from xiangzhi.ids import ID_PATTERN, PERSON_ID_PATTERN
from xiangzhi.text import StorableModel

from .events import QA, ActivityKind, DeliberationKind, Matter, OrgKind, RuleCategory, WorksItem

ID = ID_PATTERN
MEMBER_ID = PERSON_ID_PATTERN
RULE_ID = r"^[a-z][a-z0-9_]{1,39}$"

# ------------------------------------------------------------------ points (积分制)


class DefineRule(StorableModel):
    rule_id: str = Field(pattern=RULE_ID)
    name: str = Field(min_length=1, max_length=100)
    category: RuleCategory
    points: Decimal = Field(ge=-100, le=100, max_digits=6, decimal_places=2)
    cap_per_period: Decimal | None = Field(None, gt=0, le=1000, max_digits=7, decimal_places=2)


class Score(StorableModel):
    rule_id: str = Field(pattern=RULE_ID)
    period: int = Field(ge=2000, le=2100)
    reason: str = Field(min_length=1, max_length=500)


class PublishNotice(StorableModel):
    days: int = Field(ge=5, le=60, description="how long the notice runs (at least 5 days)")


class Object(StorableModel):
    member_id: str = Field(pattern=MEMBER_ID)
    text: str = Field(min_length=1, max_length=2000)


class Answer(StorableModel):
    text: str = Field(min_length=1, max_length=2000)
    adjusted: bool = False
    points: Decimal | None = Field(
        None,
        ge=-100,
        le=100,
        max_digits=6,
        decimal_places=2,
        description="with adjusted: the points added to (or taken from) the member's year",
    )


# ------------------------------------------------------------------ study days (两日活动)


class HoldActivity(StorableModel):
    activity_id: str = Field(pattern=ID)
    kind: ActivityKind
    title: str = Field(min_length=1, max_length=200)
    date: date
    lecturer_member_id: str | None = Field(None, max_length=64)
    destination: str | None = Field(None, max_length=100)


class Attend(StorableModel):
    member_id: str = Field(pattern=MEMBER_ID)


# ------------------------------------------------------------------ deliberation (协商)


class OpenDeliberation(StorableModel):
    deliberation_id: str = Field(pattern=ID)
    kind: DeliberationKind
    topic: str = Field(min_length=1, max_length=200)
    matter: Matter


class CompleteStep(StorableModel):
    summary: str = Field(min_length=1, max_length=4000)
    questions: tuple[QA, ...] = ()
    plan_items: tuple[str, ...] = ()
    works_items: tuple[WorksItem | str, ...] = Field(
        (), description="public works of the plan: structured, or a line of text (category other)"
    )
    attachments: tuple[str, ...] = ()


class PartyMeeting(StorableModel):
    members_total: int = Field(ge=1, le=10_000)
    attending: int = Field(ge=0, le=10_000)
    agreeing: int = Field(ge=0, le=10_000)


class VillagersMeeting(StorableModel):
    representatives: bool
    votes_for: int = Field(ge=0, le=100_000)
    votes_against: int = Field(ge=0, le=100_000)


class Announce(StorableModel):
    text: str = Field(min_length=1, max_length=8000)


# ------------------------------------------------------------------ organisation (组织覆盖)


class EstablishOrg(StorableModel):
    org_id: str = Field(pattern=ID)
    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    parent_id: str | None = Field(None, pattern=ID)
    grid_id: str | None = Field(None, pattern=r"^\d{15}$")


class RegisterMember(StorableModel):
    member_id: str = Field(pattern=MEMBER_ID)
    name: str = Field(min_length=1, max_length=50)
    org_id: str = Field(pattern=ID)
    status: Literal["full", "probationary"]
    joined_on: date
    veteran: bool = False


class Transfer(StorableModel):
    to_org_id: str = Field(pattern=ID)


class ScheduleTurn(StorableModel):
    person_id: str = Field(pattern=MEMBER_ID)
    name: str = Field(min_length=1, max_length=50)
    starts_on: date
    ends_on: date
    duty: str = Field(min_length=1, max_length=200)
