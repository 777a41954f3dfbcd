"""Public works (民生工程): proposed → approved → funded → started → progress → completed →
accepted — pure.

Given events, when a decision, then events (or an error).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from livelihood.domain import works as w
from livelihood.domain.commands import (
    AcceptWorks,
    ApproveChange,
    ApproveWorks,
    CompleteWorks,
    FundWorks,
    ProposeWorks,
    ReportProgress,
    StartWorks,
)
from livelihood.domain.events import (
    COUNTED,
    UNITS,
    WorksAccepted,
    WorksApproved,
    WorksChangeApproved,
    WorksCompleted,
    WorksFunded,
    WorksProgressReported,
    WorksProposed,
    WorksStarted,
)
from xiangzhi.errors import DomainError, ForbiddenError, IllegalTransitionError
from xiangzhi.governance import Citation
from xiangzhi.permissions import PermissionDeniedError

TODAY = date(2026, 11, 29)
STARTED_ON = date(2026, 5, 4)
DELIBERATION = "d-1"
PASSED = Citation(DELIBERATION, "public_works", party_meeting_passed=True, villagers_passed=True)
SECRETARY = "p-secretary"
CONTRACTOR = "p-contractor"
INSPECTOR = "p-inspector"


# ------------------------------------------------------------------ givens


def _propose_cmd(**overrides: object) -> ProposeWorks:
    fields: dict[str, object] = {
        "works_id": "w-1",
        "category": "drainage",
        "title": "东街排水沟",
        "planned_quantity": "300",
        "unit": "m",
        "budget_yuan": "120000.00",
        "issue_ids": ["i-1"],
        "deliberation_id": DELIBERATION,
    }
    fields.update(overrides)
    return ProposeWorks.model_validate(fields)


def _proposed(**overrides: object) -> WorksProposed:
    [event] = w.propose(w.Works(), _propose_cmd(**overrides))
    return event


def _approve(
    state: w.Works,
    *,
    citation: Citation | None = PASSED,
    rule: str | None = None,
    approver: str = SECRETARY,
    **fields: object,
) -> list[WorksApproved]:
    cmd = ApproveWorks.model_validate({"funding": ["collective"], **fields})
    return w.approve(state, cmd, citation=citation, approver=approver, rule=rule)


def _approved(
    state: w.Works,
    *,
    citation: Citation | None = PASSED,
    rule: str | None = None,
    approver: str = SECRETARY,
    **fields: object,
) -> WorksApproved:
    [event] = _approve(state, citation=citation, rule=rule, approver=approver, **fields)
    return event


def _started(state: w.Works, started_on: date = STARTED_ON) -> WorksStarted:
    cmd = StartWorks(started_on=started_on, contractor_id=CONTRACTOR, contractor="鑫达建筑队")
    [event] = w.start(state, cmd, today=TODAY)
    return event


def _then(state: w.Works, events: Sequence[w.Event]) -> w.Works:
    for event in events:
        state = w.evolve(state, event)
    return state


def _proposed_state(**overrides: object) -> w.Works:
    return w.fold([_proposed(**overrides)])


def _approved_state(**overrides: object) -> w.Works:
    state = _proposed_state(**overrides)
    return _then(state, [_approved(state)])


def _in_progress(**overrides: object) -> w.Works:
    state = _approved_state(**overrides)
    return _then(state, [_started(state)])


def _at(stage: str) -> w.Works:
    """Works in ``stage``, as the happy path leaves them."""
    stages: dict[str, Callable[[], w.Works]] = {
        "new": w.Works,
        "proposed": _proposed_state,
        "approved": _approved_state,
        "in_progress": _in_progress,
        "completed": _completed_state,
    }
    return stages[stage]()


def _complete_cmd(**overrides: object) -> CompleteWorks:
    fields: dict[str, object] = {
        "quantity": "300",
        "cost_yuan": "118000.00",
        "completed_on": date(2026, 10, 30),
    }
    fields.update(overrides)
    return CompleteWorks.model_validate(fields)


def _complete(state: w.Works, **overrides: object) -> list[WorksCompleted]:
    return w.complete(state, _complete_cmd(**overrides), today=TODAY)


def _completed_state(**overrides: object) -> w.Works:
    state = _in_progress(**overrides)
    return _then(state, _complete(state))


def _progress(state: w.Works, done: str) -> list[WorksProgressReported]:
    return w.report_progress(state, ReportProgress.model_validate({"quantity_done": done}))


def _change(state: w.Works, budget: str, planned: str | None = None) -> list[WorksChangeApproved]:
    cmd = ApproveChange.model_validate(
        {"budget_yuan": budget, "planned_quantity": planned, "reason": "加深加宽"}
    )
    return w.approve_change(state, cmd, approver=SECRETARY)


# ------------------------------------------------------------------ propose


def test_works_are_proposed_with_their_plan_and_budget() -> None:
    [event] = w.propose(w.Works(), _propose_cmd())
    assert event == WorksProposed(
        works_id="w-1",
        category="drainage",
        title="东街排水沟",
        planned_quantity=Decimal("300"),
        unit="m",
        budget_yuan=Decimal("120000.00"),
        issue_ids=("i-1",),
        deliberation_id=DELIBERATION,
        source="staff",
    )
    state = w.fold([event])
    assert state.stage == "proposed"
    assert (state.planned, state.budget, state.unit) == (Decimal(300), Decimal(120000), "m")


def test_drainage_is_not_measured_in_square_metres() -> None:
    with pytest.raises(DomainError) as refused:
        w.propose(w.Works(), _propose_cmd(category="drainage", unit="m2"))
    assert refused.value.status == 422
    assert refused.value.extensions["field"] == "unit"
    assert "drainage" in refused.value.detail


@pytest.mark.parametrize(
    ("category", "unit"),
    [(category, unit) for category, units in UNITS.items() for unit in sorted(units)],
)
def test_every_category_is_proposed_in_the_units_it_is_measured_in(
    category: str, unit: str
) -> None:
    [event] = w.propose(w.Works(), _propose_cmd(category=category, unit=unit, planned_quantity="2"))
    assert (event.category, event.unit) == (category, unit)


@pytest.mark.parametrize(
    ("category", "unit"),
    [
        (category, unit)
        for category, units in UNITS.items()
        for unit in ("m", "m2", "m3", "spot", "item")
        if unit not in units
    ],
)
def test_a_unit_that_does_not_fit_the_category_is_refused(category: str, unit: str) -> None:
    with pytest.raises(DomainError) as refused:
        w.propose(w.Works(), _propose_cmd(category=category, unit=unit, planned_quantity="2"))
    assert refused.value.extensions["field"] == "unit"


def test_leaks_are_repaired_by_the_spot() -> None:
    [event] = w.propose(
        w.Works(), _propose_cmd(category="leak_repair", unit="spot", planned_quantity="51")
    )
    assert (event.unit, event.planned_quantity) == ("spot", Decimal(51))


@pytest.mark.parametrize("unit", sorted(COUNTED))
def test_counted_units_are_whole_numbers(unit: str) -> None:
    with pytest.raises(DomainError) as refused:
        w.propose(w.Works(), _propose_cmd(category="other", unit=unit, planned_quantity="2.5"))
    assert refused.value.extensions["field"] == "planned_quantity"
    # "3.000" spots are three spots
    [event] = w.propose(
        w.Works(), _propose_cmd(category="other", unit=unit, planned_quantity="3.000")
    )
    assert event.planned_quantity == 3


def test_measured_units_take_fractions() -> None:
    [event] = w.propose(w.Works(), _propose_cmd(planned_quantity="300.125"))
    assert event.planned_quantity == Decimal("300.125")


@pytest.mark.parametrize("planned", ["0", "0.000"])
def test_works_plan_more_than_nothing(planned: str) -> None:
    with pytest.raises(DomainError) as refused:
        w.propose(w.Works(), _propose_cmd(planned_quantity=planned))
    assert refused.value.extensions["field"] == "planned_quantity"


def test_works_are_proposed_once() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        w.propose(_proposed_state(), _propose_cmd())
    assert refused.value.status == 409
    assert refused.value.current_state == "proposed"


def test_issues_are_listed_once_each_in_the_order_given() -> None:
    event = _proposed(issue_ids=["i-3", "i-1", "i-3", "i-2", "i-1"])
    assert event.issue_ids == ("i-3", "i-1", "i-2")


@pytest.mark.parametrize("source", ["staff", "issue_escalated", "deliberation_plan"])
def test_the_source_of_a_proposal_is_carried(source: str) -> None:
    [event] = w.propose(w.Works(), _propose_cmd(), source=source)  # type: ignore[arg-type]
    assert event.source == source


# ------------------------------------------------------------------ approve


def test_works_are_approved_on_a_deliberation_that_passed() -> None:
    state = _proposed_state()
    [event] = _approve(state, funding=["county", "collective"], approver="p-zhang")
    assert event == WorksApproved(
        works_id="w-1",
        deliberation_id=DELIBERATION,
        approved_by="p-zhang",
        funding=("county", "collective"),
    )
    after = _then(state, [event])
    assert after.stage == "approved"
    assert after.funding == ("county", "collective")


def test_funding_is_listed_once_each() -> None:
    event = _approved(_proposed_state(), funding=["county", "collective", "county"])
    assert event.funding == ("county", "collective")


def test_the_works_own_deliberation_is_cited_when_the_approval_names_none() -> None:
    own = Citation("d-9", "public_works", party_meeting_passed=True, villagers_passed=True)
    event = _approved(_proposed_state(deliberation_id="d-9"), citation=own)
    assert event.deliberation_id == "d-9"


def test_the_approval_may_cite_another_deliberation() -> None:
    other = Citation("d-2", "public_works", party_meeting_passed=True, villagers_passed=True)
    event = _approved(_proposed_state(), citation=other, deliberation_id="d-2")
    assert event.deliberation_id == "d-2"
    assert _then(_proposed_state(), [event]).deliberation_id == "d-2"


def test_approval_without_any_deliberation_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _approve(_proposed_state(deliberation_id=None), citation=None)
    assert refused.value.status == 422
    assert refused.value.extensions["field"] == "deliberation_id"


def test_approval_on_an_unknown_deliberation_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _approve(_proposed_state(), citation=None)
    assert refused.value.extensions["field"] == "deliberation_id"
    assert DELIBERATION in refused.value.detail


def test_approval_on_a_deliberation_about_another_matter_is_refused() -> None:
    land = Citation(
        DELIBERATION, "land_contracting", party_meeting_passed=True, villagers_passed=True
    )
    with pytest.raises(DomainError) as refused:
        _approve(_proposed_state(), citation=land)
    assert refused.value.extensions["field"] == "deliberation_id"
    assert "land_contracting" in refused.value.detail
    assert "public works" in refused.value.detail


@pytest.mark.parametrize(
    ("party", "villagers", "missing"),
    [(False, True, 1), (True, False, 1), (False, False, 2)],
)
def test_approval_on_a_deliberation_that_has_not_passed_is_refused(
    party: bool, villagers: bool, missing: int
) -> None:
    citation = Citation(DELIBERATION, "public_works", party, villagers)
    with pytest.raises(DomainError) as refused:
        _approve(_proposed_state(), citation=citation)
    assert refused.value.extensions["field"] == "deliberation_id"
    assert len(refused.value.extensions["missing"]) == missing


def test_a_township_officer_approves_only_works_the_county_funds() -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        _approve(_proposed_state(), rule="county_funded", funding=["collective", "enterprise"])
    assert refused.value.status == 403
    assert refused.value.extensions["rule"] == "county_funded"
    assert refused.value.extensions["permission"] == "livelihood.works.approve"


def test_a_township_officer_approves_county_funded_works() -> None:
    event = _approved(
        _proposed_state(),
        rule="county_funded",
        funding=["collective", "county"],
        approver="p-xiang",
    )
    assert event.funding == ("collective", "county")
    assert event.approved_by == "p-xiang"


def test_a_township_officer_still_cites_a_deliberation_that_passed() -> None:
    with pytest.raises(DomainError) as refused:
        _approve(_proposed_state(), rule="county_funded", funding=["county"], citation=None)
    assert not isinstance(refused.value, PermissionDeniedError)
    assert refused.value.extensions["field"] == "deliberation_id"


@pytest.mark.parametrize("stage", ["new", "approved", "in_progress", "completed"])
def test_works_are_approved_only_when_proposed(stage: str) -> None:
    state = _at(stage)
    with pytest.raises(IllegalTransitionError) as refused:
        _approve(state)
    assert refused.value.current_state == stage


# ------------------------------------------------------------------ fund


def test_works_are_funded_from_an_approved_source() -> None:
    state = _approved_state()
    [event] = w.fund(
        state, FundWorks(source="collective", amount_yuan="50000.00", partner="村集体")
    )
    assert event == WorksFunded(
        works_id="w-1", source="collective", amount_yuan=Decimal("50000.00"), partner="村集体"
    )
    assert _then(state, [event]) == state


def test_funding_from_a_source_not_approved_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        w.fund(_approved_state(), FundWorks(source="enterprise", amount_yuan="1000"))
    assert refused.value.extensions["field"] == "source"


@pytest.mark.parametrize("amount", ["0", "0.00"])
def test_funding_is_more_than_nothing(amount: str) -> None:
    with pytest.raises(DomainError) as refused:
        w.fund(_approved_state(), FundWorks(source="collective", amount_yuan=amount))
    assert refused.value.extensions["field"] == "amount_yuan"


@pytest.mark.parametrize("state", [w.Works(), _proposed_state()], ids=["new", "proposed"])
def test_works_are_not_funded_before_approval(state: w.Works) -> None:
    with pytest.raises(IllegalTransitionError):
        w.fund(state, FundWorks(source="collective", amount_yuan="1000"))


def test_works_are_funded_while_built_and_once_completed() -> None:
    for state in (_in_progress(), _completed_state()):
        [event] = w.fund(state, FundWorks(source="collective", amount_yuan="1000"))
        assert event.amount_yuan == 1000


# ------------------------------------------------------------------ start


def test_approved_works_are_started_by_a_contractor() -> None:
    state = _approved_state()
    event = _started(state, started_on=TODAY)
    assert event == WorksStarted(
        works_id="w-1", started_on=TODAY, contractor_id=CONTRACTOR, contractor="鑫达建筑队"
    )
    after = _then(state, [event])
    assert (after.stage, after.started_on, after.contractor_id) == (
        "in_progress",
        TODAY,
        CONTRACTOR,
    )


def test_works_are_not_started_in_the_future() -> None:
    with pytest.raises(DomainError) as refused:
        _started(_approved_state(), started_on=date(2026, 11, 30))
    assert refused.value.extensions["field"] == "started_on"


@pytest.mark.parametrize("stage", ["new", "proposed", "in_progress", "completed"])
def test_works_are_started_only_when_approved(stage: str) -> None:
    state = _at(stage)
    with pytest.raises(IllegalTransitionError) as refused:
        _started(state)
    assert refused.value.current_state == stage


# ------------------------------------------------------------------ progress


def test_progress_is_reported_while_in_progress() -> None:
    state = _in_progress()
    cmd = ReportProgress(quantity_done="120.5", note="已挖沟", photos=["photo/1.jpg"])
    [event] = w.report_progress(state, cmd)
    assert event == WorksProgressReported(
        works_id="w-1", quantity_done=Decimal("120.5"), note="已挖沟", photos=("photo/1.jpg",)
    )
    assert _then(state, [event]).done == Decimal("120.5")


def test_progress_up_to_the_plan_is_reported() -> None:
    [event] = _progress(_in_progress(), "300")
    assert event.quantity_done == 300


def test_progress_beyond_the_plan_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _progress(_in_progress(), "300.001")
    assert refused.value.extensions["field"] == "quantity_done"


def test_progress_on_counted_works_is_a_whole_number() -> None:
    state = _in_progress(category="leak_repair", unit="spot", planned_quantity="51")
    with pytest.raises(DomainError) as refused:
        _progress(state, "2.5")
    assert refused.value.extensions["field"] == "quantity_done"
    [event] = _progress(state, "2")
    assert event.quantity_done == 2


@pytest.mark.parametrize("stage", ["new", "proposed", "approved", "completed"])
def test_progress_is_reported_only_in_progress(stage: str) -> None:
    state = _at(stage)
    with pytest.raises(IllegalTransitionError) as refused:
        _progress(state, "1")
    assert refused.value.current_state == stage


# ------------------------------------------------------------------ change


def test_a_change_raises_the_budget() -> None:
    state = _in_progress()
    [event] = _change(state, "150000.00")
    assert event == WorksChangeApproved(
        works_id="w-1",
        budget_yuan=Decimal("150000.00"),
        planned_quantity=Decimal("300"),
        reason="加深加宽",
        approved_by=SECRETARY,
    )
    assert _then(state, [event]).budget == Decimal(150000)


def test_a_change_raises_the_plan() -> None:
    state = _in_progress()
    [event] = _change(state, "120000.00", "360")
    after = _then(state, [event])
    assert (after.planned, after.budget) == (Decimal(360), Decimal(120000))


def test_a_change_that_lowers_the_budget_alone_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _change(_in_progress(), "100000.00")
    assert refused.value.extensions["field"] == "budget_yuan"


def test_a_change_that_changes_nothing_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _change(_in_progress(), "120000.00")
    assert refused.value.extensions["field"] == "budget_yuan"


def test_a_plan_below_what_is_done_is_refused() -> None:
    state = _in_progress()
    state = _then(state, _progress(state, "200"))
    with pytest.raises(DomainError) as refused:
        _change(state, "130000.00", "199.999")
    assert refused.value.extensions["field"] == "planned_quantity"
    [event] = _change(state, "130000.00", "200")
    assert event.planned_quantity == 200


def test_a_changed_plan_of_counted_works_is_a_whole_number() -> None:
    state = _in_progress(category="leak_repair", unit="spot", planned_quantity="51")
    with pytest.raises(DomainError) as refused:
        _change(state, "130000.00", "55.5")
    assert refused.value.extensions["field"] == "planned_quantity"


def test_after_a_change_the_works_go_up_to_the_new_plan_and_budget() -> None:
    state = _in_progress()
    with pytest.raises(DomainError):
        _progress(state, "320")
    with pytest.raises(DomainError):
        _complete(state, quantity="320", cost_yuan="140000.00")
    state = _then(state, _change(state, "140000.00", "320"))
    state = _then(state, _progress(state, "320"))
    [completed] = _complete(state, quantity="320", cost_yuan="140000.00")
    assert (completed.quantity, completed.cost_yuan) == (Decimal(320), Decimal(140000))


@pytest.mark.parametrize("stage", ["new", "completed", "accepted"])
def test_a_change_is_not_approved_before_proposal_or_after_completion(stage: str) -> None:
    if stage == "new":
        state = w.Works()
    else:
        state = _completed_state()
        if stage == "accepted":
            state = _then(state, w.accept(state, AcceptWorks(passed=True), accepter=INSPECTOR))
    with pytest.raises(IllegalTransitionError) as refused:
        _change(state, "200000.00")
    assert refused.value.current_state == stage


# ------------------------------------------------------------------ complete


def test_completed_works_carry_what_grid_and_party_need() -> None:
    state = _in_progress(issue_ids=["i-1", "i-2"])
    [event] = _complete(state, lead_party_member_id="p-dangyuan")
    assert event == WorksCompleted(
        works_id="w-1",
        category="drainage",
        quantity=Decimal("300"),
        unit="m",
        cost_yuan=Decimal("118000.00"),
        completed_on=date(2026, 10, 30),
        issue_ids=("i-1", "i-2"),
        deliberation_id=DELIBERATION,
        lead_party_member_id="p-dangyuan",
    )
    after = _then(state, [event])
    assert (after.stage, after.done) == ("completed", Decimal(300))


def test_completed_works_carry_the_deliberation_the_approval_cited() -> None:
    state = _proposed_state()
    other = Citation("d-2", "public_works", party_meeting_passed=True, villagers_passed=True)
    state = _then(state, _approve(state, citation=other, deliberation_id="d-2"))
    state = _then(state, [_started(state)])
    [event] = _complete(state)
    assert event.deliberation_id == "d-2"


def test_works_are_not_completed_before_they_started() -> None:
    with pytest.raises(DomainError) as refused:
        _complete(_in_progress(), completed_on=date(2026, 5, 3))
    assert refused.value.extensions["field"] == "completed_on"
    [event] = _complete(_in_progress(), completed_on=STARTED_ON)
    assert event.completed_on == STARTED_ON


def test_works_are_not_completed_in_the_future() -> None:
    with pytest.raises(DomainError) as refused:
        _complete(_in_progress(), completed_on=date(2026, 11, 30))
    assert refused.value.extensions["field"] == "completed_on"
    [event] = _complete(_in_progress(), completed_on=TODAY)
    assert event.completed_on == TODAY


def test_more_than_planned_is_not_completed() -> None:
    with pytest.raises(DomainError) as refused:
        _complete(_in_progress(), quantity="300.001")
    assert refused.value.extensions["field"] == "quantity"


def test_completed_works_did_something() -> None:
    with pytest.raises(DomainError) as refused:
        _complete(_in_progress(), quantity="0")
    assert refused.value.extensions["field"] == "quantity"


def test_completed_counted_works_are_whole_numbers() -> None:
    state = _in_progress(category="leak_repair", unit="spot", planned_quantity="51")
    with pytest.raises(DomainError) as refused:
        _complete(state, quantity="50.5")
    assert refused.value.extensions["field"] == "quantity"


def test_overspending_needs_an_approved_change() -> None:
    with pytest.raises(DomainError) as refused:
        _complete(_in_progress(), cost_yuan="120000.01")
    assert refused.value.extensions["field"] == "cost_yuan"
    assert "overspending needs an approved change" in refused.value.detail
    [event] = _complete(_in_progress(), cost_yuan="120000.00")
    assert event.cost_yuan == Decimal("120000.00")


@pytest.mark.parametrize("stage", ["new", "proposed", "approved", "completed"])
def test_works_are_completed_only_in_progress(stage: str) -> None:
    state = _at(stage)
    with pytest.raises(IllegalTransitionError) as refused:
        _complete(state)
    assert refused.value.current_state == stage


# ------------------------------------------------------------------ accept


def test_completed_works_pass_inspection() -> None:
    state = _completed_state()
    [event] = w.accept(state, AcceptWorks(passed=True, note="合格"), accepter=INSPECTOR)
    assert event == WorksAccepted(works_id="w-1", accepted_by=INSPECTOR, passed=True, note="合格")
    assert _then(state, [event]).stage == "accepted"


def test_works_that_fail_inspection_go_back_in_progress_and_are_completed_again() -> None:
    state = _completed_state()
    [failed] = w.accept(state, AcceptWorks(passed=False, note="坡度不够"), accepter=INSPECTOR)
    assert failed.passed is False
    state = _then(state, [failed])
    assert state.stage == "in_progress"
    state = _then(state, _progress(state, "300"))
    state = _then(state, _complete(state, completed_on=date(2026, 11, 20)))
    assert state.stage == "completed"
    [passed] = w.accept(state, AcceptWorks(passed=True), accepter=INSPECTOR)
    assert _then(state, [passed]).stage == "accepted"


def test_the_contractor_does_not_accept_their_own_works() -> None:
    with pytest.raises(ForbiddenError) as refused:
        w.accept(_completed_state(), AcceptWorks(passed=True), accepter=CONTRACTOR)
    assert refused.value.status == 403


@pytest.mark.parametrize("stage", ["new", "proposed", "approved", "in_progress", "accepted"])
def test_only_completed_works_are_inspected(stage: str) -> None:
    if stage == "accepted":
        state = _completed_state()
        state = _then(state, w.accept(state, AcceptWorks(passed=True), accepter=INSPECTOR))
    else:
        state = _at(stage)
    with pytest.raises(IllegalTransitionError) as refused:
        w.accept(state, AcceptWorks(passed=True), accepter=INSPECTOR)
    assert refused.value.current_state == stage


def test_evolve_refuses_what_is_not_a_works_event() -> None:
    with pytest.raises(TypeError):
        w.evolve(w.Works(), object())  # type: ignore[arg-type]


# ------------------------------------------------------------------ 东庄: the published figures

# What Dongzhuang (东庄村) published as built: category, unit, total.
DONGZHUANG = [
    ("service_centre", "m2", Decimal("400")),
    ("elderly_care", "m2", Decimal("300")),
    ("drainage", "m", Decimal("300")),
    ("road", "m", Decimal("800")),
    ("field_road", "m", Decimal("9300")),
    ("leak_repair", "spot", Decimal("51")),
]


@st.composite
def _parts(draw: st.DrawFn, total: Decimal, step: Decimal) -> list[Decimal]:
    """``total`` cut into 1 to 4 parts, each more than 0 and a multiple of ``step``."""
    steps = int(total / step)
    cuts = draw(
        st.lists(st.integers(1, steps - 1), unique=True, max_size=min(3, steps - 1)).map(sorted)
    )
    bounds = [0, *cuts, steps]
    return [(b - a) * step for a, b in itertools.pairwise(bounds)]


@st.composite
def _dongzhuang(draw: st.DrawFn) -> list[tuple[str, str, Decimal, Decimal]]:
    """Every published project cut into works: (category, unit, quantity, cost)."""
    plan = []
    for category, unit, total in DONGZHUANG:
        step = Decimal(1) if unit in COUNTED else Decimal("0.001")
        for quantity in draw(_parts(total, step)):
            cost = Decimal(draw(st.integers(1, 500_000_000))).scaleb(-2)
            plan.append((category, unit, quantity, cost))
    return plan


def _build(n: int, category: str, unit: str, quantity: Decimal, cost: Decimal) -> WorksCompleted:
    works_id = f"dz-{n}"
    state = w.Works()
    state = _then(
        state,
        w.propose(
            state,
            ProposeWorks(
                works_id=works_id,
                category=category,
                title=f"{category} {n}",
                planned_quantity=str(quantity),
                unit=unit,
                budget_yuan=str(cost),
                deliberation_id=DELIBERATION,
            ),
            source="deliberation_plan",
        ),
    )
    state = _then(
        state,
        w.approve(
            state,
            ApproveWorks(funding=["county", "collective"]),
            citation=PASSED,
            approver="p-xiang",
            rule="county_funded",
        ),
    )
    state = _then(
        state,
        w.start(
            state,
            StartWorks(started_on=STARTED_ON, contractor_id=CONTRACTOR, contractor="东庄施工队"),
            today=TODAY,
        ),
    )
    [completed] = w.complete(
        state,
        CompleteWorks(quantity=str(quantity), cost_yuan=str(cost), completed_on=TODAY),
        today=TODAY,
    )
    state = _then(state, [completed])
    state = _then(state, w.accept(state, AcceptWorks(passed=True), accepter=INSPECTOR))
    assert state.stage == "accepted"
    return completed


@settings(database=None, max_examples=60, deadline=None)
@given(_dongzhuang())
def test_dongzhuangs_works_add_up_to_the_published_figures(
    plan: list[tuple[str, str, Decimal, Decimal]],
) -> None:
    completed = [_build(n, *works) for n, works in enumerate(plan)]
    for category, unit, total in DONGZHUANG:
        mine = [e for e in completed if e.category == category]
        assert {e.unit for e in mine} == {unit}
        assert sum((e.quantity for e in mine), Decimal(0)) == total
        if unit in COUNTED:
            assert all(e.quantity == e.quantity.to_integral_value() for e in mine)
    assert sum((e.cost_yuan for e in completed), Decimal(0)) == sum(
        (cost for *_, cost in plan), Decimal(0)
    )
    assert all(e.cost_yuan == e.cost_yuan.quantize(Decimal("0.01")) for e in completed)


def test_progress_never_goes_back_and_completion_covers_what_was_reported() -> None:
    state = _in_progress()
    state = w.evolve(state, w.report_progress(state, ReportProgress(quantity_done="80"))[0])
    with pytest.raises(DomainError) as back:
        w.report_progress(state, ReportProgress(quantity_done="50"))
    assert back.value.extensions["field"] == "quantity_done"
    with pytest.raises(DomainError) as less:
        w.complete(state, CompleteWorks(quantity="50", cost_yuan="1000.00",
                                        completed_on=TODAY), today=TODAY)  # fmt: skip
    assert less.value.extensions["field"] == "quantity"
