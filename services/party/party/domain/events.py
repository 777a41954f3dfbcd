"""The party service's events (``party.*``), as the catalogue names them.

Every string field is classified where it is declared (``xiangzhi.pii``): ``Personal`` (sealed
under its data subject's key before it is stored), ``NotPersonal``, or ``Pseudonym`` (an id
naming a person, kept in clear). An event with personal fields names whose they are.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field
from xiangzhi.money import Quantity, Yuan
from xiangzhi.pii import NotPersonal, Personal, PersonsData, Pseudonym
from xiangzhi.registry import EventPayload, EventRegistry

registry = EventRegistry()

RuleCategory = Literal["study", "service", "example", "discipline"]
DeliberationKind = Literal["sentiment_talk", "villager_deliberation", "women_deliberation"]
Step = Literal[
    "collect_opinions", "set_agenda", "consult", "report", "make_plan", "publish_announcement"
]
STEPS: tuple[Step, ...] = (
    "collect_opinions",
    "set_agenda",
    "consult",
    "report",
    "make_plan",
    "publish_announcement",
)
Matter = Literal[
    "land_contracting", "collective_assets", "public_works", "village_rules", "livelihood", "other"
]
DATE = r"^\d{4}-\d{2}-\d{2}$"


@registry.register
class PointsRuleDefined(EventPayload):
    """A rule of the points system (积分制), in a numbered version of the catalogue."""

    event_type = "party.points_rule.defined.v1"
    rule_id: NotPersonal
    version: int = Field(ge=1)
    name: NotPersonal
    category: RuleCategory
    points: Decimal = Field(max_digits=6, decimal_places=2)
    cap_per_period: Decimal | None = Field(None, gt=0, max_digits=7, decimal_places=2)


@registry.register
class MemberScored(EventPayload):
    """Points given (or taken) by a rule, with the reason and what caused it."""

    event_type = "party.member.scored.v1"
    member_id: Pseudonym
    rule_id: NotPersonal
    rule_version: int
    points: Decimal = Field(max_digits=7, decimal_places=2)
    period: int = Field(ge=2000, le=2100)
    reason: NotPersonal
    source_event_id: NotPersonal | None = None


@registry.register
class NoticePublished(EventPayload):
    """The year's totals put up for public notice (公示); objections are taken until it ends."""

    event_type = "party.points_notice.published.v1"
    period: int
    published_at: AwareDatetime
    ends_at: AwareDatetime


@registry.register
class ObjectionRaised(PersonsData):
    event_type = "party.points_notice.objection_raised.v1"
    subject_field = "raised_by"
    objection_id: NotPersonal
    period: int
    member_id: Pseudonym
    raised_by: Pseudonym
    text: Personal


@registry.register
class ObjectionAnswered(EventPayload):
    event_type = "party.points_notice.objection_answered.v1"
    objection_id: NotPersonal
    answer: NotPersonal
    adjusted: bool
    # Added with a default: the adjustment's points (also scored on the member's ledger).
    points: Decimal | None = Field(None, max_digits=7, decimal_places=2)


@registry.register
class NoticeClosed(EventPayload):
    event_type = "party.points_notice.closed.v1"
    period: int


@registry.register
class DeliberationOpened(EventPayload):
    event_type = "party.deliberation.opened.v1"
    deliberation_id: NotPersonal
    kind: DeliberationKind
    topic: NotPersonal
    matter: Matter


class QA(PersonsData):
    """A villager's question at a consultation (its asker's words and name), and the answer."""

    subject_field = "asked_by"
    question: Personal
    asked_by: Personal
    answer: NotPersonal | None = None


WorksCategory = Literal[
    "drainage", "road", "field_road", "leak_repair", "service_centre", "elderly_care", "park",
    "square", "wall_painting", "mural", "ruined_wall", "other",
]  # fmt: skip


