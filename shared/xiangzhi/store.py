"""The event store: append with optimistic concurrency, the village chain, and the outbox.

One transaction per append: lock the village's chain head, check the stream's version, insert
the events (hashed onto the chain) and their outbox positions, move the head, NOTIFY the relay.
A version conflict raises ``ConcurrencyError`` and writes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import asyncpg

from . import pii
from .chain import GENESIS, ChainReport, ChainVerifier, event_hash
from .db import Connection, Pool, Row
from .envelope import Envelope
from .registry import EventPayload

if TYPE_CHECKING:
    from .keys import KeyStore

OUTBOX_CHANNEL = "xiangzhi_outbox"


UNKNOWN_VERSION = -1


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it: reload, decide again, retry."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, not {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class PersonalDataError(RuntimeError):
    """Personal data offered to a store that cannot seal it."""


class StreamVillageError(ValueError):
    """A stream belongs to one village for all of its life."""


@dataclass(frozen=True)
class NewEvent:
    type: str
    data: dict[str, Any]
    event_id: UUID = field(default_factory=uuid4)

    @classmethod
    def of(cls, payload: EventPayload, event_id: UUID | None = None) -> NewEvent:
        return cls(payload.event_type, payload.to_data(), event_id or uuid4())


@dataclass(frozen=True)
class EventMeta:
    """Who and why: carried into the stored ``meta`` and the envelope's extensions."""

    correlation_id: str
    causation_id: str | None = None
    actor: str | None = None
    request_id: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class RecordedEvent:
    position: int
    event_id: UUID
    stream_id: str
    version: int
    village: str
    type: str
    data: dict[str, Any]
    meta: dict[str, Any]
    recorded_at: datetime
    chain_seq: int
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Row) -> RecordedEvent:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def envelope(self, service: str) -> Envelope:
        # Built from our own stored row, which was validated on the way in: no second check
        # on the relay's hot path.
        return Envelope.model_construct(
            specversion="1.0",
            datacontenttype="application/json",
            id=self.event_id,
            source=f"/xiangzhi/{service}",
            type=self.type,
            subject=self.stream_id,
            time=self.recorded_at,
            village=self.village,
            chainseq=self.chain_seq,
            streamversion=self.version,
            correlationid=self.meta.get("correlation_id") or str(self.event_id),
            causationid=self.meta.get("causation_id"),
            actor=self.meta.get("actor"),
            hash=self.hash,
            prevhash=self.prev_hash,
            data=self.data,
        )


EVENT_COLUMNS = (
    "position",
    "event_id",
    "stream_id",
    "version",
    "village",
    "type",
    "data",
    "meta",
    "recorded_at",
    "chain_seq",
    "prev_hash",
    "hash",
)
_COLUMNS = ", ".join(EVENT_COLUMNS)

_INSERT = f"""
with ins as (
    insert into events (event_id, stream_id, version, village, type, data, meta, recorded_at,
                        chain_seq, prev_hash, hash)
    select * from unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[],
                         $6::jsonb[], $7::jsonb[], $8::timestamptz[], $9::bigint[],
                         $10::text[], $11::text[])
    returning position
), outboxed as (
    insert into outbox (position) select position from ins
), head as (
    update chain_heads h set chain_seq = u.chain_seq, hash = u.hash
    from unnest($12::text[], $13::bigint[], $14::text[]) as u(village, chain_seq, hash)
    where h.village = u.village
)
select array_agg(position order by position) as positions, pg_notify('{OUTBOX_CHANNEL}', '')
from ins
"""


@dataclass(frozen=True)
class StreamAppend:
    """One stream's part of an ``append_many``: its events, if it is at ``expected_version``."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent | EventPayload]


@dataclass(frozen=True)
class CommandAppend:
    """One command's appends for ``append_commands``: its village, streams and metadata."""

    village: str
    appends: Sequence[StreamAppend]
    meta: EventMeta


