"""Public notice with objections, and party coverage of the grids — pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from party.domain import commands as c
from party.domain import notice
from party.domain.coverage import coverage
from xiangzhi.errors import DomainError, IllegalTransitionError

T0 = datetime(2027, 1, 5, tzinfo=UTC)


def _published() -> notice.Notice:
    return notice.fold(
        notice.publish(notice.Notice(), 2026, c.PublishNotice.model_construct(days=7), now=T0)
    )


def test_a_notice_runs_at_least_five_days() -> None:
    with pytest.raises(DomainError, match="at least 5 days"):
        notice.publish(notice.Notice(), 2026, c.PublishNotice.model_construct(days=3), now=T0)


def test_objections_only_while_the_notice_runs() -> None:
    state = _published()
    assert notice.object_to(
        state,
        "o1",
        c.Object.model_construct(member_id="m1", text="分数偏高"),
        raised_by="v1",
        now=T0 + timedelta(days=2),
    )
    with pytest.raises(IllegalTransitionError):
        notice.object_to(
            state,
            "o2",
            c.Object.model_construct(member_id="m1", text="x"),
            raised_by="v1",
            now=T0 + timedelta(days=8),
        )
    with pytest.raises(IllegalTransitionError):
        notice.object_to(
            notice.Notice(),
            "o3",
            c.Object.model_construct(member_id="m1", text="x"),
            raised_by="v1",
            now=T0,
        )


def test_the_notice_closes_after_its_time_with_every_objection_answered() -> None:
    state = _published()
    state = notice.evolve(
        state,
        notice.object_to(
            state, "o1", c.Object.model_construct(member_id="m1", text="x"), raised_by="v1", now=T0
        )[0],
    )
    with pytest.raises(IllegalTransitionError, match="runs until"):
        notice.close(state, now=T0 + timedelta(days=3))
    with pytest.raises(IllegalTransitionError, match="await an answer") as refused:
        notice.close(state, now=T0 + timedelta(days=8))
    assert refused.value.extensions["unanswered"] == ["o1"]
    state = notice.evolve(
        state,
        notice.answer(state, "o1", c.Answer.model_construct(text="经核实无误", adjusted=False))[0],
    )
    with pytest.raises(DomainError):
        notice.answer(state, "o1", c.Answer.model_construct(text="again", adjusted=False))
    assert notice.close(state, now=T0 + timedelta(days=8))


def test_coverage_lists_the_grids_without_a_party_group() -> None:
    grids = [f"141121100201{n:03d}" for n in (101, 102, 103)]
    report = coverage(grids, {"pg-1": grids[0], "pg-2": grids[2]})
    assert report.covered == (grids[0], grids[2])
    assert report.uncovered == (grids[1],)
    assert not report.complete
    assert coverage(grids, {f"pg-{g}": g for g in grids}).complete


def test_study_days_need_their_lecturer_or_destination_and_count_attendance_once() -> None:
    from datetime import date

    from party.domain import study

    def held(**fields: object) -> c.HoldActivity:
        given = {"activity_id": "a1", "title": "主题党日", "date": date(2026, 7, 1)}
        return c.HoldActivity.model_construct(**{**given, **fields})

    today = date(2026, 7, 2)
    with pytest.raises(DomainError, match="lecturer"):
        study.hold(
            study.Activity(),
            held(kind="party_lesson", lecturer_member_id=None, destination=None),
            today=today,
        )
    with pytest.raises(DomainError, match="destination"):
        study.hold(
            study.Activity(),
            held(kind="study_tour", lecturer_member_id=None, destination=None),
            today=today,
        )
    with pytest.raises(DomainError, match="once it has been held"):
        study.hold(
            study.Activity(),
            held(
                kind="theme_party_day", lecturer_member_id=None, destination=None,
                title="t", date=date(2026, 8, 1),
            ),
            today=today,
        )  # fmt: skip
    state = study.fold(
        study.hold(
            study.Activity(),
            held(kind="study_tour", lecturer_member_id=None, destination="平遥"),
            today=today,
        )
    )
    [attended] = study.attend(state, c.Attend.model_construct(member_id="pm-1"))
    state = study.evolve(state, attended)
    assert study.attend(state, c.Attend.model_construct(member_id="pm-1")) == []
    with pytest.raises(IllegalTransitionError):
        study.attend(study.Activity(), c.Attend.model_construct(member_id="pm-1"))


def test_the_organisation_tree_and_party_groups_over_grids() -> None:
    from datetime import date

    from party.domain import organisation as o

    village = "141121100201"

    def setup(kind: str, parent: o.Org | None, grid_id: str | None = None, org_id: str = "x") -> list:  # fmt: skip
        return o.establish(
            o.Org(),
            c.EstablishOrg.model_construct(org_id=org_id, name=org_id, kind=kind, grid_id=grid_id),
            parent=parent,
            village=village,
        )  # type: ignore[arg-type]

    general = o.fold_org(setup("general_branch", None, org_id="gb"))
    with pytest.raises(DomainError, match="no parent"):
        setup("general_branch", general)
    with pytest.raises(DomainError, match="sits under"):
        setup("branch", None)
    branch = o.fold_org(setup("branch", general, org_id="b1"))
    with pytest.raises(DomainError, match="bound to a grid"):
        setup("party_group", branch)
    with pytest.raises(DomainError, match="not in village"):
        setup("party_group", branch, grid_id="141121100202101")
    with pytest.raises(DomainError, match="only a party group"):
        setup("branch", general, grid_id=f"{village}101")
    group = o.fold_org(setup("party_group", branch, grid_id=f"{village}101", org_id="g1"))
    today = date(2026, 11, 29)
    [joined] = o.register(
        o.Member(),
        c.RegisterMember.model_construct(
            member_id="pm-1", name="王", status="full", joined_on=date(1978, 7, 1), veteran=True
        ),
        org=group,
        today=today,
    )
    member = o.evolve_member(o.Member(), joined)
    with pytest.raises(DomainError, match="already there"):
        o.transfer(member, to=group)
    [moved] = o.transfer(member, to=branch)
    assert (moved.from_org_id, moved.to_org_id) == ("g1", "b1")
    with pytest.raises(DomainError, match="has come"):
        o.register(
            o.Member(),
            c.RegisterMember.model_construct(
                member_id="pm-2",
                name="李",
                status="probationary",
                joined_on=date(2027, 1, 1),
                veteran=False,
            ),
            org=group,
            today=today,
        )


def test_representatives_take_turns_that_do_not_overlap() -> None:
    from datetime import date

    from party.domain import rotation

    [first] = rotation.schedule(
        rotation.Schedule(),
        c.ScheduleTurn.model_construct(
            person_id="r1",
            name="赵",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 3, 31),
            duty="环境卫生监督",
        ),
    )
    state = rotation.fold([first])
    with pytest.raises(IllegalTransitionError, match="already has a turn"):
        rotation.schedule(
            state,
            c.ScheduleTurn.model_construct(
                person_id="r1",
                name="赵",
                starts_on=date(2026, 3, 1),
                ends_on=date(2026, 5, 1),
                duty="x",
            ),
        )
    assert rotation.schedule(
        state,
        c.ScheduleTurn.model_construct(
            person_id="r1",
            name="赵",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            duty="x",
        ),
    )
    assert rotation.schedule(
        state,
        c.ScheduleTurn.model_construct(
            person_id="r2",
            name="钱",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 3, 31),
            duty="x",
        ),
    )
    with pytest.raises(DomainError, match="ends after"):
        rotation.schedule(
            state,
            c.ScheduleTurn.model_construct(
                person_id="r3",
                name="孙",
                starts_on=date(2026, 5, 1),
                ends_on=date(2026, 5, 1),
                duty="x",
            ),
        )
