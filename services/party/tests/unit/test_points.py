"""The points system, rule by rule — pure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from party.domain import points
from party.domain.events import MemberScored
from xiangzhi.errors import DomainError

D = Decimal


def _catalogue(**rules: tuple[str, str, str, str | None]) -> points.Catalogue:
    catalogue = points.Catalogue()
    for rule_id, (name, category, value, cap) in rules.items():
        for event in points.define_rule(
            catalogue, rule_id=rule_id, name=name, category=category,  # type: ignore[arg-type]
            points=D(value), cap_per_period=D(cap) if cap else None,
        ):  # fmt: skip
            catalogue = catalogue.define(event)
    return catalogue


CATALOGUE = _catalogue(
    resolved_issue=("resolved a resident's issue", "service", "2", "20"),
    attended=("attended a theme party day", "study", "1", "12"),
    absent=("missed a meeting without leave", "discipline", "-2", None),
)


def test_rules_give_or_take_by_their_category() -> None:
    with pytest.raises(DomainError, match="takes points away"):
        points.define_rule(
            points.Catalogue(),
            rule_id="x",
            name="x",
            category="discipline",
            points=D(1),
            cap_per_period=None,
        )
    with pytest.raises(DomainError, match="give points"):
        points.define_rule(
            points.Catalogue(),
            rule_id="x",
            name="x",
            category="service",
            points=D(-1),
            cap_per_period=None,
        )
    with pytest.raises(DomainError, match="cap"):
        points.define_rule(
            points.Catalogue(),
            rule_id="x",
            name="x",
            category="service",
            points=D(5),
            cap_per_period=D(3),
        )


def test_a_changed_rule_is_a_new_version_and_the_old_one_is_kept() -> None:
    [v2] = points.define_rule(CATALOGUE, rule_id="attended", name="attended a theme party day",
                              category="study", points=D("1.5"), cap_per_period=D(12))  # fmt: skip
    assert v2.version == 2
    catalogue = CATALOGUE.define(v2)
    assert catalogue.in_force("attended").points == D("1.5")
    assert [r.version for r in catalogue.versions["attended"]] == [1, 2]
    same = points.define_rule(catalogue, rule_id="attended", name="attended a theme party day",
                              category="study", points=D("1.5"), cap_per_period=D(12))  # fmt: skip
    assert same == []


def test_a_score_names_its_rule_version_reason_and_cause() -> None:
    [event] = points.score(points.Ledger(), CATALOGUE.in_force("resolved_issue"), member_id="m1",
                           period=2026, reason="正街下水疏通", source_event_id="evt-1")  # fmt: skip
    assert (event.rule_id, event.rule_version, event.points) == ("resolved_issue", 1, D(2))
    assert event.source_event_id == "evt-1"


def test_the_same_cause_scores_once() -> None:
    rule = CATALOGUE.in_force("resolved_issue")
    ledger = points.fold(
        points.score(
            points.Ledger(), rule, member_id="m1", period=2026, reason="r", source_event_id="evt-1"
        )
    )
    assert (
        points.score(ledger, rule, member_id="m1", period=2026, reason="r", source_event_id="evt-1")
        == []
    )


def test_a_cap_trims_the_last_award_then_refuses() -> None:
    rule = points.Rule("r", 1, "r", "service", D(3), D(10))
    ledger = points.Ledger()
    awarded = []
    for n in range(4):
        [event] = points.score(ledger, rule, member_id="m", period=2026, reason=f"#{n}")
        ledger = points.evolve(ledger, event)
        awarded.append(event.points)
    assert awarded == [D(3), D(3), D(3), D(1)]
    with pytest.raises(points.CapReachedError):
        points.score(ledger, rule, member_id="m", period=2026, reason="again")
    # A new year, a new cap.
    assert points.score(ledger, rule, member_id="m", period=2027, reason="new year")[0].points == D(
        3
    )


def test_discipline_takes_points_whatever_the_caps() -> None:
    ledger = points.Ledger()
    for _ in range(3):
        [event] = points.score(
            ledger, CATALOGUE.in_force("absent"), member_id="m", period=2026, reason="无故缺席"
        )
        ledger = points.evolve(ledger, event)
    assert ledger.totals[2026] == D(-6)


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("59.99", 0),
        ("60", 1),
        ("69.5", 1),
        ("70", 2),
        ("80", 3),
        ("90", 4),
        ("95.99", 4),
        ("96", 5),
        ("120", 5),
    ],
)
def test_stars_follow_the_thresholds(total: str, expected: int) -> None:
    assert points.stars(D(total)) == expected


def test_stars_thresholds_are_configurable() -> None:
    assert points.stars(D(50), thresholds=(D(40), D(50))) == 2


def test_ranking_shares_ranks_on_equal_totals() -> None:
    ranked = points.ranking({"a": D(90), "b": D(96), "c": D(90), "d": D(55)})
    assert [(r.member_id, r.rank, r.stars) for r in ranked] == [
        ("b", 1, 5),
        ("a", 2, 4),
        ("c", 2, 4),
        ("d", 4, 0),
    ]


def test_the_ledger_explains_its_total() -> None:
    events = [
        MemberScored(
            member_id="m",
            rule_id="attended",
            rule_version=1,
            points=D(1),
            period=2026,
            reason="主题党日",
        ),
        MemberScored(
            member_id="m",
            rule_id="resolved_issue",
            rule_version=1,
            points=D(2),
            period=2026,
            reason="漏水",
            source_event_id="e9",
        ),
    ]
    ledger = points.fold(events)
    assert ledger.totals[2026] == sum(e.points for e in ledger.entries) == D(3)
    assert [e.reason for e in ledger.entries] == ["主题党日", "漏水"]