class EventStore:
    """With ``keys`` (the key service), personal fields are sealed before they are hashed and
    stored: neither the store nor Kafka ever holds them in clear."""

    def __init__(self, pool: Pool, keys: KeyStore | None = None) -> None:
        self.pool = pool
        self.keys = keys
        self.committer = GroupCommit(pool)

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent | EventPayload],
        *,
        village: str,
        meta: EventMeta,
        conn: Connection | None = None,
    ) -> list[RecordedEvent]:
        """Append ``events`` to ``stream_id`` if it is at ``expected_version`` (0: new stream).

        With ``conn`` the append joins that connection's transaction (as a savepoint): a
        policy appends its command's events atomically with its own progress. Without, it is
        committed with whatever else the village's committer has queued (``GroupCommit``).
        """
        if not events:
            return []
        if self.keys is not None:
            new = await self.keys.seal(village, events)
        else:
            _refuse_personal_data(events)
            new = [e if isinstance(e, NewEvent) else NewEvent.of(e) for e in events]
        if conn is None:
            return await self.committer.submit(village, [(stream_id, expected_version, new)], meta)
        try:
            async with conn.transaction():
                return await _append(conn, stream_id, expected_version, new, village, meta)
        except ConcurrencyError as exc:
            if exc.actual != UNKNOWN_VERSION:
                raise
            # The race's loser: its snapshot could not see the winner's events. Now that the
            # (savepoint or) transaction is rolled back, a fresh statement sees them committed.
            actual = await conn.fetchval(
                "select coalesce(max(version), 0) from events where stream_id = $1", stream_id
            )
            raise ConcurrencyError(stream_id, expected_version, int(actual)) from exc

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        *,
        village: str,
        meta: EventMeta,
        conn: Connection | None = None,
    ) -> list[RecordedEvent]:
        """Several streams of one village appended together: all or none, each only if it is at
        its expected version (a conflict names the first that is not). One sealing call, one
        lock of the village's chain, one insert — what an import of thousands of rows needs
        instead of thousands of appends."""
        appends = [a for a in appends if a.events]
        if not appends:
            return []
        names = [a.stream_id for a in appends]
        if len(set(names)) != len(names):
            raise ValueError("a stream may appear once in an append_many")
        flat = [e for a in appends for e in a.events]
        if self.keys is not None:
            sealed = await self.keys.seal(village, flat)
        else:
            _refuse_personal_data(flat)
            sealed = [e if isinstance(e, NewEvent) else NewEvent.of(e) for e in flat]
        parts, at = [], 0
        for a in appends:
            parts.append((a.stream_id, a.expected_version, sealed[at : at + len(a.events)]))
            at += len(a.events)
        if conn is None:
            return await self.committer.submit(village, parts, meta)
        try:
            async with conn.transaction():
                return await _append_many(conn, parts, village, meta)
        except asyncpg.UniqueViolationError as exc:  # pragma: no cover - the lock prevents it
            raise ConcurrencyError(names[0], appends[0].expected_version, UNKNOWN_VERSION) from exc

    async def append_commands(
        self, commands: Sequence[CommandAppend], *, conn: Connection
    ) -> list[list[RecordedEvent]]:
        """Several commands' appends in the caller's transaction — a policy's batch, one command
        per event it reacts to, each with its own metadata (its cause). The villages' heads are
        locked once and everything is inserted in one statement. A command whose stream moved
        raises its ``ConcurrencyError`` and nothing of the batch is written (the caller's
        transaction rolls back; a policy's runner retries its events one by one)."""
        commands = [c for c in commands if any(a.events for a in c.appends)]
        if not commands:
            return []
        # Sealed village by village, one call each: the key service is asked once per batch.
        sealed_by_village: dict[str, list[NewEvent]] = {}
        for village in dict.fromkeys(c.village for c in commands):
            flat = [e for c in commands if c.village == village for a in c.appends
                    for e in a.events]  # fmt: skip
            if self.keys is not None:
                sealed_by_village[village] = await self.keys.seal(village, flat)
            else:
                _refuse_personal_data(flat)
                sealed_by_village[village] = [
                    e if isinstance(e, NewEvent) else NewEvent.of(e) for e in flat
                ]
        taken = dict.fromkeys(sealed_by_village, 0)
        requests: list[Request] = []
        for command in commands:
            parts = []
            for a in command.appends:
                if not a.events:
                    continue
                at = taken[command.village]
                sealed = sealed_by_village[command.village][at : at + len(a.events)]
                taken[command.village] = at + len(a.events)
                parts.append((a.stream_id, a.expected_version, sealed))
            requests.append((command.village, parts, command.meta))
        async with conn.transaction():
            outcomes = await _append_requests(conn, requests)
            refused = next((o for o in outcomes if isinstance(o, Exception)), None)
            if refused is not None:
                raise refused
        return [o for o in outcomes if not isinstance(o, Exception)]

    async def read_streams(
        self, stream_ids: Sequence[str], *, conn: Connection | None = None
    ) -> dict[str, list[RecordedEvent]]:
        """Several streams in one round trip (a stream without events is absent)."""
        rows = await (conn or self.pool).fetch(
            f"select {_COLUMNS} from events where stream_id = any($1) order by stream_id, version",
            list(stream_ids),
        )
        out: dict[str, list[RecordedEvent]] = {}
        for row in rows:
            out.setdefault(row["stream_id"], []).append(RecordedEvent.from_row(row))
        return out

    async def read_stream(
        self, stream_id: str, from_version: int = 1, *, conn: Connection | None = None
    ) -> list[RecordedEvent]:
        rows = await (conn or self.pool).fetch(
            f"select {_COLUMNS} from events where stream_id = $1 and version >= $2 "
            "order by version",
            stream_id,
            from_version,
        )
        return [RecordedEvent.from_row(r) for r in rows]

    async def read_village(
        self, village: str, from_seq: int = 1, limit: int | None = None
    ) -> list[RecordedEvent]:
        rows = await self.pool.fetch(
            f"select {_COLUMNS} from events where village = $1 and chain_seq >= $2 "
            "order by chain_seq limit $3",
            village,
            from_seq,
            limit,
        )
        return [RecordedEvent.from_row(r) for r in rows]

    async def villages(self) -> list[str]:
        return [
            r["village"]
            for r in await self.pool.fetch("select village from chain_heads order by 1")
        ]

    async def verify_village(self, village: str, batch: int = 5000) -> ChainReport:
        """Recompute the village's chain; the report names the first event that does not match."""
        verifier = ChainVerifier(village)
        after = 0
        while True:
            rows = await self.pool.fetch(
                f"select {_COLUMNS} from events where village = $1 and chain_seq > $2 "
                "order by chain_seq limit $3",
                village,
                after,
                batch,
            )
            if not all(verifier.feed(row) for row in rows) or len(rows) < batch:
                break
            after = rows[-1]["chain_seq"]
        head = await self.pool.fetchrow(
            "select chain_seq, hash from chain_heads where village = $1", village
        )
        return verifier.finish(*((head["chain_seq"], head["hash"]) if head else (0, GENESIS)))


