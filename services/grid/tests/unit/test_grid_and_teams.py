"""Grids with their three chiefs, and volunteer teams — pure rules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from grid.domain import commands as c
from grid.domain import grid, team
from grid.domain.actor import Actor
from xiangzhi.errors import DomainError, IllegalTransitionError

VILLAGE = "141121100201"
NOW = datetime(2026, 11, 2, tzinfo=UTC)
CLERK = Actor("clerk-1", role="village_staff")


def _grid(
    grid_id: str = "141121100201001", level: str = "grid", parent: grid.Grid | None = None
) -> grid.Grid:
    return grid.fold(
        grid.establish(
            grid.Grid(),
            c.EstablishGrid.model_construct(
                grid_id=grid_id,
                name="一组",
                level=level,
                parent_id=parent.grid_id if parent else None,
                merged_from=("party", "governance", "sanitation"),
                households=36,
            ),
            village=VILLAGE,
            parent=parent,
        )
    )


def test_a_grid_code_is_its_villages_code_and_three_digits() -> None:
    with pytest.raises(DomainError, match="does not belong"):
        _grid("141121100202001")
    with pytest.raises(DomainError, match="15 digits"):
        _grid("14112110020101")


def test_a_micro_grid_hangs_under_an_existing_grid() -> None:
    parent = _grid()
    micro = _grid("141121100201101", "micro_grid", parent)
    assert micro.level == "micro_grid"
    with pytest.raises(DomainError, match="parent_id"):
        _grid("141121100201102", "micro_grid", None)
    with pytest.raises(DomainError, match="not a micro-grid"):
        _grid("141121100201103", "micro_grid", micro)


def test_one_holder_per_role_and_reassignment_is_recorded() -> None:
    state = _grid()
    [first] = grid.assign_chief(
        state,
        "grid_chief",
        c.AssignChief.model_construct(
            person_id="p1", name="王", is_party_member=False, party_member_id=None
        ),
    )
    state = grid.evolve(state, first)
    assert first.replaces_person_id is None
    [second] = grid.assign_chief(
        state,
        "grid_chief",
        c.AssignChief.model_construct(
            person_id="p2", name="李", is_party_member=False, party_member_id=None
        ),
    )
    assert second.replaces_person_id == "p1"
    assert grid.evolve(state, second).chiefs["grid_chief"].person_id == "p2"
    assert (
        grid.assign_chief(
            state,
            "grid_chief",
            c.AssignChief.model_construct(
                person_id="p1", name="王", is_party_member=False, party_member_id=None
            ),
        )
        == []
    )


def test_the_party_group_leader_is_a_party_member() -> None:
    with pytest.raises(DomainError, match="党小组组长"):
        grid.assign_chief(
            _grid(),
            "party_group_leader",
            c.AssignChief.model_construct(
                person_id="p", name="赵", is_party_member=False, party_member_id=None
            ),
        )
    with pytest.raises(DomainError, match="party_member_id"):
        grid.assign_chief(
            _grid(),
            "grid_chief",
            c.AssignChief.model_construct(
                person_id="p", name="赵", is_party_member=True, party_member_id=None
            ),
        )


def test_chiefs_only_for_an_established_grid() -> None:
    with pytest.raises(IllegalTransitionError):
        grid.assign_chief(
            grid.Grid(),
            "grid_chief",
            c.AssignChief.model_construct(
                person_id="p", name="x", is_party_member=False, party_member_id=None
            ),
        )


def _team() -> team.Team:
    state = team.fold(
        team.form(
            team.Team(),
            "t1",
            c.FormTeam.model_construct(name="应急救助队", kind="emergency_rescue"),
        )
    )
    return team.evolve(
        state,
        team.join(
            state,
            c.JoinTeam.model_construct(
                person_id="v1", name="小张", background="student", party_member_id=None
            ),
        )[0],
    )


def test_members_join_once_and_only_members_log_hours() -> None:
    state = _team()
    with pytest.raises(IllegalTransitionError, match="already in team"):
        team.join(
            state,
            c.JoinTeam.model_construct(
                person_id="v1", name="小张", background="student", party_member_id=None
            ),
        )
    with pytest.raises(DomainError, match="not a member"):
        team.log_service(
            state,
            c.LogService.model_construct(
                person_id="v9", hours=Decimal("2"), description="x", issue_id=None, served_on=NOW
            ),
            now=NOW,
            actor=CLERK,
        )
    [logged] = team.log_service(
        state,
        c.LogService.model_construct(
            person_id="v1",
            hours=Decimal("2.5"),
            description="清理积水",
            issue_id="i-1",
            served_on=NOW,
        ),
        now=NOW,
        actor=CLERK,
    )
    assert logged.hours == Decimal("2.5")


def test_service_carries_the_members_party_membership_and_is_not_in_the_future() -> None:
    state = team.fold(
        team.form(
            team.Team(), "t2", c.FormTeam.model_construct(name="日常服务队", kind="daily_service")
        )
    )
    state = team.evolve(
        state,
        team.join(
            state,
            c.JoinTeam.model_construct(
                person_id="pm", name="老李", background="party_member", party_member_id="pm-3"
            ),
        )[0],
    )
    [logged] = team.log_service(
        state,
        c.LogService.model_construct(
            person_id="pm", hours=Decimal("1"), description="送药", issue_id=None, served_on=NOW
        ),
        now=NOW,
        actor=CLERK,
    )
    assert logged.party_member_id == "pm-3"
    with pytest.raises(DomainError, match="before it is served"):
        team.log_service(
            state,
            c.LogService.model_construct(
                person_id="pm",
                hours=Decimal("1"),
                description="x",
                issue_id=None,
                served_on=datetime(2027, 1, 1, tzinfo=UTC),
            ),
            now=NOW,
            actor=CLERK,
        )
    with pytest.raises(ValueError, match="hours"):
        team.log_service(
            state,
            c.LogService.model_construct(
                person_id="pm", hours=Decimal("25"), description="x", issue_id=None, served_on=NOW
            ),
            now=NOW,
            actor=CLERK,
        )


def test_only_the_teams_leader_logs_its_service_under_the_leader_rule() -> None:
    from xiangzhi.permissions import PermissionDeniedError

    state = _team()
    state = team.evolve(
        state,
        team.join(state, c.JoinTeam.model_construct(person_id='lead', name='队长', background='youth', party_member_id=None, leader=True))[0],
    )  # fmt: skip
    service = c.LogService.model_construct(
        person_id="v1", hours=Decimal("1"), description="巡逻", issue_id=None, served_on=NOW
    )
    leader = Actor("lead", role="resident", rule="team_leader")
    assert team.log_service(state, service, now=NOW, actor=leader)
    with pytest.raises(PermissionDeniedError) as refused:
        team.log_service(
            state, service, now=NOW, actor=Actor("v1", role="resident", rule="team_leader")
        )
    assert refused.value.extensions["rule"] == "team_leader"
