"""The livelihood service's events (``livelihood.*``), as the catalogue names them.

Quantities are exact (``Quantity``: m, m², m³, or whole spots and items), money is ``Yuan``.
Every string field is classified (``xiangzhi.pii``): a resident's request names its resident
(a pseudonym) and their words are sealed under their key; works, remediation and partners are
public matters.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field
from xiangzhi.money import Quantity, Yuan
from xiangzhi.pii import NotPersonal, Personal, PersonsData, Pseudonym
from xiangzhi.registry import EventPayload, EventRegistry

registry = EventRegistry()

Category = Literal[
    "drainage", "road", "field_road", "leak_repair", "service_centre", "elderly_care", "park",
    "square", "wall_painting", "mural", "ruined_wall", "other",
]  # fmt: skip
Unit = Literal["m", "m2", "m3", "spot", "item"]
# What each category is measured in: a road in metres, a centre in square metres, leaks in spots.
UNITS: dict[str, frozenset[str]] = {
    "drainage": frozenset({"m"}),
    "road": frozenset({"m", "m2"}),
    "field_road": frozenset({"m", "m2"}),
    "leak_repair": frozenset({"spot"}),
    "service_centre": frozenset({"m2"}),
    "elderly_care": frozenset({"m2"}),
    "park": frozenset({"m2"}),
    "square": frozenset({"m2"}),
    "wall_painting": frozenset({"m2"}),
    "mural": frozenset({"m2"}),
    "ruined_wall": frozenset({"m2", "spot"}),
    "other": frozenset({"m", "m2", "m3", "spot", "item"}),
}
COUNTED: frozenset[str] = frozenset({"spot", "item"})
Source = Literal["staff", "issue_escalated", "deliberation_plan"]
Funding = Literal["collective", "county", "enterprise"]
RemediationKind = Literal[
    "garbage_point_removed", "garbage_cleared", "weeds_cleared", "illegal_building_demolished",
    "ruined_wall_removed", "wall_painted", "mural_painted", "park_built", "square_built",
]  # fmt: skip
# What each remediation action is measured in, beside its count (None: the count alone).
REMEDIATION_UNITS: dict[str, str | None] = {
    "garbage_point_removed": None,
    "garbage_cleared": "m3",
    "weeds_cleared": None,
    "illegal_building_demolished": "m2",
    "ruined_wall_removed": "m2",
    "wall_painted": "m2",
    "mural_painted": "m2",
    "park_built": "m2",
    "square_built": "m2",
}


@registry.register
class WorksProposed(EventPayload):
    """民生工程 proposed: by staff, from an issue escalated as needing works, or from a
    deliberation's plan."""

    event_type = "livelihood.works.proposed.v1"
    works_id: NotPersonal
    category: Category
    title: NotPersonal
    planned_quantity: Quantity
    unit: Unit
    budget_yuan: Yuan
    issue_ids: tuple[NotPersonal, ...] = ()
    deliberation_id: NotPersonal | None = None
    source: Source = "staff"


@registry.register
class WorksApproved(EventPayload):
    """Approved on a deliberation that passed 四议两公开, with the funding it will draw on."""

    event_type = "livelihood.works.approved.v1"
    works_id: NotPersonal
    deliberation_id: NotPersonal
    approved_by: Pseudonym
    funding: tuple[Funding, ...]


@registry.register
class WorksFunded(EventPayload):
    event_type = "livelihood.works.funded.v1"
    works_id: NotPersonal
    source: Funding
    amount_yuan: Yuan
    partner: NotPersonal | None = None  # the enterprise, when one pays (村企联建)


@registry.register
class WorksStarted(EventPayload):
    event_type = "livelihood.works.started.v1"
    works_id: NotPersonal
    started_on: date
    contractor_id: Pseudonym  # who builds it: never the one who accepts it
    contractor: NotPersonal  # a company or a team, by name


@registry.register
class WorksProgressReported(EventPayload):
    event_type = "livelihood.works.progress_reported.v1"
    works_id: NotPersonal
    quantity_done: Quantity  # so far, in the works' unit
    note: NotPersonal | None = None
    photos: tuple[NotPersonal, ...] = ()  # references to stored photos, not the photos


@registry.register
class WorksChangeApproved(EventPayload):
    """An approved change: a new budget (and planned quantity) — what overspending needs."""

    event_type = "livelihood.works.change_approved.v1"
    works_id: NotPersonal
    budget_yuan: Yuan
    planned_quantity: Quantity
    reason: NotPersonal
    approved_by: Pseudonym


@registry.register
class WorksCompleted(EventPayload):
    """**Works completed**: grid resolves the issues it lists; ``lead_party_member_id`` is the
    party member who led the works (scored when a resident confirms an issue it resolved)."""

    event_type = "livelihood.works.completed.v1"
    works_id: NotPersonal
    category: Category
    quantity: Quantity
    unit: Unit
    cost_yuan: Yuan
    completed_on: date
    issue_ids: tuple[NotPersonal, ...] = ()
    deliberation_id: NotPersonal | None = None
    lead_party_member_id: Pseudonym | None = None


@registry.register
class WorksAccepted(EventPayload):
    """验收: passed, or failed (the works go back to in progress)."""

    event_type = "livelihood.works.accepted.v1"
    works_id: NotPersonal
    accepted_by: Pseudonym
    passed: bool
    note: NotPersonal | None = None


@registry.register
class RemediationCampaignStarted(EventPayload):
    """人居环境整治 (六乱治理): a campaign, and the partners that work in it (村企联建)."""

    event_type = "livelihood.remediation.campaign_started.v1"
    campaign_id: NotPersonal
    name: NotPersonal
    starts_on: date
    partners: tuple[NotPersonal, ...] = ()


@registry.register
class RemediationRecorded(EventPayload):
    event_type = "livelihood.remediation.recorded.v1"
    action_id: NotPersonal
    campaign_id: NotPersonal
    kind: RemediationKind
    count: int = Field(ge=1, le=100000)
    quantity: Quantity | None = None
    unit: Literal["m2", "m3"] | None = None
    partner: NotPersonal | None = None
    done_on: date


class Requester(PersonsData):
    """The resident who asked, and their words (sealed under their key)."""

    subject_field = "resident_id"
    resident_id: Pseudonym
    words: Personal | None = None


@registry.register
class PracticalThingPromised(EventPayload):
    """为民办实事: a resident's request or a deliberation's decision, an owner, a deadline."""

    event_type = "livelihood.practical_thing.promised.v1"
    item_id: NotPersonal
    title: NotPersonal
    owner_id: Pseudonym
    deadline: date
    requester: Requester | None = None
    deliberation_id: NotPersonal | None = None
    issue_id: NotPersonal | None = None


@registry.register
class PracticalThingDone(EventPayload):
    event_type = "livelihood.practical_thing.done.v1"
    item_id: NotPersonal
    title: NotPersonal
    done_on: date
    beneficiaries: int = Field(ge=0, le=1000000)
    issue_id: NotPersonal | None = None
    deliberation_id: NotPersonal | None = None


@registry.register
class PracticalThingAcknowledged(EventPayload):
    """The resident who asked says it is done (or not)."""

    event_type = "livelihood.practical_thing.acknowledged.v1"
    item_id: NotPersonal
    resident_id: Pseudonym
    satisfied: bool
