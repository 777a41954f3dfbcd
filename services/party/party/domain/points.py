"""The points system (党员积分制管理): a versioned rule catalogue, scoring, ledgers, stars.

- A rule's points may be negative (discipline); a cap limits what one rule gives in a period.
- A score is explainable: it names the rule and the catalogue version in force, the reason,
  and the event that caused it; the same cause never scores twice.
- Yearly totals earn stars: below 60 unqualified, 60–69 one star, 70–79 two, 80–89 three,
  90–95 four, 96 and above five (thresholds configurable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TypeVar

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .events import MemberScored, PointsRuleDefined, RuleCategory

CENT = Decimal("0.01")
DEFAULT_STARS: tuple[Decimal, ...] = (
    Decimal(60),
    Decimal(70),
    Decimal(80),
    Decimal(90),
    Decimal(96),
)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    version: int
    name: str
    category: RuleCategory
    points: Decimal
    cap_per_period: Decimal | None


@dataclass(frozen=True)
class Catalogue:
    """Every version of every rule; the newest version of a rule is the one in force."""

    versions: dict[str, tuple[Rule, ...]] = field(default_factory=dict)

    def define(self, rule: PointsRuleDefined) -> Catalogue:
        history = self.versions.get(rule.rule_id, ())
        new = Rule(
            rule.rule_id, rule.version, rule.name, rule.category, rule.points, rule.cap_per_period
        )
        return Catalogue({**self.versions, rule.rule_id: (*history, new)})

    def in_force(self, rule_id: str) -> Rule:
        history = self.versions.get(rule_id)
        if not history:
            raise DomainError(f"no points rule {rule_id!r}", field="rule_id")
        return history[-1]


def fold_catalogue(events: Sequence[PointsRuleDefined]) -> Catalogue:
    """The village's catalogue: every version of every rule, as defined."""
    return streams.fold(Catalogue(), Catalogue.define, events)


def define_rule(
    catalogue: Catalogue,
    *,
    rule_id: str,
    name: str,
    category: RuleCategory,
    points: Decimal,
    cap_per_period: Decimal | None,
) -> list[PointsRuleDefined]:
    """A new rule, or a new version of one; history is kept, never edited."""
    if category == "discipline" and points > 0:
        raise DomainError("a discipline rule takes points away", field="points")
    if category != "discipline" and points <= 0:
        raise DomainError("study, service and example rules give points", field="points")
    if cap_per_period is not None and abs(points) > cap_per_period:
        raise DomainError("one award may not exceed the rule's cap", field="cap_per_period")
    history = catalogue.versions.get(rule_id, ())
    if history:
        last = history[-1]
        if (last.name, last.category, last.points, last.cap_per_period) == (
            name,
            category,
            points,
            cap_per_period,
        ):
            return []  # the same rule again: nothing changes
    return [
        PointsRuleDefined(
            rule_id=rule_id,
            version=len(history) + 1,
            name=name,
            category=category,
            points=points.quantize(CENT),
            cap_per_period=cap_per_period.quantize(CENT) if cap_per_period is not None else None,
        )
    ]


@dataclass(frozen=True)
class Ledger:
    """One member's points: what each rule has given per period, and what caused each."""

    member_id: str = ""
    by_rule: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    totals: dict[int, Decimal] = field(default_factory=dict)
    sources: frozenset[str] = frozenset()
    entries: tuple[MemberScored, ...] = ()


def evolve(ledger: Ledger, event: MemberScored) -> Ledger:
    key = (event.rule_id, event.period)
    return replace(
        ledger,
        member_id=event.member_id,
        by_rule={**ledger.by_rule, key: ledger.by_rule.get(key, Decimal(0)) + event.points},
        totals={
            **ledger.totals,
            event.period: ledger.totals.get(event.period, Decimal(0)) + event.points,
        },
        sources=ledger.sources | ({event.source_event_id} if event.source_event_id else set()),
        entries=(*ledger.entries, event),
    )


