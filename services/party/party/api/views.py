"""What the party API answers with."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel


class Entry(BaseModel):
    event_id: str
    points: Decimal
    rule_id: str
    rule_version: int
    reason: str
    source_event_id: str | None
    scored_at: datetime


class MemberPoints(BaseModel):
    member_id: str
    period: int
    total: Decimal
    stars: int
    entries: list[Entry]


class RankedView(BaseModel):
    member_id: str
    name: str | None = None
    total: Decimal
    stars: int
    rank: int


class CoverageFigures(BaseModel):
    """党组织全覆盖 in figures: micro-grids, and those with a party group over them."""

    grids: int
    covered: int
    complete: bool


class PartyStats(BaseModel):
    village: str
    period: int
    members_scored: int
    points_total: Decimal
    stars: dict[int, int]
    coverage: CoverageFigures


class AnnouncementView(BaseModel):
    deliberation_id: str
    topic: str
    kind: str
    announcement: str
    published_at: datetime


class CoverageView(BaseModel):
    village: str
    grids: int
    covered: list[str]
    uncovered: list[str]
    complete: bool


class NoticeMember(BaseModel):
    rank: int
    member_id: str
    name: str | None
    total: Decimal
    stars: int


class NoticeObjection(BaseModel):
    objection_id: str
    member_id: str
    member_name: str | None
    raised_at: datetime
    answered: bool
    answered_at: datetime | None
    answer: str | None
    adjusted: bool | None
    points: Decimal | None


class NoticeView(BaseModel):
    """党员积分公示 as the notice board shows it: the year's ranking and every objection with
    its answer (the objector and their words stay private)."""

    period: int
    published_at: datetime
    ends_at: datetime
    state: str  # published | closed
    members: list[NoticeMember]
    objections: list[NoticeObjection]
