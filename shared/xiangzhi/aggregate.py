"""The command pattern every handler follows: load the stream, decide, append at that version.

Deciding is the domain's pure function; this is the I/O around it, written once: the one
``fold``, typed stream ids, the command context that owns the transaction at the edge, and the
outcome that carries the events a command decided (nobody parses them back).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Self, TypeVar

from pydantic import BaseModel

from . import consistency
from .db import Connection
from .errors import NotFoundError
from .registry import EventPayload, EventRegistry
from .store import ConcurrencyError, EventMeta, EventStore, RecordedEvent
from .streams import StreamId, StreamKind, fold

S = TypeVar("S")

__all__ = ["CommandContext", "Outcome", "StreamId", "StreamKind", "execute", "fold", "load"]


@dataclass(frozen=True)
class CommandContext:
    """Where, by whom and in which transaction a command is given. A service's context adds
    what its domain needs (the actor); ``transaction()`` is the one place a transaction opens."""

    store: EventStore
    village: str
    meta: EventMeta
    conn: Connection | None = field(default=None, kw_only=True)
    # The service's events, set by its context class: what streams are read back into.
    registry: ClassVar[EventRegistry]

    async def load(self, stream: StreamId | str) -> tuple[list[EventPayload], int]:
        """A stream of this village, in this context's transaction (if any)."""
        return await load(self.store, self.registry, stream, self.village, conn=self.conn)

    async def load_many(
        self, streams: Sequence[StreamId | str]
    ) -> dict[str, tuple[list[EventPayload], int]]:
        """Several streams of this village in one round trip: each one's events and version."""
        recorded = await self.store.read_streams([str(s) for s in streams], conn=self.conn)
        out = {}
        for stream in map(str, streams):
            events = recorded.get(stream, [])
            if events and events[0].village != self.village:
                raise NotFoundError(f"{stream} is not in village {self.village}")
            out[stream] = ([self.registry.parse(e.type, e.data) for e in events], len(events))
        return out

    async def execute(
        self,
        stream: StreamId | str,
        *,
        fold: Callable[[Sequence[Any]], S],
        decide: Callable[[S], Sequence[EventPayload]],
        expected_version: int | None = None,
    ) -> Outcome:
        """One command on one aggregate of this village, in this context's transaction."""
        return await execute(
            self.store,
            self.registry,
            stream,
            village=self.village,
            meta=self.meta,
            fold=fold,
            decide=decide,
            expected_version=expected_version,
            conn=self.conn,
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Self]:
        """This context bound to a transaction: the caller's, or one of its own committed when
        the block ends (a command that appends to several streams appends them all or none)."""
        if self.conn is not None:
            yield self
            return
        async with self.store.pool.acquire() as conn, conn.transaction():
            yield replace(self, conn=conn)


@dataclass(frozen=True)
class Outcome:
    stream_id: str
    version: int
    recorded: list[RecordedEvent]
    # What the domain decided, as its own event objects (the same as ``recorded``).
    decided: Sequence[EventPayload] = ()
    stream: StreamId | None = None

    @property
    def aggregate_id(self) -> str:
        return self.stream.aggregate_id if self.stream else self.stream_id

    def merged(self, *others: Outcome) -> Outcome:
        """This outcome with the events of others appended by the same command."""
        recorded = [*self.recorded, *(e for o in others for e in o.recorded)]
        decided = [*self.decided, *(e for o in others for e in o.decided)]
        return replace(self, recorded=recorded, decided=decided)


async def load(
    store: EventStore,
    registry: EventRegistry,
    stream: StreamId | str,
    village: str,
    *,
    conn: Connection | None = None,
) -> tuple[list[EventPayload], int]:
    """The stream's events (upcast to their current types) and its version.

    A stream of another village is as good as absent: nobody sees outside their village.
    """
    recorded = await store.read_stream(str(stream), conn=conn)
    if recorded and recorded[0].village != village:
        raise NotFoundError(f"{stream} is not in village {village}")
    return [registry.parse(e.type, e.data) for e in recorded], len(recorded)


async def execute(
    store: EventStore,
    registry: EventRegistry,
    stream: StreamId | str,
    *,
    village: str,
    meta: EventMeta,
    fold: Callable[[Sequence[Any]], S],
    decide: Callable[[S], Sequence[EventPayload]],
    expected_version: int | None = None,
    conn: Connection | None = None,
) -> Outcome:
    """Run one command against one aggregate; a stale ``expected_version`` is a conflict."""
    stream_id = str(stream)
    history, version = await load(store, registry, stream_id, village, conn=conn)
    if expected_version is not None and expected_version != version:
        raise ConcurrencyError(stream_id, expected_version, version)
    new = decide(fold(history))
    recorded = await store.append(stream_id, version, new, village=village, meta=meta, conn=conn)
    return Outcome(
        stream_id,
        version + len(recorded),
        recorded,
        decided=list(new),
        stream=stream if isinstance(stream, StreamId) else None,
    )


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