def _refuse_personal_data(events: Sequence[NewEvent | EventPayload]) -> None:
    """Without the key service an event with personal fields would be kept in clear, forever."""
    for event in events:
        if isinstance(event, EventPayload) and pii.has_personal(type(event)):
            raise PersonalDataError(
                f"{event.event_type} holds personal data: this store has no key service to seal it"
            )


async def _append(
    conn: Connection,
    stream_id: str,
    expected_version: int,
    new: Sequence[NewEvent],
    village: str,
    meta: EventMeta,
) -> list[RecordedEvent]:
    head_seq, head_hash, actual, stream_village = await _lock_head_and_read_stream(
        conn, village, stream_id
    )
    if actual != expected_version:
        raise ConcurrencyError(stream_id, expected_version, actual)
    if stream_village is not None and stream_village != village:
        raise StreamVillageError(f"stream {stream_id} belongs to village {stream_village}")
    recorded = _chain(
        new, stream_id, expected_version, village, meta.as_dict(), (head_seq, head_hash)
    )
    try:
        return await _insert(conn, recorded)
    except asyncpg.UniqueViolationError as exc:
        # Two appends to one stream raced: both read its version before the chain-head lock
        # was theirs, and the statement that waited for the lock still reads the old snapshot
        # of ``events`` (READ COMMITTED re-checks only the locked row). The (stream, version)
        # key refuses the loser; ``append`` looks up the version the winner left.
        raise ConcurrencyError(stream_id, expected_version, UNKNOWN_VERSION) from exc


