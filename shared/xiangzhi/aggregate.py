"""The command pattern every handler follows: load the stream, decide, append at that version.

Deciding is the domain's pure function; this is the I/O around it, written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from . import consistency
from .db import Connection
from .errors import NotFoundError
from .registry import EventPayload, EventRegistry
from .store import ConcurrencyError, EventMeta, EventStore, RecordedEvent

S = TypeVar("S")


@dataclass(frozen=True)
class Outcome:
    stream_id: str
    version: int
    recorded: list[RecordedEvent]


async def load(
    store: EventStore,
    registry: EventRegistry,
    stream_id: str,
    village: str,
    *,
    conn: Connection | None = None,
) -> tuple[list[EventPayload], int]:
    """The stream's events (upcast to their current types) and its version.

    A stream of another village is as good as absent: nobody sees outside their village.
    """
    recorded = await store.read_stream(stream_id, conn=conn)
    if recorded and recorded[0].village != village:
        raise NotFoundError(f"{stream_id} is not in village {village}")
    return [registry.parse(e.type, e.data) for e in recorded], len(recorded)


async def execute(
    store: EventStore,
    registry: EventRegistry,
    stream_id: str,
    *,
    village: str,
    meta: EventMeta,
    fold: Callable[[Sequence[Any]], S],
    decide: Callable[[S], Sequence[EventPayload]],
    expected_version: int | None = None,
    conn: Connection | None = None,
) -> Outcome:
    """Run one command against one aggregate; a stale ``expected_version`` is a conflict."""
    history, version = await load(store, registry, stream_id, village, conn=conn)
    if expected_version is not None and expected_version != version:
        raise ConcurrencyError(stream_id, expected_version, version)
    new = decide(fold(history))
    recorded = await store.append(stream_id, version, new, village=village, meta=meta, conn=conn)
    return Outcome(stream_id, version + len(recorded), recorded)


class Accepted(BaseModel):
    """What every command answers: the aggregate, its new version, a consistency token."""

    id: str
    version: int
    consistency_token: str


def accepted(service: str, outcome: Outcome, aggregate_id: str) -> Accepted:
    return Accepted(
        id=aggregate_id,
        version=outcome.version,
        consistency_token=consistency.token_for(service, outcome.recorded),
    )
