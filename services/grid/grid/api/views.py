"""What the API answers with."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from xiangzhi.aggregate import Accepted, Outcome
from xiangzhi.aggregate import accepted as kit_accepted

from ..domain.actor import Actor


def accepted(outcome: Outcome, aggregate_id: str) -> Accepted:
    return kit_accepted("grid", outcome, aggregate_id)


class ChiefView(BaseModel):
    role: str
    person_id: str
    name: str
    is_party_member: bool
    party_member_id: str | None
    since: datetime


class GridView(BaseModel):
    grid_id: str
    name: str
    level: str
    parent_id: str | None
    merged_from: list[str]
    households: int
    chiefs: list[ChiefView]


class MemberView(BaseModel):
    person_id: str
    name: str
    background: str
    party_member_id: str | None
    hours: Decimal


class TeamView(BaseModel):
    team_id: str
    name: str
    kind: str
    member_count: int
    hours: Decimal
    members: list[MemberView]


class IssueView(BaseModel):
    issue_id: str
    village: str
    grid_id: str
    category: str
    title: str
    description: str
    lat: Decimal | None
    lon: Decimal | None
    address: str | None
    raised_by: str | None  # hidden from the public when the reporter asked to stay anonymous
    anonymous: bool
    channel: str
    status: str
    level: str | None
    assignee_kind: str | None
    assignee_id: str | None
    raised_at: datetime
    due_at: datetime
    first_assigned_at: datetime | None
    resolved_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    resolution: str | None
    resolved_via: str | None
    works_id: str | None
    resolver_party_member_id: str | None
    satisfaction: int | None
    duplicates: list[str]
    version: int


class ContactView(BaseModel):
    """How to reach the person the issue is about, as it was given (Open311's fields)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


class IssueDetail(IssueView):
    """One issue, with its contact (null when none was given, or for a viewer who may not see
    it). Lists leave the contact out."""

    contact: ContactView | None


def _sees_reporter(row: dict[str, Any], viewer: Actor) -> bool:
    """Staff (village, grid, township, county) see who raised an issue and how to reach them;
    of the others, only the reporter."""
    return viewer.is_staff or viewer.person_id == row["raised_by"]


def issue_view(row: dict[str, Any], viewer: Actor) -> IssueView:
    visible = dict(row)
    if row["anonymous"] and not _sees_reporter(row, viewer):
        visible["raised_by"] = None
    return IssueView.model_validate(visible)


def issue_detail(row: dict[str, Any], viewer: Actor) -> IssueDetail:
    contact = row.get("contact") if _sees_reporter(row, viewer) else None
    return IssueDetail.model_validate({**issue_view(row, viewer).model_dump(), "contact": contact})


class IssuePage(BaseModel):
    items: list[IssueView]
    total: int
    limit: int
    offset: int


class IssueStats(BaseModel):
    raised: int
    resolved: int
    open: int
    overdue: int
    resolved_within_sla: int
    resolution_rate: Decimal | None
    median_response_hours: Decimal | None
    median_resolution_hours: Decimal | None
    mean_satisfaction: Decimal | None
    confirmed: int


class MonthIssues(BaseModel):
    month: str  # YYYY-MM, UTC
    raised: int
    resolved: int


class VillageStats(BaseModel):
    """村级统计: the grid side of a village at a glance."""

    village: str
    grids: int
    micro_grids: int
    households: int
    chiefs: int
    grids_with_three_chiefs: int
    volunteer_teams: int
    volunteers: int
    volunteer_hours: Decimal
    issues: IssueStats
    issues_by_month: list[MonthIssues]
    as_of: datetime
