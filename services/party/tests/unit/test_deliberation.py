"""The six-step deliberation and 四议两公开 — pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from party.domain import commands as c
from party.domain import deliberation as d
from party.domain.events import QA, STEPS
from xiangzhi.errors import DomainError, IllegalTransitionError

NOW = datetime(2026, 11, 29, tzinfo=UTC)
ANSWERED = (QA(question="排水走哪条街？", asked_by="村民甲", answer="走正街，已测量"),)


def _opened(matter: str = "livelihood") -> d.Deliberation:
    return d.fold(
        d.open_deliberation(
            d.Deliberation(),
            c.OpenDeliberation.model_construct(
                deliberation_id="d1", kind="villager_deliberation", topic="正街下水", matter=matter
            ),
        )
    )  # type: ignore[arg-type]


def _through(state: d.Deliberation, last: str) -> d.Deliberation:
    for step in STEPS[: STEPS.index(last) + 1]:  # type: ignore[arg-type]
        [event] = d.complete_step(state, step, c.CompleteStep.model_construct(summary=step, questions=ANSWERED if step == 'consult' else (), plan_items=('新建正街下水300米',) if step == 'make_plan' else ()))  # fmt: skip
        state = d.evolve(state, event)
    return state


def test_the_six_steps_go_strictly_in_order() -> None:
    state = _opened()
    with pytest.raises(IllegalTransitionError, match="next step is collect_opinions") as refused:
        d.complete_step(state, "set_agenda", c.CompleteStep.model_construct(summary="x"))
    assert refused.value.extensions["next_step"] == "collect_opinions"
    state = _through(state, "report")
    assert state.next_step == "make_plan"
    with pytest.raises(IllegalTransitionError):
        d.complete_step(state, "report", c.CompleteStep.model_construct(summary="again"))


def test_every_question_in_consultation_is_answered() -> None:
    state = _through(_opened(), "set_agenda")
    with pytest.raises(DomainError, match="事事有回应") as refused:
        d.complete_step(
            state,
            "consult",
            c.CompleteStep.model_construct(
                summary="x", questions=(QA(question="钱从哪来？", asked_by="村民乙"),)
            ),
        )
    assert refused.value.extensions["unanswered"] == ["钱从哪来？"]
    with pytest.raises(DomainError, match="questions asked"):
        d.complete_step(state, "consult", c.CompleteStep.model_construct(summary="x"))


def test_an_ordinary_matter_plans_without_the_four_and_two() -> None:
    assert _through(_opened("livelihood"), "make_plan").next_step == "publish_announcement"


@pytest.mark.parametrize(
    "matter", ["land_contracting", "collective_assets", "public_works", "village_rules"]
)
def test_a_four_and_two_matter_needs_both_meetings_before_a_plan(matter: str) -> None:
    state = _through(_opened(matter), "report")
    with pytest.raises(IllegalTransitionError, match="四议两公开") as refused:
        d.complete_step(
            state, "make_plan", c.CompleteStep.model_construct(summary="x", plan_items=("x",))
        )
    assert refused.value.extensions["missing"] == [
        "party members' meeting",
        "villagers' meeting resolution",
    ]
    state = d.evolve(
        state,
        d.record_party_meeting(
            state, c.PartyMeeting.model_construct(members_total=30, attending=20, agreeing=11)
        )[0],
    )
    with pytest.raises(IllegalTransitionError, match="villagers' meeting resolution"):
        d.complete_step(
            state, "make_plan", c.CompleteStep.model_construct(summary="x", plan_items=("x",))
        )
    state = d.evolve(
        state,
        d.record_villagers_resolution(
            state,
            c.VillagersMeeting.model_construct(representatives=True, votes_for=25, votes_against=3),
        )[0],
    )
    assert d.complete_step(
        state, "make_plan", c.CompleteStep.model_construct(summary="x", plan_items=("x",))
    )


@pytest.mark.parametrize(
    ("total", "attending", "agreeing", "passes"),
    [
        (30, 20, 11, True),
        (30, 19, 19, False),
        (30, 20, 10, False),
        (3, 2, 2, True),
        (30, 30, 16, True),
    ],
)
def test_the_party_meeting_needs_two_thirds_attending_and_more_than_half_agreeing(
    total: int, attending: int, agreeing: int, passes: bool
) -> None:
    state = _opened("public_works")
    [meeting] = d.record_party_meeting(
        state,
        c.PartyMeeting.model_construct(members_total=total, attending=attending, agreeing=agreeing),
    )
    assert d.party_meeting_passes(meeting) is passes


def test_a_failed_villagers_vote_does_not_open_the_plan() -> None:
    state = _through(_opened("village_rules"), "report")
    state = d.evolve(
        state,
        d.record_party_meeting(
            state, c.PartyMeeting.model_construct(members_total=9, attending=9, agreeing=9)
        )[0],
    )
    state = d.evolve(
        state,
        d.record_villagers_resolution(
            state,
            c.VillagersMeeting.model_construct(
                representatives=False, votes_for=10, votes_against=10
            ),
        )[0],
    )
    with pytest.raises(IllegalTransitionError):
        d.complete_step(
            state, "make_plan", c.CompleteStep.model_construct(summary="x", plan_items=("x",))
        )


def test_meeting_figures_must_add_up() -> None:
    with pytest.raises(DomainError):
        d.record_party_meeting(
            _opened(), c.PartyMeeting.model_construct(members_total=10, attending=11, agreeing=5)
        )
    with pytest.raises(DomainError):
        d.record_party_meeting(
            _opened(), c.PartyMeeting.model_construct(members_total=10, attending=8, agreeing=9)
        )


def test_a_plan_has_items_and_the_announcement_ends_it() -> None:
    state = _through(_opened(), "report")
    with pytest.raises(DomainError, match="items"):
        d.complete_step(state, "make_plan", c.CompleteStep.model_construct(summary="x"))
    state = _through(_opened(), "make_plan")
    events = d.announce(state, c.Announce.model_construct(text="关于新建正街下水的公告"), now=NOW)
    assert [type(e).__name__ for e in events] == ["StepCompleted", "DeliberationAnnounced"]
    with pytest.raises(IllegalTransitionError):
        d.announce(_opened(), c.Announce.model_construct(text="too early"), now=NOW)


def test_a_v1_step_with_free_text_works_items_reads_as_v2_structured() -> None:
    """Events stored before works items were structured still read, as items of category
    "other" with that title (the upcaster), and a new step keeps its structure."""
    from party.domain.events import StepCompleted, WorksItem, registry

    old = {"deliberation_id": "d-1", "step": "make_plan", "summary": "方案",
           "plan_items": ["硬化北街"], "works_items": ["硬化北街 800 米", "修补漏水点"]}  # fmt: skip
    parsed = registry.parse("party.deliberation.step_completed.v1", old)
    assert isinstance(parsed, StepCompleted)
    assert parsed.event_type == "party.deliberation.step_completed.v2"
    assert parsed.works_items == (
        WorksItem(title="硬化北街 800 米"),
        WorksItem(title="修补漏水点"),
    )
    assert parsed.works_items[0].category == "other" and parsed.works_items[0].quantity is None
    new = WorksItem(title="正街下水", category="drainage", quantity="300", unit="m",
                    budget_yuan="360000.00")  # fmt: skip
    assert registry.parse(
        StepCompleted.event_type, {**old, "works_items": [new.model_dump(mode="json")]}
    ).works_items == (new,)  # type: ignore[attr-defined]
