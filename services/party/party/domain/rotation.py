"""Villager representatives on rotation (村民代表轮岗): turns in the village committee's work,
each with a duty, never two turns of one person at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import ScheduleTurn
from .events import RotationScheduled


@dataclass(frozen=True)
class Schedule:
    turns: tuple[RotationScheduled, ...] = ()


def fold(events: Sequence[RotationScheduled]) -> Schedule:
    return Schedule(tuple(events))


def schedule(state: Schedule, cmd: ScheduleTurn) -> list[RotationScheduled]:
    person_id, name, starts_on, ends_on = cmd.person_id, cmd.name, cmd.starts_on, cmd.ends_on
    if ends_on <= starts_on:
        raise DomainError("a turn ends after it starts", field="ends_on")
    for turn in state.turns:
        if turn.person_id == person_id and (
            starts_on <= date.fromisoformat(turn.ends_on)
            and date.fromisoformat(turn.starts_on) <= ends_on
        ):
            raise IllegalTransitionError(
                f"{name} already has a turn from {turn.starts_on} to {turn.ends_on}",
                current_state="scheduled",
            )
    return [
        RotationScheduled(
            person_id=person_id,
            name=name,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
            duty=cmd.duty,
        )
    ]
