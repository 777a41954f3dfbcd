"""Environment remediation (人居环境整治), practical things done for the people (为民办实事)
and livelihood's permission table — pure.

Given events, when a decision, then events (or an error).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest
from livelihood.domain import practical as pr
from livelihood.domain import remediation as rem
from livelihood.domain.commands import (
    Acknowledge,
    PracticalThingDone,
    PromisePracticalThing,
    RecordRemediation,
    StartRemediation,
)
from livelihood.domain.events import (
    REMEDIATION_UNITS,
    PracticalThingAcknowledged,
    PracticalThingPromised,
    RemediationCampaignStarted,
    RemediationRecorded,
    Requester,
)
from livelihood.domain.events import (
    PracticalThingDone as DoneEvent,
)
from livelihood.domain.permissions import (
    ACKNOWLEDGE,
    APPROVE_WORKS,
    PERMISSIONS,
    PROMISE,
    REPORT_PROGRESS,
)
from xiangzhi.auth import ROLES, Principal
from xiangzhi.errors import DomainError, IllegalTransitionError
from xiangzhi.permissions import PermissionDeniedError

TODAY = date(2026, 11, 29)
CAMPAIGN_STARTS = date(2026, 3, 1)
STAFF = "p-staff"
RESIDENT = "p-li"
NEIGHBOUR = "p-wang"


# ------------------------------------------------------------------ remediation


def _start_cmd(**overrides: object) -> StartRemediation:
    fields: dict[str, object] = {
        "campaign_id": "c-2026",
        "name": "六乱治理 2026",
        "starts_on": CAMPAIGN_STARTS,
        "partners": ["鑫源公司"],
    }
    fields.update(overrides)
    return StartRemediation.model_validate(fields)


def _campaign() -> rem.Campaign:
    return rem.fold(rem.start(rem.Campaign(), _start_cmd()))


def _record_cmd(**overrides: object) -> RecordRemediation:
    fields: dict[str, object] = {
        "action_id": "a-1",
        "kind": "garbage_cleared",
        "count": 3,
        "quantity": "12.5",
        "partner": "鑫源公司",
        "done_on": date(2026, 4, 2),
    }
    fields.update(overrides)
    return RecordRemediation.model_validate(fields)


def _record(state: rem.Campaign, **overrides: object) -> list[RemediationRecorded]:
    return rem.record(state, _record_cmd(**overrides), today=TODAY)


def test_a_campaign_is_started_with_its_partners_once_each() -> None:
    [event] = rem.start(rem.Campaign(), _start_cmd(partners=["鑫源公司", "农合社", "鑫源公司"]))
    assert event == RemediationCampaignStarted(
        campaign_id="c-2026",
        name="六乱治理 2026",
        starts_on=CAMPAIGN_STARTS,
        partners=("鑫源公司", "农合社"),
    )
    state = rem.fold([event])
    assert (state.campaign_id, state.starts_on) == ("c-2026", CAMPAIGN_STARTS)


def test_a_campaign_is_started_once() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        rem.start(_campaign(), _start_cmd())
    assert refused.value.status == 409


def test_an_action_is_recorded_in_its_campaign() -> None:
    [event] = _record(_campaign())
    assert event == RemediationRecorded(
        action_id="a-1",
        campaign_id="c-2026",
        kind="garbage_cleared",
        count=3,
        quantity=Decimal("12.5"),
        unit="m3",
        partner="鑫源公司",
        done_on=date(2026, 4, 2),
    )


def test_an_action_needs_its_campaign() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        _record(rem.Campaign())
    assert refused.value.status == 409
    assert refused.value.current_state == "new"


@pytest.mark.parametrize(
    ("kind", "unit"), [(k, u) for k, u in REMEDIATION_UNITS.items() if u is not None]
)
def test_measured_kinds_are_recorded_in_their_unit(kind: str, unit: str) -> None:
    [event] = _record(_campaign(), kind=kind, quantity="40.25")
    assert (event.unit, event.quantity) == (unit, Decimal("40.25"))


def test_garbage_is_cleared_in_cubic_metres_and_buildings_demolished_in_square_metres() -> None:
    assert REMEDIATION_UNITS["garbage_cleared"] == "m3"
    assert REMEDIATION_UNITS["illegal_building_demolished"] == "m2"
    [event] = _record(_campaign(), kind="illegal_building_demolished", count=2, quantity="86")
    assert (event.count, event.quantity, event.unit) == (2, Decimal(86), "m2")


@pytest.mark.parametrize("kind", [k for k, u in REMEDIATION_UNITS.items() if u is not None])
@pytest.mark.parametrize("quantity", [None, "0", "0.000"])
def test_measured_kinds_need_a_quantity(kind: str, quantity: str | None) -> None:
    with pytest.raises(DomainError) as refused:
        _record(_campaign(), kind=kind, quantity=quantity)
    assert refused.value.extensions["field"] == "quantity"


@pytest.mark.parametrize("kind", [k for k, u in REMEDIATION_UNITS.items() if u is None])
def test_counted_kinds_are_recorded_by_their_count_alone(kind: str) -> None:
    [event] = _record(_campaign(), kind=kind, count=7, quantity=None)
    assert (event.count, event.quantity, event.unit) == (7, None, None)
    for quantity in ("5", "0"):
        with pytest.raises(DomainError) as refused:
            _record(_campaign(), kind=kind, quantity=quantity)
        assert refused.value.extensions["field"] == "quantity"


def test_counted_kinds_are_the_garbage_points_and_the_weeds() -> None:
    counted = {k for k, u in REMEDIATION_UNITS.items() if u is None}
    assert counted == {"garbage_point_removed", "weeds_cleared"}


def test_an_action_is_not_done_before_its_campaign_started() -> None:
    with pytest.raises(DomainError) as refused:
        _record(_campaign(), done_on=date(2026, 2, 28))
    assert refused.value.extensions["field"] == "done_on"
    [event] = _record(_campaign(), done_on=CAMPAIGN_STARTS)
    assert event.done_on == CAMPAIGN_STARTS


def test_an_action_is_recorded_once_it_is_done() -> None:
    with pytest.raises(DomainError) as refused:
        _record(_campaign(), done_on=date(2026, 11, 30))
    assert refused.value.extensions["field"] == "done_on"
    [event] = _record(_campaign(), done_on=TODAY)
    assert event.done_on == TODAY


def test_an_action_is_recorded_once() -> None:
    state = _campaign()
    state = rem.fold([*rem.start(rem.Campaign(), _start_cmd()), *_record(state)])
    assert state.actions == frozenset({"a-1"})
    with pytest.raises(IllegalTransitionError) as refused:
        _record(state, kind="weeds_cleared", quantity=None)
    assert refused.value.status == 409
    [other] = _record(state, action_id="a-2")
    assert other.action_id == "a-2"


# ------------------------------------------------------------------ practical things


def _promise_cmd(**overrides: object) -> PromisePracticalThing:
    fields: dict[str, object] = {
        "item_id": "t-1",
        "title": "修路灯",
        "owner_id": STAFF,
        "deadline": date(2026, 12, 31),
        "resident_id": RESIDENT,
        "words": "村口路灯坏了三个月",
        "issue_id": "i-4",
    }
    fields.update(overrides)
    return PromisePracticalThing.model_validate(fields)


def _promise(
    state: pr.Item | None = None,
    *,
    actor: str = STAFF,
    rule: str | None = None,
    **overrides: object,
) -> list[PracticalThingPromised]:
    return pr.promise(
        state or pr.Item(), _promise_cmd(**overrides), actor=actor, rule=rule, today=TODAY
    )


def _then(state: pr.Item, events: Sequence[pr.Event]) -> pr.Item:
    for event in events:
        state = pr.evolve(state, event)
    return state


def _promised(**overrides: object) -> pr.Item:
    cmd = _promise_cmd(**overrides)
    return pr.fold(pr.promise(pr.Item(), cmd, actor=STAFF, rule=None, today=TODAY))


def _done(state: pr.Item, done_on: date = date(2026, 11, 20)) -> list[DoneEvent]:
    return pr.done(state, PracticalThingDone(done_on=done_on, beneficiaries=40), today=TODAY)


def _done_item(**overrides: object) -> pr.Item:
    state = _promised(**overrides)
    return _then(state, _done(state))


def test_a_residents_request_is_promised_with_an_owner_and_a_deadline() -> None:
    [event] = _promise()
    assert event == PracticalThingPromised(
        item_id="t-1",
        title="修路灯",
        owner_id=STAFF,
        deadline=date(2026, 12, 31),
        requester=Requester(resident_id=RESIDENT, words="村口路灯坏了三个月"),
        issue_id="i-4",
    )
    state = pr.fold([event])
    assert (state.item_id, state.resident_id, state.issue_id) == ("t-1", RESIDENT, "i-4")


def test_a_deliberations_decision_is_promised_without_a_resident() -> None:
    [event] = _promise(resident_id=None, words=None, deliberation_id="d-3")
    assert event.requester is None
    assert event.deliberation_id == "d-3"
    assert pr.fold([event]).resident_id is None


def test_a_practical_thing_is_a_residents_request_or_a_deliberations_decision() -> None:
    with pytest.raises(DomainError) as refused:
        _promise(resident_id=None, words=None, deliberation_id=None)
    assert refused.value.status == 422
    assert refused.value.extensions["field"] == "resident_id"


def test_a_resident_asks_in_their_own_name() -> None:
    [event] = _promise(actor=RESIDENT, rule="own_name", resident_id=None)
    assert event.requester is not None
    assert event.requester.resident_id == RESIDENT
    [same] = _promise(actor=RESIDENT, rule="own_name", resident_id=RESIDENT)
    assert same.requester == event.requester


def test_a_resident_does_not_ask_for_someone_else() -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        _promise(actor=RESIDENT, rule="own_name", resident_id=NEIGHBOUR)
    assert refused.value.status == 403
    assert refused.value.extensions["rule"] == "own_name"
    assert refused.value.extensions["permission"] == "livelihood.practical_thing.promise"


def test_staff_promise_on_a_residents_behalf() -> None:
    [event] = _promise(actor=STAFF, rule=None, resident_id=NEIGHBOUR)
    assert event.requester is not None
    assert event.requester.resident_id == NEIGHBOUR


def test_a_deadline_that_has_passed_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _promise(deadline=date(2026, 11, 28))
    assert refused.value.extensions["field"] == "deadline"
    [event] = _promise(deadline=TODAY)
    assert event.deadline == TODAY


def test_a_practical_thing_is_promised_once() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        _promise(_promised())
    assert refused.value.status == 409


def test_a_promised_thing_is_done() -> None:
    state = _promised(deliberation_id="d-3")
    [event] = _done(state)
    assert event == DoneEvent(
        item_id="t-1",
        title="修路灯",
        done_on=date(2026, 11, 20),
        beneficiaries=40,
        issue_id="i-4",
        deliberation_id="d-3",
    )
    assert _then(state, [event]).done is True


def test_a_thing_is_done_once() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        _done(_done_item())
    assert refused.value.current_state == "done"


def test_nothing_unpromised_is_done() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        _done(pr.Item())
    assert refused.value.current_state == "new"


def test_a_thing_is_done_on_a_day_that_has_come() -> None:
    with pytest.raises(DomainError) as refused:
        _done(_promised(), done_on=date(2026, 11, 30))
    assert refused.value.extensions["field"] == "done_on"
    [event] = _done(_promised(), done_on=TODAY)
    assert event.done_on == TODAY


def test_the_resident_who_asked_acknowledges_it_done() -> None:
    state = _done_item()
    [event] = pr.acknowledge(state, Acknowledge(satisfied=False), actor=RESIDENT)
    assert event == PracticalThingAcknowledged(item_id="t-1", resident_id=RESIDENT, satisfied=False)
    assert _then(state, [event]).acknowledged is True


def test_a_thing_is_acknowledged_only_once_done() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        pr.acknowledge(_promised(), Acknowledge(satisfied=True), actor=RESIDENT)
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("overrides", "actor"),
    [({}, NEIGHBOUR), ({"resident_id": None, "words": None, "deliberation_id": "d-3"}, RESIDENT)],
    ids=["someone_else", "nobody_asked"],
)
def test_only_the_resident_who_asked_acknowledges(overrides: dict[str, object], actor: str) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        pr.acknowledge(_done_item(**overrides), Acknowledge(satisfied=True), actor=actor)
    assert refused.value.status == 403
    assert refused.value.extensions["rule"] == "own_requests"
    assert refused.value.extensions["permission"] == "livelihood.practical_thing.acknowledge"


def test_a_thing_is_acknowledged_once() -> None:
    state = _done_item()
    state = _then(state, pr.acknowledge(state, Acknowledge(satisfied=True), actor=RESIDENT))
    with pytest.raises(IllegalTransitionError) as refused:
        pr.acknowledge(state, Acknowledge(satisfied=True), actor=RESIDENT)
    assert refused.value.current_state == "acknowledged"


def test_evolve_refuses_what_is_not_a_practical_thing_event() -> None:
    with pytest.raises(TypeError):
        pr.evolve(pr.Item(), object())  # type: ignore[arg-type]


# ------------------------------------------------------------------ permissions


def _who(role: str) -> Principal:
    return Principal(
        "p", role, villages=frozenset({"141121100201"}), scopes=frozenset({"read", "write"})
    )


def test_livelihoods_permissions_are_its_own() -> None:
    permissions = list(PERMISSIONS)
    assert PERMISSIONS.service == "livelihood"
    assert len(permissions) == 13
    assert len({p.name for p in permissions}) == 13
    for permission in permissions:
        assert permission.name.startswith("livelihood."), permission.name


def test_the_secretary_holds_every_command_but_acknowledging() -> None:
    for permission in PERMISSIONS:
        grant = permission.grant_for("village_secretary")
        if permission is ACKNOWLEDGE:
            assert grant is None
        else:
            assert grant is not None, permission.name
            assert grant.rule is None
            assert permission.authorize(_who("village_secretary")) == grant


def test_a_township_officer_approves_works_the_county_funds_and_staff_do_not_approve() -> None:
    grant = APPROVE_WORKS.grant_for("township_officer")
    assert grant is not None
    assert grant.rule == "county_funded"
    assert APPROVE_WORKS.authorize(_who("township_officer")) == grant
    assert APPROVE_WORKS.grant_for("village_staff") is None
    with pytest.raises(PermissionDeniedError) as refused:
        APPROVE_WORKS.authorize(_who("village_staff"))
    assert refused.value.status == 403
    assert refused.value.extensions["permission"] == "livelihood.works.approve"


def test_only_residents_acknowledge_and_only_their_own_requests() -> None:
    assert {(g.role, g.rule) for g in ACKNOWLEDGE.grants} == {("resident", "own_requests")}
    for role in ROLES:
        if role == "resident":
            assert ACKNOWLEDGE.authorize(_who(role)).rule == "own_requests"
        else:
            with pytest.raises(PermissionDeniedError):
                ACKNOWLEDGE.authorize(_who(role))


def test_a_resident_promises_in_their_own_name_and_a_grid_worker_reports_progress() -> None:
    promise = PROMISE.grant_for("resident")
    assert promise is not None
    assert promise.rule == "own_name"
    progress = REPORT_PROGRESS.grant_for("grid_worker")
    assert progress is not None
    assert progress.rule is None
    others = [p for p in PERMISSIONS if p not in (PROMISE, ACKNOWLEDGE)]
    assert all(p.grant_for("resident") is None for p in others)


def test_a_read_only_caller_is_refused_every_command() -> None:
    reader = Principal("p", "village_secretary", villages=frozenset({"141121100201"}))
    for permission in PERMISSIONS:
        with pytest.raises(PermissionDeniedError):
            permission.authorize(reader)
