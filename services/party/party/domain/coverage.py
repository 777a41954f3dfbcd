"""Full organisational coverage (党组织全覆盖): every grid has its party group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Coverage:
    covered: tuple[str, ...]
    uncovered: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.uncovered


def coverage(grids: Iterable[str], party_groups: Mapping[str, str]) -> Coverage:
    """``party_groups`` maps each party group to the grid it is bound to."""
    bound = set(party_groups.values())
    ordered = sorted(set(grids))
    return Coverage(
        covered=tuple(g for g in ordered if g in bound),
        uncovered=tuple(g for g in ordered if g not in bound),
    )
