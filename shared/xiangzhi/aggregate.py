"""The command pattern every handler follows: load the stream, decide, append at that version.

Deciding is the domain's pure function; this is the I/O around it, written once: the one
``fold``, typed stream ids, the command context that owns the transaction at the edge, and the
outcome that carries the events a command decided (nobody parses them back).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Self, TypeVar, overload

from pydantic import BaseModel

from . import consistency
from .db import Connection
from .errors import NotFoundError
from .registry import EventPayload, EventRegistry
from .store import ConcurrencyError, EventMeta, EventStore, NewEvent, RecordedEvent, StreamAppend
from .streams import StreamId, StreamKind, fold

S = TypeVar("S")

__all__ = ["CommandContext", "Outcome", "StreamId", "StreamKind", "execute", "fold", "load"]


class UnitOfWork:
    """What a command has decided but not yet written: its appends, stream by stream.

    A command reads, decides and appends to several streams; in ``transaction()`` the appends
    are kept here and written together when the block ends — all or none, each stream only if
    still at the version the command read, committed with whatever else the village's
    committer has queued (``store.GroupCommit``). No database transaction is held while the
    command reads and decides: optimistic versions make that safe, and the village's chain is
    locked only for the moment of the write. A stream read again in the block includes what
    the block already appended to it.
    """

    def __init__(self) -> None:
        self.pending: dict[str, tuple[int, list[EventPayload | NewEvent]]] = {}
        # Each append's share of the recorded events, filled when the unit is committed.
        self._waiting: list[tuple[str, int, int, list[RecordedEvent]]] = []

    def add(
        self,
        stream_id: str,
        version: int,
        events: Sequence[EventPayload | NewEvent],
        into: list[RecordedEvent] | None = None,
    ) -> list[RecordedEvent]:
        """Append ``events`` to ``stream_id`` at ``version`` (what the block read of it); the
        returned list (``into``, if given) holds the recorded events once the unit commits."""
        recorded: list[RecordedEvent] = [] if into is None else into
        if not events:
            return recorded
        base, queued = self.pending.get(stream_id, (version, []))
        if base + len(queued) != version:
            raise ConcurrencyError(stream_id, base + len(queued), version)
        self._waiting.append((stream_id, len(queued), len(events), recorded))
        self.pending[stream_id] = (base, [*queued, *events])
        return recorded

    def ahead(self, stream_id: str) -> list[EventPayload | NewEvent]:
        """The block's own events of the stream, not yet written."""
        return self.pending.get(stream_id, (0, []))[1]

    async def commit(self, store: EventStore, village: str, meta: EventMeta) -> None:
        appends = [StreamAppend(s, v, events) for s, (v, events) in self.pending.items()]
        recorded = await store.append_many(appends, village=village, meta=meta)
        by_stream: dict[str, list[RecordedEvent]] = {}
        for event in recorded:
            by_stream.setdefault(event.stream_id, []).append(event)
        for stream_id, start, count, into in self._waiting:
            into.extend(by_stream[stream_id][start : start + count])


@dataclass(frozen=True)
class CommandContext:
    """Where, by whom and in which transaction a command is given. A service's context adds
    what its domain needs (the actor); ``transaction()`` is the one place a command's writes
    are made atomic. A policy's context carries ``conn``: its appends join the transaction
    that also records its progress."""

    store: EventStore
    village: str
    meta: EventMeta
    conn: Connection | None = field(default=None, kw_only=True)
    unit: UnitOfWork | None = field(default=None, kw_only=True)
    # The service's events, set by its context class: what streams are read back into.
    registry: ClassVar[EventRegistry]

    async def load(self, stream: StreamId | str) -> tuple[list[EventPayload], int]:
        """A stream of this village, with what this command already appended to it."""
        events, version = await load(
            self.store, self.registry, stream, self.village, conn=self.conn
        )
        ahead = self._ahead(str(stream))
        return [*events, *ahead], version + len(ahead)

    def _ahead(self, stream_id: str) -> list[EventPayload]:
        if self.unit is None:
            return []
        return [
            e if isinstance(e, EventPayload) else self.registry.parse(e.type, e.data)
            for e in self.unit.ahead(stream_id)
        ]

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
            parsed = [self.registry.parse(e.type, e.data) for e in events]
            ahead = self._ahead(stream)
            out[stream] = ([*parsed, *ahead], len(events) + len(ahead))
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
        if self.unit is None:
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
        stream_id = str(stream)
        history, version = await self.load(stream_id)
        if expected_version is not None and expected_version != version:
            raise ConcurrencyError(stream_id, expected_version, version)
        new = decide(fold(history))
        return Outcome(
            stream_id,
            version + len(new),
            self.unit.add(stream_id, version, new),
            decided=list(new),
            stream=stream if isinstance(stream, StreamId) else None,
        )

    async def append(
        self, stream: StreamId | str, expected_version: int, events: Sequence[EventPayload]
    ) -> list[RecordedEvent]:
        """Events decided outside ``execute`` (a stream set up on first use), appended in this
        context's transaction: part of its unit of work, or of the caller's connection."""
        if self.unit is not None:
            return self.unit.add(str(stream), expected_version, events)
        return await self.store.append(
            str(stream), expected_version, events, village=self.village, meta=self.meta,
            conn=self.conn,
        )  # fmt: skip

    async def append_many(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]:
        """Several streams at once (an import); in a unit of work, part of it."""
        if self.unit is not None:
            out: list[RecordedEvent] = []
            for a in appends:
                self.unit.add(a.stream_id, a.expected_version, a.events, into=out)
            return out
        return await self.store.append_many(
            appends, village=self.village, meta=self.meta, conn=self.conn
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Self]:
        """This context with its appends made atomic: the caller's transaction (a policy's), or
        a unit of work written when the block ends without an error (a command that appends
        to several streams appends them all or none)."""
        if self.conn is not None or self.unit is not None:
            yield self
            return
        unit = UnitOfWork()
        yield replace(self, unit=unit)
        await unit.commit(self.store, self.village, self.meta)


@dataclass(frozen=True)
class Outcome:
    stream_id: str
    version: int
    # In a unit of work, filled when the unit commits: read it after the block.
    recorded: Sequence[RecordedEvent]
    # What the domain decided, as its own event objects (the same as ``recorded``).
    decided: Sequence[EventPayload] = ()
    stream: StreamId | None = None

    @property
    def aggregate_id(self) -> str:
        return self.stream.aggregate_id if self.stream else self.stream_id

    def merged(self, *others: Outcome) -> Outcome:
        """This outcome with the events of others appended by the same command."""
        recorded = _Joined([self.recorded, *(o.recorded for o in others)])
        decided = [*self.decided, *(e for o in others for e in o.decided)]
        return replace(self, recorded=recorded, decided=decided)


class _Joined(Sequence[RecordedEvent]):
    """Several outcomes' recorded events as one sequence, read when asked: inside a unit of
    work they are recorded only once it commits, after ``merged`` was called."""

    def __init__(self, parts: Sequence[Sequence[RecordedEvent]]) -> None:
        self._parts = parts

    def _all(self) -> list[RecordedEvent]:
        return [e for part in self._parts for e in part]

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    @overload
    def __getitem__(self, index: int) -> RecordedEvent: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[RecordedEvent]: ...
    def __getitem__(self, index: int | slice) -> RecordedEvent | Sequence[RecordedEvent]:
        return self._all()[index]


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