async def _insert(conn: Connection, recorded: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    """The chained events, their outbox rows and their villages' new heads, in one statement."""
    heads: dict[str, RecordedEvent] = {}
    for event in recorded:
        heads[event.village] = event
    row = await conn.fetchrow(
        _INSERT,
        [e.event_id for e in recorded],
        [e.stream_id for e in recorded],
        [e.version for e in recorded],
        [e.village for e in recorded],
        [e.type for e in recorded],
        [e.data for e in recorded],
        [e.meta for e in recorded],
        [e.recorded_at for e in recorded],
        [e.chain_seq for e in recorded],
        [e.prev_hash for e in recorded],
        [e.hash for e in recorded],
        list(heads),
        [e.chain_seq for e in heads.values()],
        [e.hash for e in heads.values()],
    )
    assert row is not None
    return [
        RecordedEvent(**{**e.__dict__, "position": p})
        for e, p in zip(recorded, row["positions"], strict=True)
    ]


async def _append_many(
    conn: Connection,
    parts: Sequence[tuple[str, int, Sequence[NewEvent]]],
    village: str,
    meta: EventMeta,
) -> list[RecordedEvent]:
    [outcome] = await _append_requests(conn, [(village, parts, meta)])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


Part = tuple[str, int, Sequence[NewEvent]]
Request = tuple[str, Sequence[Part], EventMeta]


async def _append_requests(
    conn: Connection, requests: Sequence[Request]
) -> list[list[RecordedEvent] | Exception]:
    """Several commands' appends under one lock of each village's chain and one insert.

    Each request is all or nothing: one whose stream is not at its expected version gets its
    ``ConcurrencyError`` (and writes nothing) while the others go on, in order, so a later
    request on a stream an earlier one moved sees the version that one left.
    """
    heads = await _lock_heads(conn, sorted({village for village, _, _ in requests}))
    # Read once the heads are ours: every append to these villages waits for them, so these
    # versions are the streams' own and cannot move until this transaction ends.
    rows = await conn.fetch(
        "select stream_id, max(version) as version, min(village) as village from events "
        "where stream_id = any($1) group by stream_id",
        list(dict.fromkeys(p[0] for _, parts, _ in requests for p in parts)),
    )
    current = {r["stream_id"]: (int(r["version"]), r["village"]) for r in rows}
    outcomes: list[list[RecordedEvent] | Exception] = []
    chained_all: list[RecordedEvent] = []
    for village, parts, meta in requests:
        refused = _refusal(parts, current, village)
        if refused is not None:
            outcomes.append(refused)
            continue
        as_dict = meta.as_dict()
        mine: list[RecordedEvent] = []
        for stream_id, expected, new in parts:
            chained = _chain(new, stream_id, expected, village, as_dict, heads[village])
            mine += chained
            heads[village] = (chained[-1].chain_seq, chained[-1].hash)
            current[stream_id] = (expected + len(new), village)
        outcomes.append(mine)
        chained_all += mine
    if chained_all:
        positioned = iter(await _insert(conn, chained_all))
        outcomes = [
            o if isinstance(o, Exception) else [next(positioned) for _ in o] for o in outcomes
        ]
    return outcomes


async def _lock_heads(conn: Connection, villages: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Lock the villages' chain heads, in code order (so that two committers locking some of
    the same villages never deadlock); a village's first event creates its head."""
    heads = await _locked_heads(conn, villages)
    if len(heads) < len(villages):
        await conn.execute(
            "insert into chain_heads (village, chain_seq, hash) "
            "select v, 0, $2 from unnest($1::text[]) v on conflict do nothing",
            [v for v in villages if v not in heads],
            GENESIS,
        )
        heads = await _locked_heads(conn, villages)
    return heads


async def _locked_heads(conn: Connection, villages: Sequence[str]) -> dict[str, tuple[int, str]]:
    rows = await conn.fetch(
        "select village, chain_seq, hash from chain_heads where village = any($1) "
        "order by village for update",
        list(villages),
    )
    return {r["village"]: (int(r["chain_seq"]), str(r["hash"])) for r in rows}


def _refusal(
    parts: Sequence[Part], current: dict[str, tuple[int, str | None]], village: str
) -> Exception | None:
    for stream_id, expected, _ in parts:
        actual, stream_village = current.get(stream_id, (0, None))
        if actual != expected:
            return ConcurrencyError(stream_id, expected, actual)
        if stream_village is not None and stream_village != village:
            return StreamVillageError(f"stream {stream_id} belongs to village {stream_village}")
    return None


class GroupCommit:
    """The process's appends, committed together (group commit).

    Appends to one village are serialised on its chain head; each used to hold that lock for
    its own round trips and its own durable commit, so a busy village was limited to about one
    commit at a time however many commands waited, and every command paid a commit of its own.
    The committer takes the appends queued while its transactions ran and writes them together:
    each village's head locked once (in code order), one read of the streams' versions, one
    insert, one commit, whatever their number. Each append keeps its own outcome — its events,
    or its conflict — and nothing is acknowledged before the commit.

    A few transactions run at once, on disjoint villages: one village held long (an import of
    thousands of rows, another process's lock) delays only that village's appends.
    """

    # Enough for a burst; the rest wait for the next transaction, milliseconds later.
    MAX_REQUESTS = 256
    LANES = 4

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._queue: list[tuple[Request, asyncio.Future[list[RecordedEvent]]]] = []
        self._lanes: dict[asyncio.Task[None], set[str]] = {}
        self._closed = False
        # How many transactions it has committed (or tried): fewer than appends under load.
        self.transactions = 0

    async def submit(
        self, village: str, parts: Sequence[Part], meta: EventMeta
    ) -> list[RecordedEvent]:
        names = [p[0] for p in parts]
        if len(set(names)) != len(names):
            raise ValueError("a stream may appear once in an append")
        if self._closed:
            raise RuntimeError("the event store is stopping")
        future: asyncio.Future[list[RecordedEvent]] = asyncio.get_running_loop().create_future()
        self._queue.append(((village, parts, meta), future))
        self._schedule()
        # A caller that is cancelled (its client went away) does not cancel the others' commit;
        # its own events are committed or not with them, as a cancelled transaction's would be.
        return await asyncio.shield(future)

    def _schedule(self) -> None:
        """Start a transaction for what is queued of villages no running one holds."""
        while self._queue and len(self._lanes) < self.LANES and not self._closed:
            busy = set().union(*self._lanes.values())
            batch: list[tuple[Request, asyncio.Future[list[RecordedEvent]]]] = []
            rest: list[tuple[Request, asyncio.Future[list[RecordedEvent]]]] = []
            villages: set[str] = set()
            for item in self._queue:
                village = item[0][0]
                if village in busy or len(batch) >= self.MAX_REQUESTS:
                    busy.add(village)  # its later appends wait too: a village keeps its order
                    rest.append(item)
                else:
                    batch.append(item)
                    villages.add(village)
            if not batch:
                return
            self._queue = rest
            lane = asyncio.create_task(self._run(batch))
            self._lanes[lane] = villages
            lane.add_done_callback(self._lane_done)

    def _lane_done(self, lane: asyncio.Task[None]) -> None:
        self._lanes.pop(lane, None)
        self._schedule()

    async def close(self) -> None:
        """Stop: what is queued or being written is answered with an error, never left waiting."""
        self._closed = True
        for _, future in self._queue:
            if not future.done():
                future.set_exception(RuntimeError("the event store is stopping"))
        self._queue = []
        lanes = list(self._lanes)
        for lane in lanes:
            lane.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)

    async def _run(self, batch: list[tuple[Request, asyncio.Future[list[RecordedEvent]]]]) -> None:
        requests = [request for request, _ in batch]
        try:
            try:
                outcomes = await self._commit(requests)
            except Exception as exc:
                if len(batch) == 1:
                    outcomes = [exc]
                else:
                    # Something failed the whole transaction (a duplicate event id, a lost
                    # connection): each append alone, so only the one at fault is refused.
                    outcomes = []
                    for request in requests:
                        try:
                            [one] = await self._commit([request])
                        except Exception as alone:
                            one = alone
                        outcomes.append(one)
        except BaseException:
            for _, future in batch:
                if not future.done():
                    future.set_exception(RuntimeError("the event store is stopping"))
            raise
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def _commit(self, requests: Sequence[Request]) -> list[list[RecordedEvent] | Exception]:
        self.transactions += 1
        async with self.pool.acquire() as conn, conn.transaction():
            return await _append_requests(conn, requests)


