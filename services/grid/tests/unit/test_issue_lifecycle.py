"""The issue lifecycle, as a grid office runs it — given events, when a command, then events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from grid.domain import commands as c
from grid.domain import issue
from grid.domain.actor import Actor
from grid.domain.events import IssueAssigned, IssueEscalated, IssueResolved, Location
from grid.domain.issue import NearbyIssue
from xiangzhi.errors import DomainError, ForbiddenError, IllegalTransitionError
from xiangzhi.permissions import PermissionDeniedError

VILLAGE = "141121100201"
GRID = "141121100201007"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
# As the permission table grants them: a resident on their own issues, staff on behalf.
RESIDENT = Actor("resident-1", rule="own_issues")
CLERK = Actor("clerk-1", role="village_staff", rule="on_behalf")
HERE = Location(lat=Decimal("37.4367000"), lon=Decimal("112.0293000"))


def raise_events(category: str = "drainage", **kw: object) -> list:
    """The events of raising issue i-1 (drainage, located, by resident-1, at T0)."""
    fields: dict = dict(
        grid_id=GRID, category=category, title="正街下水堵塞", description="雨后积水",
        location=HERE, address=None, raised_by="resident-1", anonymous=False, channel="app",
    )  # fmt: skip
    given: dict = dict(issue_id="i-1", village=VILLAGE, now=T0, actor=RESIDENT, earlier=())
    for name, value in kw.items():
        (fields if name in fields else given)[name] = value
    return list(issue.raise_issue(issue.Issue(), c.RaiseIssue.model_construct(**fields), **given))


def raised(category: str = "drainage", **kw: object) -> issue.Issue:
    return issue.fold(raise_events(category, **kw))


def assigned() -> issue.Issue:
    state = raised()
    return issue.fold(
        [
            *raise_events(),
            *issue.assign(
                state,
                c.AssignIssue.model_construct(
                    assignee_kind="chief", assignee_id="chief-7", role="grid_chief"
                ),
            ),
        ]
    )


def resolved() -> issue.Issue:
    state = assigned()
    return issue.evolve(
        state,
        issue.resolve(
            state,
            c.ResolveIssue.model_construct(
                resolution="疏通完毕", person_id="chief-7", party_member_id="pm-7"
            ),
        )[0],
    )


def test_the_due_time_follows_from_the_categorys_sla() -> None:
    assert raised("drainage").due_at == T0 + timedelta(hours=72)
    assert raised("garbage").due_at == T0 + timedelta(hours=24)


def test_an_issue_needs_a_place_and_a_known_category_and_its_own_village() -> None:
    with pytest.raises(DomainError, match="say where"):
        raised(location=None, address=None)
    with pytest.raises(DomainError, match="unknown category"):
        raised("ufo")
    with pytest.raises(DomainError, match="not in village"):
        raised(grid_id="141121100202007")
    assert raised(location=None, address="正街12号").status == "raised"


def test_no_resolve_before_assign() -> None:
    with pytest.raises(IllegalTransitionError, match="assign it before resolving") as refused:
        issue.resolve(
            raised(),
            c.ResolveIssue.model_construct(resolution="x", person_id="p", party_member_id=None),
        )
    assert refused.value.current_state == "raised"


def test_resolve_after_assign_records_the_resolver() -> None:
    [event] = issue.resolve(
        assigned(),
        c.ResolveIssue.model_construct(
            resolution="疏通完毕", person_id="chief-7", party_member_id="pm-7"
        ),
    )
    assert isinstance(event, IssueResolved)
    assert event.resolved_by.party_member_id == "pm-7"
    assert event.via == "handled"


def test_only_the_raiser_confirms_or_staff_on_their_behalf() -> None:
    state = resolved()
    with pytest.raises(ForbiddenError):
        issue.confirm(
            state,
            c.ConfirmIssue.model_construct(satisfaction=5, comment=None, on_behalf=False),
            actor=Actor("neighbour", rule="own_issues"),
        )
    with pytest.raises(ForbiddenError):
        issue.confirm(
            state,
            c.ConfirmIssue.model_construct(satisfaction=5, comment=None, on_behalf=False),
            actor=CLERK,
        )
    [mine] = issue.confirm(
        state,
        c.ConfirmIssue.model_construct(satisfaction=5, comment="满意", on_behalf=False),
        actor=RESIDENT,
    )
    assert mine.on_behalf is False
    assert mine.resolver_party_member_id == "pm-7"
    [theirs] = issue.confirm(
        state,
        c.ConfirmIssue.model_construct(satisfaction=4, comment=None, on_behalf=True),
        actor=CLERK,
    )
    assert theirs.on_behalf is True
    assert theirs.confirmed_by == "clerk-1"


def test_confirm_only_a_resolved_issue() -> None:
    with pytest.raises(IllegalTransitionError):
        issue.confirm(
            assigned(),
            c.ConfirmIssue.model_construct(satisfaction=5, comment=None, on_behalf=False),
            actor=RESIDENT,
        )


def test_reopen_only_after_resolve_and_back_to_the_assignee() -> None:
    with pytest.raises(IllegalTransitionError):
        issue.reopen(assigned(), c.ReopenIssue.model_construct(reason="还在积水"), actor=RESIDENT)
    state = resolved()
    [event] = issue.reopen(state, c.ReopenIssue.model_construct(reason="还在积水"), actor=RESIDENT)
    reopened = issue.evolve(state, event)
    assert reopened.status == "reopened"
    assert reopened.assignee_id == "chief-7"
    assert issue.resolve(
        reopened,
        c.ResolveIssue.model_construct(
            resolution="再次疏通", person_id="chief-7", party_member_id=None
        ),
    )


def test_close_only_after_resolve_or_confirmation() -> None:
    state = resolved()
    confirmed = issue.evolve(
        state,
        issue.confirm(
            state,
            c.ConfirmIssue.model_construct(satisfaction=5, comment=None, on_behalf=False),
            actor=RESIDENT,
        )[0],
    )
    assert issue.evolve(confirmed, issue.close(confirmed)[0]).status == "closed"
    with pytest.raises(IllegalTransitionError):
        issue.close(assigned())


def test_overdue_issues_climb_one_level_per_sla_period_once_each() -> None:
    state = assigned()
    due = state.due_at
    assert due is not None
    assert issue.escalations_due(state, due - timedelta(minutes=1)) == []
    assert issue.escalations_due(state, due) == ["village_committee"]
    state = issue.evolve(
        state, IssueEscalated(issue_id="i-1", level="village_committee", reason="overdue")
    )
    assert issue.escalations_due(state, due + timedelta(hours=1)) == []
    assert issue.escalations_due(state, due + timedelta(hours=72)) == ["township"]
    # Long forgotten: still one level at a time, in order.
    assert issue.escalations_due(assigned(), due + timedelta(days=30)) == ["village_committee"]
    with pytest.raises(IllegalTransitionError, match="already escalated"):
        issue.escalate(
            state, c.EscalateIssue.model_construct(level="village_committee", reason="overdue")
        )


def test_a_resolved_issue_is_not_escalated() -> None:
    state = resolved()
    assert issue.escalations_due(state, T0 + timedelta(days=30)) == []


def test_works_completion_resolves_whatever_the_step_and_only_once() -> None:
    [event] = issue.resolve(
        raised(),
        c.ResolveIssue.model_construct(resolution="工程完工", person_id=None, party_member_id=None),
        via="works_completed",
        works_id="w-1",
    )
    assert event.via == "works_completed"
    assert (
        issue.resolve(
            resolved(),
            c.ResolveIssue.model_construct(
                resolution="工程完工", person_id=None, party_member_id=None
            ),
            via="works_completed",
            works_id="w-1",
        )
        == []
    )


def test_same_category_within_50_m_and_7_days_is_a_suspected_duplicate() -> None:
    near = Location(lat=HERE.lat + Decimal("0.0003"), lon=HERE.lon)  # ~33 m north
    far = Location(lat=HERE.lat + Decimal("0.0006"), lon=HERE.lon)  # ~67 m north
    earlier = [
        NearbyIssue("near-drain", "drainage", near, T0 - timedelta(days=2)),
        NearbyIssue("far-drain", "drainage", far, T0 - timedelta(days=2)),
        NearbyIssue("near-road", "road", near, T0 - timedelta(days=2)),
        NearbyIssue("old-drain", "drainage", near, T0 - timedelta(days=8)),
    ]
    state = raised(earlier=earlier)
    assert state.duplicates == ("near-drain",)
    [link] = issue.link_duplicate(state, "i-2")
    assert link.duplicate_issue_id == "i-2"


def test_assign_again_changes_the_assignee() -> None:
    state = assigned()
    [event] = issue.assign(
        state, c.AssignIssue.model_construct(assignee_kind="team", assignee_id="team-3", role=None)
    )
    assert isinstance(event, IssueAssigned)
    assert issue.evolve(state, event).assignee_id == "team-3"


def test_a_resident_raises_only_in_their_own_name_and_staff_for_anyone() -> None:
    with pytest.raises(PermissionDeniedError, match="own name") as refused:
        raised(raised_by="someone-else", actor=Actor("resident-1", rule="own_name"))
    assert refused.value.permission == "grid.issue.raise"
    assert raised(raised_by="villager-9", actor=CLERK).raised_by == "villager-9"


def test_a_grid_worker_acts_only_on_issues_of_their_own_grids() -> None:
    from grid.domain.permissions import RESOLVE_ISSUE

    worker = Actor("worker-1", role="grid_worker", rule="own_grids")
    issue.within_reach(assigned(), worker, RESOLVE_ISSUE, chiefs={"worker-1", "chief-7"})
    with pytest.raises(PermissionDeniedError) as refused:
        issue.within_reach(assigned(), worker, RESOLVE_ISSUE, chiefs={"chief-7"})
    assert refused.value.extensions == {"permission": "grid.issue.resolve", "rule": "own_grids"}


def test_a_township_officer_acts_only_on_escalations_to_the_township() -> None:
    from grid.domain.permissions import ASSIGN_ISSUE

    officer = Actor("officer-1", role="township_officer", rule="township_escalations")
    with pytest.raises(PermissionDeniedError, match="township"):
        issue.within_reach(assigned(), officer, ASSIGN_ISSUE, chiefs=set())
    state = assigned()
    escalated = issue.evolve(
        state,
        issue.escalate(state, c.EscalateIssue.model_construct(level="township", reason="dispute"))[
            0
        ],
    )
    issue.within_reach(escalated, officer, ASSIGN_ISSUE, chiefs=set())
