"""An issue's contact (Open311's first_name, last_name, email, phone): taken, kept as the
person's own data, and shown to staff and the reporter only — never in Open311's public answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from grid.api.open311 import _request_view
from grid.api.views import issue_detail, issue_view
from grid.domain import commands as c
from grid.domain import issue
from grid.domain.actor import Actor
from grid.domain.events import Contact, IssueRaised, Location
from pydantic import ValidationError
from xiangzhi import pii

VILLAGE = "141121100201"
GRID = "141121100201007"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
CLIENT = Actor("apikey:city-app", role="api_client", rule="own_name")


def _raise(contact: c.ContactDetails | None, actor: Actor = CLIENT) -> IssueRaised:
    cmd = c.RaiseIssue.model_construct(
        grid_id=GRID,
        category="water_leak",
        title="自来水管漏水",
        description="自来水管漏水",
        location=Location(lat=Decimal("37.4367000"), lon=Decimal("112.0293000")),
        address=None,
        raised_by=actor.person_id,
        anonymous=True,
        channel="open311",
        contact=contact,
    )
    [event] = issue.raise_issue(
        issue.Issue(), cmd, issue_id="i-1", village=VILLAGE, now=T0, actor=actor
    )
    return event


def test_the_contact_is_copied_into_the_event_and_names_the_person() -> None:
    given = c.ContactDetails(first_name="秀英", last_name="张", email="Villager@Example.org")
    event = _raise(given)
    assert event.contact == Contact(first_name="秀英", last_name="张", email="Villager@Example.org")
    data = event.to_data()
    # The citizen's key seals the issue, not the Open311 client's.
    assert pii.subjects(IssueRaised, data) == {pii.email_subject("villager@example.org")}
    by_phone = _raise(c.ContactDetails(phone="138 1234 5678")).to_data()
    assert pii.subjects(IssueRaised, by_phone) == {pii.phone_subject("13812345678")}


def test_no_contact_or_an_empty_one_is_none_and_the_reporter_is_the_subject() -> None:
    assert _raise(None).contact is None
    assert _raise(c.ContactDetails(first_name=" ", email="")).contact is None
    assert pii.subjects(IssueRaised, _raise(None).to_data()) == {"apikey:city-app"}


def test_the_contact_is_checked_at_the_edge() -> None:
    contact = c.ContactDetails.model_validate(
        {
            "first_name": "",
            "last_name": " 张 ",
            "email": " a@b.org ",
            "phone": "+86 (138) 1234-5678",
        }
    )
    assert contact.model_dump() == {
        "first_name": None,
        "last_name": "张",
        "email": "a@b.org",
        "phone": "+86 (138) 1234-5678",
    }
    for bad in (
        {"email": "villager.example.org"},
        {"email": "a@b@c"},
        {"first_name": "张" * 101},
        {"email": "a@" + "b" * 99},
        {"phone": "call me"},
        {"phone": "12-3"},
        {"name": "张秀英"},
    ):
        with pytest.raises(ValidationError):
            c.ContactDetails.model_validate(bad)
    raised = c.RaiseIssue.model_validate(
        {
            "grid_id": GRID,
            "category": "drainage",
            "title": "下水堵塞",
            "description": "雨后积水",
            "address": "正街12号",
            "contact": {"first_name": "秀英", "phone": "13812345678"},
        }
    )
    assert raised.contact == c.ContactDetails(first_name="秀英", phone="13812345678")


def _row(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(
        issue_id="i-1", village=VILLAGE, grid_id=GRID, category="water_leak", title="漏水",
        description="自来水管漏水", lat=Decimal("37.4367000"), lon=Decimal("112.0293000"),
        address="正街12号", raised_by="resident-1", anonymous=True, channel="app",
        status="raised", level=None, assignee_kind=None, assignee_id=None, assignee_role=None,
        raised_at=T0, due_at=T0 + timedelta(hours=48), first_assigned_at=None, resolved_at=None,
        confirmed_at=None, closed_at=None, updated_at=T0, resolution=None, resolved_via=None,
        works_id=None, resolver_person_id=None, resolver_party_member_id=None,
        satisfaction=None, comment=None, duplicates=[], version=1,
        contact={"first_name": "秀英", "last_name": "张", "email": "a@b.org", "phone": None},
    )  # fmt: skip
    row.update(kw)
    return row


@pytest.mark.parametrize(
    "viewer",
    [
        Actor("clerk-1", role="village_staff"),
        Actor("secretary-1", role="village_secretary"),
        Actor("worker-1", role="grid_worker"),
        Actor("officer-1", role="township_officer"),
        Actor("county-1", role="county_admin"),
        Actor("resident-1"),  # the reporter
    ],
)
def test_staff_and_the_reporter_see_the_contact(viewer: Actor) -> None:
    detail = issue_detail(_row(), viewer)
    assert detail.contact is not None
    assert detail.contact.email == "a@b.org"
    assert detail.raised_by == "resident-1"


def test_other_residents_do_not_see_the_contact_and_lists_never_carry_it() -> None:
    other = Actor("resident-2")
    detail = issue_detail(_row(), other)
    assert detail.contact is None
    assert detail.raised_by is None  # anonymous, as before
    assert issue_detail(_row(anonymous=False), other).contact is None
    assert issue_detail(_row(contact=None), Actor("clerk-1", role="village_staff")).contact is None
    listed = issue_view(_row(), Actor("clerk-1", role="village_staff")).model_dump()
    assert "contact" not in listed


def test_open311_answers_never_carry_the_contact() -> None:
    public = _request_view(_row())
    assert not {"contact", "email", "phone", "first_name", "last_name", "raised_by"} & set(public)
    assert "a@b.org" not in str(public) and "秀英" not in str(public)
