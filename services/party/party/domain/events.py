"""The party service's events (``party.*``), as the catalogue names them."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, Field
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


@registry.register
class PointsRuleDefined(EventPayload):
    """A rule of the points system (积分制), in a numbered version of the catalogue."""

    event_type = "party.points_rule.defined.v1"
    rule_id: str
    version: int = Field(ge=1)
    name: str
    category: RuleCategory
    points: Decimal = Field(max_digits=6, decimal_places=2)
    cap_per_period: Decimal | None = Field(None, gt=0, max_digits=7, decimal_places=2)


@registry.register
class MemberScored(EventPayload):
    """Points given (or taken) by a rule, with the reason and what caused it."""

    event_type = "party.member.scored.v1"
    member_id: str
    rule_id: str
    rule_version: int
    points: Decimal = Field(max_digits=7, decimal_places=2)
    period: int = Field(ge=2000, le=2100)
    reason: str
    source_event_id: str | None = None


@registry.register
class NoticePublished(EventPayload):
    """The year's totals put up for public notice (公示); objections are taken until it ends."""

    event_type = "party.points_notice.published.v1"
    period: int
    published_at: AwareDatetime
    ends_at: AwareDatetime


@registry.register
class ObjectionRaised(EventPayload):
    event_type = "party.points_notice.objection_raised.v1"
    objection_id: str
    period: int
    member_id: str
    raised_by: str
    text: str


@registry.register
class ObjectionAnswered(EventPayload):
    event_type = "party.points_notice.objection_answered.v1"
    objection_id: str
    answer: str
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
    deliberation_id: str
    kind: DeliberationKind
    topic: str
    matter: Matter


class QA(EventPayload):
    question: str
    asked_by: str
    answer: str | None = None


@registry.register
class StepCompleted(EventPayload):
    event_type = "party.deliberation.step_completed.v1"
    deliberation_id: str
    step: Step
    summary: str
    attachments: tuple[str, ...] = ()
    questions: tuple[QA, ...] = ()
    plan_items: tuple[str, ...] = ()
    works_items: tuple[str, ...] = ()


@registry.register
class PartyMeetingHeld(EventPayload):
    """四议: the party members' meeting on the matter (党员大会审议)."""

    event_type = "party.deliberation.party_meeting_held.v1"
    deliberation_id: str
    members_total: int = Field(ge=1)
    attending: int = Field(ge=0)
    agreeing: int = Field(ge=0)


@registry.register
class VillagersResolved(EventPayload):
    """四议: the villagers' (representatives') meeting resolution (村民(代表)会议决议)."""

    event_type = "party.deliberation.villagers_resolved.v1"
    deliberation_id: str
    representatives: bool
    passed: bool
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)


@registry.register
class DeliberationAnnounced(EventPayload):
    event_type = "party.deliberation.announced.v1"
    deliberation_id: str
    announcement: str
    published_at: AwareDatetime


ActivityKind = Literal["theme_party_day", "party_lesson", "study_tour", "other"]


@registry.register
class ActivityHeld(EventPayload):
    """两日活动: a theme party day, a party lesson (by a veteran or cadre), or a study tour."""

    event_type = "party.activity.held.v1"
    activity_id: str
    kind: ActivityKind
    title: str
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    lecturer_member_id: str | None = None
    destination: str | None = None


@registry.register
class ActivityAttended(EventPayload):
    event_type = "party.activity.attended.v1"
    activity_id: str
    member_id: str


OrgKind = Literal["general_branch", "branch", "party_group"]


@registry.register
class OrganizationEstablished(EventPayload):
    """总支 → 支部 → 党小组; a party group is laid over one grid."""

    event_type = "party.organization.established.v1"
    org_id: str
    name: str
    kind: OrgKind
    parent_id: str | None = None
    grid_id: str | None = Field(None, pattern=r"^\d{15}$")


@registry.register
class MemberRegistered(EventPayload):
    event_type = "party.member.registered.v1"
    member_id: str
    name: str
    org_id: str
    status: Literal["full", "probationary"]
    joined_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    veteran: bool = False


@registry.register
class MemberTransferred(EventPayload):
    event_type = "party.member.transferred.v1"
    member_id: str
    from_org_id: str
    to_org_id: str


@registry.register
class RotationScheduled(EventPayload):
    """村民代表轮岗: a villagers' representative takes a turn in the committee's work."""

    event_type = "party.representative.rotation_scheduled.v1"
    person_id: str
    name: str
    starts_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    ends_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    duty: str
