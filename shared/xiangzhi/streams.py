"""Pure pieces of the command pattern that domain code uses: the one ``fold`` and typed stream
ids. No I/O, so a service's ``domain/`` may import them (the rest is ``xiangzhi.aggregate``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

S = TypeVar("S")
E = TypeVar("E")


def fold(initial: S, evolve: Callable[[S, E], S], events: Iterable[E]) -> S:
    """An aggregate's state: its events applied in order to its initial state."""
    return functools.reduce(evolve, events, initial)


@dataclass(frozen=True)
class StreamId:
    """A stream's id as the store keeps it (``issue-<id>``, ``team-<village>-<id>``), with the
    aggregate's own id kept apart, so nobody builds the string and strips it again."""

    kind: str
    aggregate_id: str
    village: str | None = None  # for kinds whose ids are unique only within a village

    def __str__(self) -> str:
        if self.village is None:
            return f"{self.kind}-{self.aggregate_id}"
        return f"{self.kind}-{self.village}-{self.aggregate_id}"


@dataclass(frozen=True)
class StreamKind:
    """``ISSUE = StreamKind("issue")``; ``ISSUE(issue_id)`` is that issue's ``StreamId``."""

    kind: str
    per_village: bool = False

    def __call__(self, aggregate_id: str | int, village: str | None = None) -> StreamId:
        if self.per_village and village is None:
            raise ValueError(f"a {self.kind} stream is named within its village")
        return StreamId(self.kind, str(aggregate_id), village if self.per_village else None)
