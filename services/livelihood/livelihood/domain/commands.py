"""Commands of the livelihood service as the API takes them: imperative, validated at the edge.

Who acts (approver, accepter, the resident asking) comes from the token, never from the body.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field
from xiangzhi.ids import ID_PATTERN, PERSON_ID_PATTERN
from xiangzhi.money import Quantity, Yuan
from xiangzhi.text import StorableModel

from .events import Category, Funding, RemediationKind, Unit

ID = ID_PATTERN
Title = Annotated[str, Field(min_length=1, max_length=200)]
Note = Annotated[str, Field(min_length=1, max_length=1000)]


class ProposeWorks(StorableModel):
    works_id: str = Field(pattern=ID)
    category: Category
    title: Title
    planned_quantity: Quantity
    unit: Unit
    budget_yuan: Yuan
    issue_ids: list[Annotated[str, Field(pattern=ID)]] = Field(default_factory=list, max_length=50)
    deliberation_id: str | None = Field(None, pattern=ID)


class ApproveWorks(StorableModel):
    deliberation_id: str | None = Field(
        None,
        pattern=ID,
        description="the deliberation that passed 四议两公开 (the works' own by default)",
    )
    funding: list[Funding] = Field(min_length=1, max_length=3)


class FundWorks(StorableModel):
    source: Funding
    amount_yuan: Yuan
    partner: str | None = Field(None, min_length=1, max_length=100)


class StartWorks(StorableModel):
    started_on: date
    contractor_id: str = Field(pattern=PERSON_ID_PATTERN)
    contractor: str = Field(min_length=1, max_length=100)


class ReportProgress(StorableModel):
    quantity_done: Quantity
    note: Note | None = None
    photos: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default_factory=list, max_length=20
    )


class ApproveChange(StorableModel):
    budget_yuan: Yuan
    planned_quantity: Quantity | None = None
    reason: Note


class CompleteWorks(StorableModel):
    quantity: Quantity
    cost_yuan: Yuan
    completed_on: date
    lead_party_member_id: str | None = Field(None, pattern=PERSON_ID_PATTERN)


class AcceptWorks(StorableModel):
    passed: bool
    note: Note | None = None


class StartRemediation(StorableModel):
    campaign_id: str = Field(pattern=ID)
    name: Title
    starts_on: date
    partners: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )


class RecordRemediation(StorableModel):
    action_id: str = Field(pattern=ID)
    kind: RemediationKind
    count: int = Field(ge=1, le=100000)
    quantity: Quantity | None = None
    partner: str | None = Field(None, min_length=1, max_length=100)
    done_on: date


class PromisePracticalThing(StorableModel):
    item_id: str = Field(pattern=ID)
    title: Title
    owner_id: str = Field(pattern=PERSON_ID_PATTERN, description="who sees it done")
    deadline: date
    resident_id: str | None = Field(
        None,
        pattern=PERSON_ID_PATTERN,
        description="the resident who asked (a resident: themselves)",
    )
    words: str | None = Field(None, min_length=1, max_length=2000)
    deliberation_id: str | None = Field(None, pattern=ID)
    issue_id: str | None = Field(None, pattern=ID)


class PracticalThingDone(StorableModel):
    done_on: date
    beneficiaries: int = Field(ge=0, le=1000000)


class Acknowledge(StorableModel):
    satisfied: bool
