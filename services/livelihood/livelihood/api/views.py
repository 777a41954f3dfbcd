"""What the livelihood API answers with. Quantities and money are ``Decimal``s (strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel


class WorksView(BaseModel):
    works_id: str
    category: str
    title: str
    unit: str
    planned_quantity: Decimal
    budget_yuan: Decimal
    issue_ids: list[str]
    deliberation_id: str | None
    source: str
    stage: str
    funding: list[str]
    funded_yuan: Decimal
    contractor: str | None
    started_on: date | None
    quantity_done: Decimal
    cost_yuan: Decimal | None
    completed_on: date | None


class LogEntry(BaseModel):
    what: str
    quantity: Decimal | None
    amount_yuan: Decimal | None
    note: str | None
    photos: list[str]
    at: datetime


class WorksDetail(WorksView):
    log: list[LogEntry]


class WorksPage(BaseModel):
    items: list[WorksView]
    total: int
    limit: int
    offset: int


class RemediationTotal(BaseModel):
    kind: str
    count: int
    quantity: Decimal | None
    unit: str | None


class RemediationAction(BaseModel):
    action_id: str
    campaign_id: str
    kind: str
    count: int
    quantity: Decimal | None
    unit: str | None
    partner: str | None
    done_on: date


class PracticalView(BaseModel):
    item_id: str
    title: str
    owner_id: str
    deadline: date
    resident_id: str | None
    words: str | None
    deliberation_id: str | None
    issue_id: str | None
    done_on: date | None
    beneficiaries: int | None
    satisfied: bool | None


class PracticalPage(BaseModel):
    items: list[PracticalView]
    total: int
    limit: int
    offset: int


class WorksFigures(BaseModel):
    stage: str
    category: str
    unit: str
    works: int
    planned: Decimal
    done: Decimal
    cost_yuan: Decimal


class PracticalFigures(BaseModel):
    done: int
    overdue: int
    open: int


class LivelihoodStats(BaseModel):
    village: str
    works: list[WorksFigures]
    remediation: list[RemediationTotal]
    practical_things: PracticalFigures