class WorksItem(BaseModel):
    """A public works item of a plan, as livelihood proposes it (the catalogue's categories and
    units; quantity and budget when the plan says them)."""

    title: NotPersonal
    category: WorksCategory = "other"
    quantity: Quantity | None = None
    unit: Literal["m", "m2", "m3", "spot", "item"] | None = None
    budget_yuan: Yuan | None = None


@registry.register
class StepCompleted(EventPayload):
    """v2: ``works_items`` are structured (v1 kept them as free text: see the upcaster)."""

    event_type = "party.deliberation.step_completed.v2"
    deliberation_id: NotPersonal
    step: Step
    summary: NotPersonal
    attachments: tuple[NotPersonal, ...] = ()
    questions: tuple[QA, ...] = ()
    plan_items: tuple[NotPersonal, ...] = ()
    works_items: tuple[WorksItem, ...] = ()


@registry.upcaster("party.deliberation.step_completed.v1", StepCompleted.event_type)
def _works_items_structured(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 works item was a line of text: it becomes an item of category "other" with that
    title, its quantity and budget unknown (livelihood proposes it as one item)."""
    items = [{"title": text} for text in data.get("works_items", ())]
    return {**data, "works_items": items}


@registry.register
class PartyMeetingHeld(EventPayload):
    """四议: the party members' meeting on the matter (党员大会审议)."""

    event_type = "party.deliberation.party_meeting_held.v1"
    deliberation_id: NotPersonal
    members_total: int = Field(ge=1)
    attending: int = Field(ge=0)
    agreeing: int = Field(ge=0)


@registry.register
class VillagersResolved(EventPayload):
    """四议: the villagers' (representatives') meeting resolution (村民(代表)会议决议)."""

    event_type = "party.deliberation.villagers_resolved.v1"
    deliberation_id: NotPersonal
    representatives: bool
    passed: bool
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)


@registry.register
class DeliberationAnnounced(EventPayload):
    event_type = "party.deliberation.announced.v1"
    deliberation_id: NotPersonal
    announcement: NotPersonal
    published_at: AwareDatetime


ActivityKind = Literal["theme_party_day", "party_lesson", "study_tour", "other"]


@registry.register
class ActivityHeld(EventPayload):
    """两日活动: a theme party day, a party lesson (by a veteran or cadre), or a study tour."""

    event_type = "party.activity.held.v1"
    activity_id: NotPersonal
    kind: ActivityKind
    title: NotPersonal
    date: NotPersonal = Field(pattern=DATE)
    lecturer_member_id: Pseudonym | None = None
    destination: NotPersonal | None = None


@registry.register
class ActivityAttended(EventPayload):
    event_type = "party.activity.attended.v1"
    activity_id: NotPersonal
    member_id: Pseudonym


OrgKind = Literal["general_branch", "branch", "party_group"]


@registry.register
class OrganizationEstablished(EventPayload):
    """总支 → 支部 → 党小组; a party group is laid over one grid."""

    event_type = "party.organization.established.v1"
    org_id: NotPersonal
    name: NotPersonal
    kind: OrgKind
    parent_id: NotPersonal | None = None
    grid_id: NotPersonal | None = Field(None, pattern=r"^\d{15}$")


@registry.register
class MemberRegistered(PersonsData):
    event_type = "party.member.registered.v1"
    subject_field = "member_id"
    member_id: Pseudonym
    name: Personal
    org_id: NotPersonal
    status: Literal["full", "probationary"]
    joined_on: NotPersonal = Field(pattern=DATE)
    veteran: bool = False


@registry.register
class MemberTransferred(EventPayload):
    event_type = "party.member.transferred.v1"
    member_id: Pseudonym
    from_org_id: NotPersonal
    to_org_id: NotPersonal


@registry.register
class RotationScheduled(PersonsData):
    """村民代表轮岗: a villagers' representative takes a turn in the committee's work."""

    event_type = "party.representative.rotation_scheduled.v1"
    subject_field = "person_id"
    person_id: Pseudonym
    name: Personal
    starts_on: NotPersonal = Field(pattern=DATE)
    ends_on: NotPersonal = Field(pattern=DATE)
    duty: NotPersonal