_LOCK_HEAD = """
select h.chain_seq, h.hash, coalesce(s.version, 0) as version, s.village
from chain_heads h
left join lateral (
    select version, village from events where stream_id = $2 order by version desc limit 1
) s on true
where h.village = $1
for update of h
"""


async def _lock_head_and_read_stream(
    conn: Connection, village: str, stream_id: str
) -> tuple[int, str, int, str | None]:
    """Lock the village's chain head and read the stream's version, in one round trip."""
    row = await conn.fetchrow(_LOCK_HEAD, village, stream_id)
    if row is None:
        # The village's first event: create its head, then lock it like any other.
        await conn.execute(
            "insert into chain_heads (village, chain_seq, hash) values ($1, 0, $2) "
            "on conflict do nothing",
            village,
            GENESIS,
        )
        row = await conn.fetchrow(_LOCK_HEAD, village, stream_id)
    assert row is not None
    return int(row["chain_seq"]), str(row["hash"]), int(row["version"]), row["village"]


def _chain(
    new: Sequence[NewEvent],
    stream_id: str,
    expected_version: int,
    village: str,
    meta: dict[str, Any],
    head: tuple[int, str],
) -> list[RecordedEvent]:
    seq, prev = head
    # Microseconds: what timestamptz keeps, so the hash recomputes from the stored value.
    now = datetime.now(UTC)
    out = []
    for offset, event in enumerate(new, start=1):
        seq += 1
        version = expected_version + offset
        digest = event_hash(
            prev_hash=prev,
            chain_seq=seq,
            event_id=event.event_id,
            stream_id=stream_id,
            version=version,
            village=village,
            event_type=event.type,
            data=event.data,
            meta=meta,
            recorded_at=now,
        )
        out.append(
            RecordedEvent(
                position=0,
                event_id=event.event_id,
                stream_id=stream_id,
                version=version,
                village=village,
                type=event.type,
                data=event.data,
                meta=meta,
                recorded_at=now,
                chain_seq=seq,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    return out
