"""Deliberation (民情恳谈, 百姓议事, 妇女议事): six steps, strictly in order.

收集意见 collect opinions → 确定议题 set agenda → 开展协商 consult → 情况通报 report →
制定方案 make plan → 发布公告 publish announcement.

- "Every matter answered" (事事有回应): consult completes only when every question asked has
  its answer recorded.
- 四议两公开: a matter that by law needs it (land contracting, collective assets, public works,
  village rules) reaches "make plan" only after a party members' meeting with at least two
  thirds attending and more than half of those attending agreeing, and a resolution passed by
  the villagers' (representatives') meeting.
- The published announcement is public: anyone in the village reads it without logging in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from xiangzhi import governance, streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import (
    Announce,
    CompleteStep,
    OpenDeliberation,
    PartyMeeting,
    VillagersMeeting,
)
from .events import (
    STEPS,
    DeliberationAnnounced,
    DeliberationOpened,
    Matter,
    PartyMeetingHeld,
    Step,
    StepCompleted,
    VillagersResolved,
    WorksItem,
)

FOUR_AND_TWO: frozenset[str] = frozenset(
    {"land_contracting", "collective_assets", "public_works", "village_rules"}
)

Event = (
    DeliberationOpened
    | StepCompleted
    | PartyMeetingHeld
    | VillagersResolved
    | DeliberationAnnounced
)


@dataclass(frozen=True)
class Deliberation:
    deliberation_id: str = ""
    opened: bool = False
    matter: Matter | None = None
    done: tuple[Step, ...] = ()
    party_meeting_ok: bool = False
    villagers_ok: bool = False
    announced: bool = False

    @property
    def next_step(self) -> Step | None:
        return STEPS[len(self.done)] if len(self.done) < len(STEPS) else None

    @property
    def state(self) -> str:
        return (
            "announced"
            if self.announced
            else (self.done[-1] if self.done else ("opened" if self.opened else "new"))
        )


def evolve(state: Deliberation, event: Event) -> Deliberation:
    match event:
        case DeliberationOpened():
            return Deliberation(
                deliberation_id=event.deliberation_id, opened=True, matter=event.matter
            )
        case StepCompleted():
            return replace(state, done=(*state.done, event.step))
        case PartyMeetingHeld():
            return replace(state, party_meeting_ok=party_meeting_passes(event))
        case VillagersResolved():
            return replace(state, villagers_ok=event.passed)
        case DeliberationAnnounced():
            return replace(state, announced=True)
    raise TypeError(f"not a deliberation event: {event!r}")


def fold(events: Sequence[Event]) -> Deliberation:
    return streams.fold(Deliberation(), evolve, events)


def party_meeting_passes(meeting: PartyMeetingHeld) -> bool:
    """At least two thirds attending, and more than half of those attending agreeing (the
    kit's rule: economy and livelihood apply it to their copies of this event)."""
    return governance.party_meeting_passes(
        meeting.members_total, meeting.attending, meeting.agreeing
    )


def open_deliberation(state: Deliberation, cmd: OpenDeliberation) -> list[DeliberationOpened]:
    if state.opened:
        raise IllegalTransitionError("already opened", current_state=state.state)
    return [
        DeliberationOpened(
            deliberation_id=cmd.deliberation_id, kind=cmd.kind, topic=cmd.topic, matter=cmd.matter
        )
    ]


def complete_step(state: Deliberation, step: Step, cmd: CompleteStep) -> list[StepCompleted]:
    questions, plan_items = cmd.questions, cmd.plan_items
    if not state.opened:
        raise IllegalTransitionError("the deliberation is not opened", current_state="new")
    if step != state.next_step:
        raise IllegalTransitionError(
            f"the next step is {state.next_step}, not {step}",
            current_state=state.state,
            next_step=state.next_step,
        )
    if step == "consult":
        if not questions:
            raise DomainError("consultation records the questions asked", field="questions")
        unanswered = [q.question for q in questions if not (q.answer and q.answer.strip())]
        if unanswered:
            raise DomainError(
                f"事事有回应: {len(unanswered)} question(s) have no answer",
                field="questions",
                unanswered=unanswered,
            )
    if step == "make_plan":
        if state.matter in FOUR_AND_TWO and not (state.party_meeting_ok and state.villagers_ok):
            needed = (
                ("party members' meeting", state.party_meeting_ok),
                ("villagers' meeting resolution", state.villagers_ok),
            )
            missing = [name for name, ok in needed if not ok]
            raise IllegalTransitionError(
                f"四议两公开: a {state.matter} matter needs {' and '.join(missing)} before a plan",
                current_state=state.state,
                missing=missing,
            )
        if not plan_items:
            raise DomainError("a plan has items", field="plan_items")
    return [
        StepCompleted(
            deliberation_id=state.deliberation_id,
            step=step,
            summary=cmd.summary,
            attachments=tuple(cmd.attachments),
            questions=tuple(questions),
            plan_items=tuple(plan_items),
            works_items=tuple(
                WorksItem(title=item) if isinstance(item, str) else item for item in cmd.works_items
            ),
        )
    ]


def record_party_meeting(state: Deliberation, cmd: PartyMeeting) -> list[PartyMeetingHeld]:
    members_total, attending, agreeing = cmd.members_total, cmd.attending, cmd.agreeing
    if not state.opened or state.announced:
        raise IllegalTransitionError("no open deliberation", current_state=state.state)
    if attending > members_total or agreeing > attending:
        raise DomainError("attending ≤ members, agreeing ≤ attending", field="attending")
    return [
        PartyMeetingHeld(
            deliberation_id=state.deliberation_id,
            members_total=members_total,
            attending=attending,
            agreeing=agreeing,
        )
    ]


def record_villagers_resolution(
    state: Deliberation, cmd: VillagersMeeting
) -> list[VillagersResolved]:
    votes_for, votes_against = cmd.votes_for, cmd.votes_against
    if not state.opened or state.announced:
        raise IllegalTransitionError("no open deliberation", current_state=state.state)
    return [
        VillagersResolved(
            deliberation_id=state.deliberation_id,
            representatives=cmd.representatives,
            passed=votes_for > votes_against,
            votes_for=votes_for,
            votes_against=votes_against,
        )
    ]


def announce(
    state: Deliberation, cmd: Announce, *, now: datetime
) -> list[StepCompleted | DeliberationAnnounced]:
    """The sixth step and the public announcement, together."""
    text = cmd.text
    # The announcement is the step's summary (validated as the announcement it is).
    step = complete_step(state, "publish_announcement", CompleteStep.model_construct(summary=text))
    return [
        *step,
        DeliberationAnnounced(
            deliberation_id=state.deliberation_id, announcement=text, published_at=now
        ),
    ]
