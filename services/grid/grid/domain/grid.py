"""A grid (网格) or micro-grid (微网格) and its three chiefs (三长联动).

One holder per role at a time; naming a new holder records whom they replace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .codes import check_grid_in_village
from .commands import AssignChief, EstablishGrid
from .events import ChiefAssigned, ChiefRole, GridEstablished, GridLevel


@dataclass(frozen=True)
class Chief:
    person_id: str
    name: str
    party_member_id: str | None


@dataclass(frozen=True)
class Grid:
    grid_id: str = ""
    established: bool = False
    level: GridLevel | None = None
    parent_id: str | None = None
    chiefs: dict[str, Chief] = field(default_factory=dict)

    def chief_ids(self) -> frozenset[str]:
        """The people who hold one of this grid's three chiefs' roles now."""
        return frozenset(chief.person_id for chief in self.chiefs.values())


def evolve(state: Grid, event: GridEstablished | ChiefAssigned) -> Grid:
    match event:
        case GridEstablished():
            return Grid(
                grid_id=event.grid_id,
                established=True,
                level=event.level,
                parent_id=event.parent_id,
            )
        case ChiefAssigned():
            chief = Chief(event.person_id, event.name, event.party_member_id)
            return replace(state, chiefs={**state.chiefs, event.role: chief})
    raise TypeError(f"not a grid event: {event!r}")


def fold(events: Sequence[GridEstablished | ChiefAssigned]) -> Grid:
    return streams.fold(Grid(), evolve, events)


def establish(
    state: Grid, cmd: EstablishGrid, *, village: str, parent: Grid | None
) -> list[GridEstablished]:
    grid_id, level, parent_id = cmd.grid_id, cmd.level, cmd.parent_id
    if state.established:
        raise IllegalTransitionError(
            f"grid {grid_id} is already established", current_state="established"
        )
    check_grid_in_village(grid_id, village)
    if level == "micro_grid" and parent_id is None:
        raise DomainError("a micro-grid belongs to a grid: give parent_id", field="parent_id")
    if parent_id is not None:
        check_grid_in_village(parent_id, village)
        if parent is None or not parent.established:
            raise DomainError(f"parent grid {parent_id} does not exist", field="parent_id")
        if parent.level != "grid":
            raise DomainError(
                "a micro-grid's parent is a grid, not a micro-grid", field="parent_id"
            )
    return [
        GridEstablished(
            grid_id=grid_id,
            name=cmd.name,
            level=level,
            parent_id=parent_id,
            merged_from=cmd.merged_from,
            households=cmd.households,
        )
    ]


def assign_chief(state: Grid, role: ChiefRole, cmd: AssignChief) -> list[ChiefAssigned]:
    person_id, is_party_member, party_member_id = (
        cmd.person_id,
        cmd.is_party_member,
        cmd.party_member_id,
    )
    if not state.established:
        raise IllegalTransitionError("the grid is not established", current_state="new")
    if is_party_member != (party_member_id is not None):
        raise DomainError(
            "a party member has a party_member_id, and only a party member has one",
            field="party_member_id",
        )
    if role == "party_group_leader" and not is_party_member:
        raise DomainError(
            "the party group leader (党小组组长) is a party member", field="is_party_member"
        )
    current = state.chiefs.get(role)
    if current is not None and current.person_id == person_id:
        return []  # already holds the role: nothing changes
    return [
        ChiefAssigned(
            grid_id=state.grid_id,
            role=role,
            person_id=person_id,
            name=cmd.name,
            is_party_member=is_party_member,
            party_member_id=party_member_id,
            replaces_person_id=current.person_id if current else None,
        )
    ]