def fold(events: Sequence[MemberScored]) -> Ledger:
    return streams.fold(Ledger(), evolve, events)


class CapReachedError(IllegalTransitionError):
    pass


def score(
    ledger: Ledger,
    rule: Rule,
    *,
    member_id: str,
    period: int,
    reason: str,
    source_event_id: str | None = None,
) -> list[MemberScored]:
    """Score one award by ``rule``; a cap trims the award to what is left of it."""
    if source_event_id is not None and source_event_id in ledger.sources:
        return []  # this cause has already scored: once, whatever redelivers it
    points = rule.points
    if rule.cap_per_period is not None and points > 0:
        given = ledger.by_rule.get((rule.rule_id, period), Decimal(0))
        left = rule.cap_per_period - given
        if left <= 0:
            raise CapReachedError(
                f"rule {rule.rule_id} has given its cap of {rule.cap_per_period} for {period}",
                current_state="capped",
            )
        points = min(points, left)
    points = points.quantize(CENT)
    return [
        MemberScored(
            member_id=member_id,
            rule_id=rule.rule_id,
            rule_version=rule.version,
            points=points,
            period=period,
            reason=reason,
            source_event_id=source_event_id,
        )
    ]


# Not a rule of the catalogue: the name under which an objection's adjustment is scored, with
# the objection as its cause, so the member's entries explain it like any other score.
NOTICE_ADJUSTMENT = "notice_adjustment"


def adjust(
    ledger: Ledger,
    *,
    member_id: str,
    period: int,
    points: Decimal,
    reason: str,
    source_event_id: str,
) -> list[MemberScored]:
    """公示调整: points added or taken after an objection, once per objection, uncapped."""
    if source_event_id in ledger.sources:
        return []
    return [
        MemberScored(
            member_id=member_id,
            rule_id=NOTICE_ADJUSTMENT,
            rule_version=0,
            points=points.quantize(CENT),
            period=period,
            reason=reason,
            source_event_id=source_event_id,
        )
    ]


def stars(total: Decimal, thresholds: Sequence[Decimal] = DEFAULT_STARS) -> int:
    """0 (unqualified) to 5 stars for a year's total."""
    return sum(1 for threshold in thresholds if total >= threshold)


@dataclass(frozen=True)
class Ranked:
    member_id: str
    total: Decimal
    stars: int
    rank: int


def ranking(
    totals: dict[str, Decimal], thresholds: Sequence[Decimal] = DEFAULT_STARS
) -> list[Ranked]:
    """Highest first; equal totals share a rank (1, 2, 2, 4)."""
    return [Ranked(m, total, stars(total, thresholds), rank) for m, total, rank in _ranked(totals)]


@dataclass(frozen=True)
class CountyRanked:
    member_id: str
    total: Decimal
    stars: int
    rank: int
    village: str
    village_rank: int


def county_ranking(
    totals: dict[str, dict[str, Decimal]], thresholds: Sequence[Decimal] = DEFAULT_STARS
) -> list[CountyRanked]:
    """Several villages' members (``totals`` by village, then member) ranked together by the
    same rule, equal totals in village then member order; each keeps their village's rank."""
    own = {(v, r.member_id): r.rank for v, of in totals.items() for r in ranking(of, thresholds)}
    together = {(v, m): total for v, of in totals.items() for m, total in of.items()}
    return [
        CountyRanked(m, total, stars(total, thresholds), rank, v, own[v, m])
        for (v, m), total, rank in _ranked(together)
    ]


Key = TypeVar("Key", str, tuple[str, str])


def _ranked(totals: dict[Key, Decimal]) -> list[tuple[Key, Decimal, int]]:
    """The ranking rule: highest total first, then by key; equal totals share a rank."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    out: list[tuple[Key, Decimal, int]] = []
    for position, (key, total) in enumerate(ordered, start=1):
        rank = out[-1][2] if out and out[-1][1] == total else position
        out.append((key, total, rank))
    return out
