"""Every string of every service's event is classified, and personal data names its subject.

A new string field without ``Personal``, ``NotPersonal`` or ``Pseudonym`` fails here, naming
the event type and the field; a new event with personal fields fails until it names its data
subject and has a sample below, sealed and read back as the event store will.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from economy.domain import events as economy_events
from grid.domain import events as grid_events
from livelihood.domain import events as livelihood_events
from party.domain import events as party_events
from pydantic import BaseModel, TypeAdapter, ValidationError
from xiangzhi import pii
from xiangzhi.registry import EventRegistry

pytestmark = pytest.mark.unit

REGISTRIES: dict[str, EventRegistry] = {
    "grid": grid_events.registry,
    "party": party_events.registry,
    "economy": economy_events.registry,
    "livelihood": livelihood_events.registry,
}
EVENT_TYPES = [(service, t) for service, registry in REGISTRIES.items() for t in registry.types]
GRID = "141121100201007"
RAISED: dict[str, Any] = {
    "issue_id": "i-1",
    "grid_id": GRID,
    "category": "drainage",
    "title": "正街下水堵塞",
    "description": "雨后积水",
    "location": {"lat": "37.4367000", "lon": "112.0293000"},
    "address": "正街12号",
    "raised_by": "resident-1",
    "channel": "app",
    "raised_at": "2026-11-02T08:00:00Z",
    "due_at": "2026-11-04T08:00:00Z",
}

# Events with personal fields, as their producers write them (plain), with the subjects whose
# keys sealing them takes.
CONTRACT: dict[str, Any] = {
    "contract_id": "DZ-HT-001",
    "asset_id": "DZ-GD-001",
    "asset_kind": "farmland",
    "contractor": {"contractor_id": "p-zhang", "name": "张承包"},
    "area_mu": "6.37",
    "annual_fee_yuan": "3200.00",
    "starts_on": "2019-01-01",
    "ends_on": "2028-12-31",
    "payment": "annual_in_advance",
    "written": True,
}
SAMPLES: dict[str, list[tuple[dict[str, Any], set[str]]]] = {
    "economy.contract.registered.v1": [(CONTRACT, {"p-zhang"})],
    "livelihood.practical_thing.promised.v1": [
        (
            {
                "item_id": "t-1",
                "title": "路灯维修",
                "owner_id": "p-owner",
                "deadline": "2026-12-31",
                "requester": {"resident_id": "resident-1", "words": "村口路灯坏了三个月"},
            },
            {"resident-1"},
        ),
        (
            {
                "item_id": "t-2",
                "title": "老年餐桌",
                "owner_id": "p-owner",
                "deadline": "2026-12-31",
                "deliberation_id": "d-1",
            },
            set(),
        ),
    ],
    "economy.contract.rectified.v1": [
        (
            {
                "contract_id": "DZ-HT-001",
                "action": "re_tendered",
                "remedies": ["below_market_price"],
                "new_annual_fee_yuan": "4200.00",
                "new_ends_on": "2035-12-31",
                "new_contractor": {"contractor_id": "p-li", "name": "李新"},
                "deliberation_id": "d-1",
            },
            {"p-li"},
        ),
        ({"contract_id": "DZ-HT-001", "action": "terminated", "remedies": []}, set()),
    ],
    "grid.grid.chief_assigned.v1": [
        (
            {
                "grid_id": GRID,
                "role": "grid_chief",
                "person_id": "p-wang",
                "name": "王建国",
                "is_party_member": True,
                "party_member_id": "pm-7",
                "replaces_person_id": "p-zhao",
            },
            {"p-wang"},
        )
    ],
    "grid.volunteer_team.member_joined.v1": [
        (
            {"team_id": "repair", "person_id": "v-1", "name": "李娜", "background": "student"},
            {"v-1"},
        )
    ],
    "grid.volunteer_team.service_logged.v1": [
        (
            {
                "team_id": "repair",
                "person_id": "v-1",
                "hours": "2.50",
                "description": "帮张奶奶买药",
                "served_on": "2026-11-02T08:00:00Z",
            },
            {"v-1"},
        )
    ],
    "grid.issue.raised.v1": [
        (RAISED, {"resident-1"}),
        # An Open311 citizen's contact: the issue is theirs, not their client's.
        (
            {
                **RAISED,
                "raised_by": "apikey:city-app",
                "channel": "open311",
                "contact": {
                    "first_name": "秀英",
                    "last_name": "张",
                    "email": " Villager@Example.org",
                    "phone": "138 1234 5678",
                },
            },
            {pii.email_subject("villager@example.org")},
        ),
        (
            {**RAISED, "channel": "open311", "contact": {"phone": "+86 138-1234-5678"}},
            {pii.phone_subject("+86 138-1234-5678")},
        ),
        # In the app the contact a resident gives is their own: forgotten with them.
        ({**RAISED, "contact": {"email": "me@example.org"}}, {"resident-1"}),
        # A contact naming nobody (a name only) is the reporter's.
        ({**RAISED, "contact": {"last_name": "张"}}, {"resident-1"}),
    ],
    "grid.issue.confirmed.v1": [
        (
            {
                "issue_id": "i-1",
                "satisfaction": 5,
                "comment": "修得快",
                "confirmed_by": "resident-1",
            },
            {"resident-1"},
        )
    ],
    "party.points_notice.objection_raised.v1": [
        (
            {
                "objection_id": "o-1",
                "period": 2026,
                "member_id": "m-1",
                "raised_by": "resident-2",
                "text": "他那次并没有到场",
            },
            {"resident-2"},
        )
    ],
    "party.deliberation.step_completed.v2": [
        (
            {
                "deliberation_id": "d-1",
                "step": "consult",
                "summary": "征求意见",
                "questions": [
                    {"question": "占地怎么补偿？", "asked_by": "张三"},
                    {"question": "何时开工？", "asked_by": "李四", "answer": "明年春天"},
                ],
            },
            {"张三", "李四"},
        ),
        ({"deliberation_id": "d-1", "step": "set_agenda", "summary": "议题已定"}, set()),
    ],
    "party.member.registered.v1": [
        (
            {
                "member_id": "m-1",
                "name": "赵卫东",
                "org_id": "branch-1",
                "status": "full",
                "joined_on": "2001-07-01",
            },
            {"m-1"},
        )
    ],
    "party.representative.rotation_scheduled.v1": [
        (
            {
                "person_id": "rep-1",
                "name": "孙丽",
                "starts_on": "2026-01-01",
                "ends_on": "2026-03-31",
                "duty": "调解",
            },
            {"rep-1"},
        )
    ],
}
ALL_SAMPLES = [(t, data, subjects) for t, cases in SAMPLES.items() for data, subjects in cases]


def _model(event_type: str) -> type[BaseModel]:
    return REGISTRIES[event_type.split(".", 1)[0]].model(event_type)


@pytest.mark.parametrize(("service", "event_type"), EVENT_TYPES)
def test_every_string_field_is_classified(service: str, event_type: str) -> None:
    missing = pii.unclassified(REGISTRIES[service].model(event_type))
    assert missing == [], (
        f"{event_type}: classify {', '.join(missing)} as Personal, NotPersonal or Pseudonym"
    )


@pytest.mark.parametrize(("service", "event_type"), EVENT_TYPES)
def test_an_event_with_personal_fields_names_its_subject(service: str, event_type: str) -> None:
    model = REGISTRIES[service].model(event_type)
    if not pii.has_personal(model):
        assert event_type not in SAMPLES, f"{event_type} has no personal fields: drop its sample"
        return
    # Its subject (named by it, or by each nested part that holds the data) is proved by
    # sealing its sample below.
    assert event_type in SAMPLES, f"{event_type} holds personal data: add a sample here"


@pytest.mark.parametrize(("event_type", "data", "expected"), ALL_SAMPLES)
def test_sealing_takes_the_subjects_keys_and_the_sealed_event_still_parses(
    event_type: str, data: dict[str, Any], expected: set[str]
) -> None:
    model = _model(event_type)
    model.model_validate(data)  # the sample is a valid event
    assert pii.subjects(model, data) == expected
    keys = {subject: pii.DataKey.new(uuid4()) for subject in expected}
    sealed = pii.seal(model, data, keys)
    model.model_validate(sealed)  # tokens fit where the text was: no constraint refuses them
    text = json.dumps(sealed, ensure_ascii=False)
    for value in _personal_values(model, data):
        assert value not in text, f"{event_type}: {value!r} is stored in clear"
    by_id = {key.key_id: key for key in keys.values()}
    assert json.loads(pii.reveal(text, by_id)) == data


def _personal_values(model: type[BaseModel], data: Any) -> list[str]:
    found: list[str] = []
    for name, node in pii.fields_of(model).items():
        if data.get(name) is not None:
            found += _values(node, data[name])
    return found


def _values(node: pii.Node, value: Any) -> list[str]:
    if isinstance(node, pii.Leaf):
        return [value] if node.kind == "personal" else []
    if isinstance(node, pii.Many):
        return [v for item in value for v in _values(node.item, item)]
    return _personal_values(node.model, value)


def test_the_json_schema_marks_personal_fields() -> None:
    schema = grid_events.registry.json_schemas()["grid.issue.raised.v1"]
    properties = schema["properties"]
    assert properties["description"]["x-pii"] is True
    assert properties["title"]["x-pii"] is True
    assert properties["category"]["x-pii"] is False
    assert properties["grid_id"]["x-pii"] is False
    assert properties["raised_by"]["x-pii"] is False
    assert properties["raised_by"]["x-pseudonym"] is True
    email = schema["$defs"]["Contact"]["properties"]["email"]
    assert {"type": "string", "x-pii": True} in email["anyOf"]


@pytest.mark.parametrize("value", ["110101199003074512", "11010119900307451X", "13812345678"])
def test_a_pseudonym_is_not_an_id_card_or_mobile_number(value: str) -> None:
    with pytest.raises(ValidationError, match="ID-card or phone number"):
        TypeAdapter(pii.Pseudonym).validate_python(value)
    with pytest.raises(ValidationError, match="person_id"):
        grid_events.VolunteerJoined(
            team_id="repair", person_id=value, name="李娜", background="student"
        )


def test_a_pseudonym_is_an_id() -> None:
    assert TypeAdapter(pii.Pseudonym).validate_python("resident-1") == "resident-1"
