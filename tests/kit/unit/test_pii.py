"""Sealing and revealing personal fields: pure, no key service (keys made in memory)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from xiangzhi import pii
from xiangzhi.pii import NotPersonal, Personal, Pseudonym
from xiangzhi.privacy import subject_for
from xiangzhi.registry import EventPayload

pytestmark = pytest.mark.unit


class Question(EventPayload):
    question: Personal
    asked_by: Personal

    @classmethod
    def data_subject(cls, data: Mapping[str, Any]) -> str | None:
        return str(data["asked_by"])


class Raised(EventPayload):
    event_type = "test.thing.raised.v1"
    thing_id: NotPersonal
    person_id: Pseudonym
    description: Personal
    address: Personal | None = None
    tags: tuple[NotPersonal, ...] = ()
    questions: tuple[Question, ...] = ()
    count: int = 0

    @classmethod
    def data_subject(cls, data: Mapping[str, Any]) -> str | None:
        return str(data["person_id"])


class Sloppy(EventPayload):
    event_type = "test.thing.sloppy.v1"
    name: str
    inner: Question | None = None
    notes: tuple[str, ...] = ()


def _keys(*subjects: str) -> dict[str, pii.DataKey]:
    return {s: pii.DataKey.new(uuid4()) for s in subjects}


def _by_id(keys: Mapping[str, pii.DataKey]) -> dict[Any, pii.DataKey | None]:
    return {k.key_id: k for k in keys.values()}


def _in_json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


EVENT = Raised(
    thing_id="t-1",
    person_id="res-7",
    description='门口的路灯坏了 "quoted" <b>&',
    address="东庄村三组 12 号",
    tags=("lamp",),
    questions=(Question(question="什么时候修？", asked_by="王大妈"),),
)


def test_personal_fields_are_sealed_and_nothing_else() -> None:
    data = EVENT.to_data()
    wanted = pii.subjects(Raised, data)
    assert wanted == {"res-7", "王大妈"}
    keys = _keys(*wanted)
    sealed = pii.seal(Raised, data, keys)
    assert sealed["thing_id"] == "t-1" and sealed["person_id"] == "res-7"
    assert sealed["tags"] == ["lamp"] and sealed["count"] == 0
    for value in (
        sealed["description"],
        sealed["address"],
        sealed["questions"][0]["question"],
        sealed["questions"][0]["asked_by"],
    ):
        assert pii.is_token(value)
    text = json.dumps(sealed, ensure_ascii=False)
    for clear in ("路灯", "三组", "王大妈", "什么时候"):
        assert clear not in text
    # Each part sealed under its own subject's key.
    assert sealed["description"].split(":")[1] == keys["res-7"].key_id.hex
    assert sealed["questions"][0]["question"].split(":")[1] == keys["王大妈"].key_id.hex


def test_revealed_in_json_and_xml_as_the_text_was_written() -> None:
    keys = _keys("res-7", "王大妈")
    sealed = pii.seal(Raised, EVENT.to_data(), keys)
    body = json.dumps(sealed, ensure_ascii=False)
    opened = pii.reveal(body, _by_id(keys), _in_json)
    assert Raised.model_validate(json.loads(opened)) == EVENT
    xml = f"<description>{sealed['description']}</description>"
    from xml.sax.saxutils import escape

    assert pii.reveal(xml, _by_id(keys), escape) == (
        f"<description>{escape(EVENT.description)}</description>"
    )


def test_a_forgotten_key_reads_as_erased_and_others_stay_readable() -> None:
    keys = _keys("res-7", "王大妈")
    sealed = json.dumps(pii.seal(Raised, EVENT.to_data(), keys), ensure_ascii=False)
    after = _by_id(keys)
    after[keys["res-7"].key_id] = None  # forgotten
    opened = json.loads(pii.reveal(sealed, after, _in_json))
    assert opened["description"] == pii.ERASED and opened["address"] == pii.ERASED
    assert opened["questions"][0]["asked_by"] == "王大妈"
    # A key not asked for at all is withheld with the caller's wording.
    only_res = {keys["res-7"].key_id: keys["res-7"]}
    withheld = json.loads(pii.reveal(sealed, only_res, _in_json, missing="[other]"))
    assert withheld["questions"][0]["question"] == "[other]"
    assert withheld["address"] == EVENT.address


def test_a_tampered_token_does_not_open() -> None:
    keys = _keys("res-7", "王大妈")
    token = pii.seal(Raised, EVENT.to_data(), keys)["description"]
    head, body = token.rsplit(":", 1)
    tampered = f"{head}:{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}"
    assert pii.reveal(tampered, _by_id(keys)) == pii.ERASED
    # Nor under another person's key id (the id is bound into the ciphertext).
    other = keys["王大妈"].key_id.hex
    moved = f"pii1:{other}:{body}"
    assert pii.reveal(moved, _by_id(keys)) == pii.ERASED


def test_a_token_already_sealed_is_kept() -> None:
    keys = _keys("res-7", "王大妈")
    once = pii.seal(Raised, EVENT.to_data(), keys)
    assert pii.seal(Raised, once, keys) == once


@given(st.text(max_size=200))
def test_any_text_round_trips(text: str) -> None:
    key = pii.DataKey.new(uuid4())
    token = key.seal(text)
    assert pii.TOKEN.fullmatch(token)
    assert pii.reveal(token, {key.key_id: key}) == text


def test_every_string_field_must_be_classified() -> None:
    assert pii.unclassified(Raised) == []
    assert pii.unclassified(Sloppy) == ["name", "notes[]"]
    assert pii.has_personal(Sloppy)  # through ``inner``
    schema = Raised.model_json_schema()
    assert schema["properties"]["description"]["x-pii"] is True
    assert schema["properties"]["thing_id"]["x-pii"] is False
    assert schema["properties"]["person_id"]["x-pseudonym"] is True


def test_a_part_with_personal_data_needs_a_subject() -> None:
    with pytest.raises(ValueError, match="names no data subject"):
        pii.subjects(Sloppy, {"name": "x", "inner": {"question": "q", "asked_by": ""}})


@pytest.mark.parametrize("value", ["110101199003074512", "13812345678", "+8613812345678"])
def test_a_pseudonym_is_not_an_id_card_or_phone_number(value: str) -> None:
    with pytest.raises(ValidationError, match="ID-card or phone"):
        Raised(thing_id="t", person_id=value, description="d")


def test_the_key_encryption_key_wraps_and_blinds() -> None:
    kek = pii.LocalKek.from_text(pii.LocalKek.generate())
    key = pii.DataKey.new(uuid4())
    wrapped = kek.wrap(key.secret, b"context")
    assert key.secret not in wrapped
    assert kek.unwrap(wrapped, b"context") == key.secret
    with pytest.raises(InvalidTag):
        kek.unwrap(wrapped, b"another context")
    assert kek.blind("a") == kek.blind("a") != kek.blind("b")
    other = pii.LocalKek.from_text(pii.LocalKek.generate())
    assert other.blind("a") != kek.blind("a") and other.kek_id != kek.kek_id


@pytest.mark.parametrize(
    ("person", "subject"),
    [
        ("Li.Na@Example.cn", "mailto:li.na@example.cn"),
        ("138 1234 5678", "tel:+8613812345678"),
        ("+86 13812345678", "tel:+8613812345678"),
        ("res-7", "res-7"),
    ],
)
def test_a_person_is_asked_for_by_id_email_or_phone(person: str, subject: str) -> None:
    assert subject_for(person) == subject
