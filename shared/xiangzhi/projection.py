"""Projections: read models built from Kafka with exactly-once effect.

Each projection keeps its tables in a PostgreSQL schema of its own (``proj_<name>``), together
with two bookkeeping tables written in the same transaction as every batch:

- ``_positions``: the next Kafka offset per (topic, partition). On assignment the consumer
  seeks there; Kafka's committed offsets are never used.
- ``_applied``: the last ``chainseq`` applied per (source service, village). A redelivered
  event (the relay re-publishes after a crash; a rebalance re-reads) is skipped by this check.

Poison events. A batch that fails is retried one event at a time; an event that still fails
after ``max_attempts`` is *parked*: published to ``<group>.dlq`` with the error in its headers
and recorded in ``projection_failures``, and the projection moves past it. Later events — of
its village and of every other — keep being applied. (A read model may therefore lack one
event's effect until an operator replays it; the parked count is a metric, and the failures
are listed by the operator CLI.) A replay applies the event once: the failure row is locked
and marked in the same transaction.

Rebuild. Events are replayed from offset zero into ``proj_<name>_rebuild`` while the live
schema keeps serving. To finish, the rebuild takes the projection's advisory lock exclusively
(every batch takes it shared), catches up to the live positions, and renames the schemas, so
the swap is atomic and the live runner continues on the rebuilt tables.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from prometheus_client import Counter, Histogram

from .db import Connection, Pool
from .envelope import Envelope
from .kafka_admin import RETAIN_FOREVER, ensure_topics, partitions_of

log = structlog.get_logger(__name__)

APPLIED = Counter("xiangzhi_projection_events_applied_total", "Events applied", ["projection"])
SKIPPED = Counter(
    "xiangzhi_projection_events_skipped_total", "Redelivered events skipped", ["projection"]
)
PARKED = Counter(
    "xiangzhi_projection_events_parked_total", "Events parked on the DLQ", ["projection"]
)
BATCH_SECONDS = Histogram(
    "xiangzhi_projection_batch_seconds", "Time to apply a batch", ["projection"]
)

NOTIFY_CHANNEL = "xiangzhi_projection"

_BOOKKEEPING = """
create table if not exists _positions (
    topic text not null,
    partition int not null,
    next_offset bigint not null,
    primary key (topic, partition)
);
create table if not exists _applied (
    source text not null,
    village char(12) not null,
    chainseq bigint not null,
    primary key (source, village)
);
"""


class Projection:
    """A read model: its tables (``ddl``, run inside its schema) and how an event changes them.

    ``apply`` runs inside the batch's transaction with ``search_path`` set to the projection's
    schema, so it uses unqualified table names. Readers use ``table()`` for qualified ones.
    """

    name: ClassVar[str]
    ddl: ClassVar[str]

    def __init__(self, topics: Sequence[str]) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"projection name {self.name!r}: lower-case letters, digits, _")
        self.topics = tuple(topics)

    @property
    def schema(self) -> str:
        return f"proj_{self.name}"

    def table(self, name: str) -> str:
        return f"{self.schema}.{name}"

    @property
    def ddl_checksum(self) -> str:
        return hashlib.sha256(self.ddl.encode()).hexdigest()

    async def apply(self, conn: Connection, event: Envelope) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Parked:
    id: int
    projection: str
    event_id: uuid.UUID
    event_type: str | None
    village: str | None
    chainseq: int | None
    error: str
    status: str


class AlreadyResolvedError(RuntimeError):
    pass


def _lock_key(projection: str) -> int:
    return zlib.crc32(f"xiangzhi-projection:{projection}".encode()) & 0x7FFFFFFF


def _event_id_of(record: ConsumerRecord[bytes, bytes]) -> uuid.UUID:
    for name, value in record.headers:
        if name == "ce_id":
            try:
                return uuid.UUID(value.decode())
            except ValueError:
                break
    # Not even an id: name the record by where it lies, which is stable across redeliveries.
    return uuid.uuid5(
        uuid.NAMESPACE_URL, f"kafka:{record.topic}/{record.partition}/{record.offset}"
    )


class ProjectionRunner:
    def __init__(
        self,
        pool: Pool,
        bootstrap: str,
        projection: Projection,
        *,
        group_id: str | None = None,
        max_attempts: int = 3,
        retry_delay: float = 0.2,
        batch_max: int = 500,
        dlq_replication_factor: int = 1,
    ) -> None:
        self.pool = pool
        self.bootstrap = bootstrap
        self.projection = projection
        self.group_id = group_id or f"xiangzhi.{projection.name}"
        self.dlq_topic = f"{self.group_id}.dlq"
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.batch_max = batch_max
        self.dlq_replication_factor = dlq_replication_factor
        self.lock_key = _lock_key(projection.name)
        self._producer: AIOKafkaProducer | None = None
        self._parked_in_rebuild: set[uuid.UUID] = set()
        self.ready = asyncio.Event()

    # ------------------------------------------------------------------ set-up

    async def setup(self) -> None:
        """The projection's schema and tables, and its DLQ topic."""
        await create_schema(self.pool, self.projection, self.projection.schema)
        await ensure_topics(
            self.bootstrap,
            [self.dlq_topic],
            partitions=1,
            replication_factor=self.dlq_replication_factor,
            configs=dict(RETAIN_FOREVER),
        )

    # ------------------------------------------------------------------ the live loop

    async def run(self, stop: asyncio.Event) -> None:
        await self.setup()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.batch_max,
        )
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, enable_idempotence=True, acks="all"
        )
        await self._producer.start()
        consumer.subscribe(list(self.projection.topics), listener=_SeekToStored(self, consumer))
        await consumer.start()
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=self.batch_max)
                if consumer.assignment():
                    self.ready.set()
                records = [r for rs in batch.values() for r in rs]
                if records:
                    await self.handle(records, self.projection.schema, live=True)
        finally:
            await consumer.stop()
            await self._producer.stop()
            self._producer = None

    async def stored_positions(self, schema: str) -> dict[TopicPartition, int]:
        rows = await self.pool.fetch(
            f"select topic, partition, next_offset from {schema}._positions"
        )
        return {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}

    async def handle(
        self, records: list[ConsumerRecord[bytes, bytes]], schema: str, *, live: bool
    ) -> None:
        """Apply a batch in one transaction; on failure, one at a time with retries, then park."""
        started = time.perf_counter()
        try:
            await self._apply(records, schema, live=live)
        except Exception as exc:
            log.warning("projection.batch_failed", projection=self.projection.name, error=repr(exc))
            for record in records:
                await self._apply_with_retries(record, schema, live=live)
        BATCH_SECONDS.labels(self.projection.name).observe(time.perf_counter() - started)

    async def _apply(
        self, records: list[ConsumerRecord[bytes, bytes]], schema: str, *, live: bool
    ) -> None:
        events = [(r, Envelope.from_kafka(r.value or b"", r.headers)) for r in records]
        async with self.pool.acquire() as conn, conn.transaction():
            await self._enter(conn, schema, live=live)
            applied = await _load_applied(conn, {(e.service, e.village) for _, e in events})
            touched: dict[tuple[str, str], int] = {}
            skipped = 0
            for _, event in events:
                key = (event.service, event.village)
                if event.chainseq <= applied.get(key, 0):
                    skipped += 1
                    continue
                await self.projection.apply(conn, event)
                applied[key] = touched[key] = event.chainseq
            await _store_progress(conn, touched, records)
            await conn.execute("select pg_notify($1, $2)", NOTIFY_CHANNEL, self.projection.name)
        APPLIED.labels(self.projection.name).inc(len(events) - skipped)
        SKIPPED.labels(self.projection.name).inc(skipped)

    async def _enter(self, conn: Connection, schema: str, *, live: bool) -> None:
        if live:
            # Shared with every other batch; a rebuild's swap takes it exclusively.
            await conn.execute("select pg_advisory_xact_lock_shared($1)", self.lock_key)
        await conn.execute(f"set local search_path to {schema}, public")

    async def _apply_with_retries(
        self, record: ConsumerRecord[bytes, bytes], schema: str, *, live: bool
    ) -> None:
        error: Exception | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._apply([record], schema, live=live)
                return
            except Exception as exc:  # the event's own failure, whatever it is, is recorded
                error = exc
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.retry_delay * attempt)
        assert error is not None
        await self._park(record, error, schema, live=live)

    async def _park(
        self, record: ConsumerRecord[bytes, bytes], error: Exception, schema: str, *, live: bool
    ) -> None:
        event_id = _event_id_of(record)
        try:
            event: Envelope | None = Envelope.from_kafka(record.value or b"", record.headers)
        except Exception:  # undecodable: parked all the same, by its coordinates
            event = None
        already = await self.pool.fetchval(
            "select 1 from projection_failures where projection = $1 and event_id = $2",
            self.projection.name,
            event_id,
        )
        if not already:
            await self._send_to_dlq(record, error)
        async with self.pool.acquire() as conn, conn.transaction():
            await self._enter(conn, schema, live=live)
            await conn.execute(
                """
                insert into public.projection_failures
                    (projection, event_id, event_type, source, village, chainseq, topic,
                     kafka_partition, kafka_offset, key, value, headers, error, attempts)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                on conflict (projection, event_id) do nothing
                """,
                self.projection.name,
                event_id,
                event.type if event else None,
                event.service if event else None,
                event.village if event else None,
                event.chainseq if event else None,
                record.topic,
                record.partition,
                record.offset,
                record.key,
                record.value or b"",
                [[n, v.decode(errors="replace")] for n, v in record.headers],
                f"{type(error).__name__}: {error}",
                self.max_attempts,
            )
            touched = {(event.service, event.village): event.chainseq} if event else {}
            await _store_progress(conn, touched, [record])
        if not live:
            self._parked_in_rebuild.add(event_id)
        PARKED.labels(self.projection.name).inc()
        log.error(
            "projection.event_parked",
            projection=self.projection.name,
            event_id=str(event_id),
            error=repr(error),
        )

    async def _send_to_dlq(self, record: ConsumerRecord[bytes, bytes], error: Exception) -> None:
        producer = self._producer
        own = producer is None
        if producer is None:
            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
            await producer.start()
        try:
            headers = [
                *record.headers,
                ("xz_error", f"{type(error).__name__}: {error}"[:4000].encode()),
                ("xz_error_type", type(error).__name__.encode()),
                ("xz_projection", self.projection.name.encode()),
                ("xz_source_topic", record.topic.encode()),
                ("xz_source_partition", str(record.partition).encode()),
                ("xz_source_offset", str(record.offset).encode()),
                ("xz_attempts", str(self.max_attempts).encode()),
            ]
            await producer.send_and_wait(
                self.dlq_topic, value=record.value, key=record.key, headers=headers
            )
        finally:
            if own:
                await producer.stop()

    # ------------------------------------------------------------------ operators

    async def parked(self, status: str | None = "parked") -> list[Parked]:
        rows = await self.pool.fetch(
            "select id, projection, event_id, event_type, village, chainseq, error, status "
            "from projection_failures where projection = $1 and ($2::text is null or status = $2) "
            "order by id",
            self.projection.name,
            status,
        )
        return [Parked(**dict(r)) for r in rows]

    async def replay(self, failure_id: int) -> None:
        """Apply one parked event, once; it stays parked if it fails again."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self._enter(conn, self.projection.schema, live=True)
            row = await conn.fetchrow(
                "select value, headers, status from public.projection_failures "
                "where id = $1 and projection = $2 for update",
                failure_id,
                self.projection.name,
            )
            if row is None:
                raise KeyError(failure_id)
            if row["status"] != "parked":
                raise AlreadyResolvedError(f"failure {failure_id} is {row['status']}")
            headers = [(n, v.encode()) for n, v in row["headers"]]
            await self.projection.apply(conn, Envelope.from_kafka(row["value"], headers))
            await conn.execute(
                "update public.projection_failures set status = 'replayed', resolved_at = now() "
                "where id = $1",
                failure_id,
            )

    async def rebuild(self) -> int:
        """Replay every event into fresh tables and swap them in; return the events read."""
        target = f"{self.projection.schema}_rebuild"
        async with self.pool.acquire() as conn:
            await conn.execute(f"drop schema if exists {target} cascade")
        await create_schema(self.pool, self.projection, target)
        await self.setup()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False
        )
        await consumer.start()
        read = 0
        self._parked_in_rebuild = set()
        try:
            layout = await partitions_of(self.bootstrap, self.projection.topics)
            partitions = [TopicPartition(t, p) for t, parts in layout.items() for p in parts]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            read += await self._replay_until(
                consumer, await consumer.end_offsets(partitions), target
            )
            async with self.pool.acquire() as conn, conn.transaction():
                # Every live batch holds this lock shared: from here on none runs until the swap.
                await conn.execute("select pg_advisory_xact_lock($1)", self.lock_key)
                live = await self.stored_positions(self.projection.schema)
                read += await self._replay_until(consumer, live, target)
                # Every parked event lies before the live positions, so the rebuild read it: if it
                # was not parked again, the rebuilt tables hold its effect and a replay would
                # apply it twice.
                await conn.execute(
                    "update public.projection_failures set status = 'rebuilt', resolved_at = now() "
                    "where projection = $1 and status = 'parked' "
                    "and not (event_id = any($2::uuid[]))",
                    self.projection.name,
                    list(self._parked_in_rebuild),
                )
                old = f"{self.projection.schema}_old"
                await conn.execute(f"drop schema if exists {old} cascade")
                await conn.execute(f"alter schema {self.projection.schema} rename to {old}")
                await conn.execute(f"alter schema {target} rename to {self.projection.schema}")
                await conn.execute(f"drop schema {old} cascade")
        finally:
            await consumer.stop()
        return read

    async def _replay_until(
        self, consumer: AIOKafkaConsumer, targets: dict[TopicPartition, int], schema: str
    ) -> int:
        remaining = {tp: end for tp, end in targets.items() if end > await consumer.position(tp)}
        read = 0
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=self.batch_max)
            records = []
            for tp, rs in batch.items():
                records += [r for r in rs if r.offset < remaining.get(tp, 0)]
            if records:
                await self.handle(records, schema, live=False)
                read += len(records)
            for tp in list(remaining):
                if await consumer.position(tp) >= remaining[tp]:
                    del remaining[tp]
        return read


class _SeekToStored(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: ProjectionRunner, consumer: AIOKafkaConsumer) -> None:
        self.runner = runner
        self.consumer = consumer

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        stored = await self.runner.stored_positions(self.runner.projection.schema)
        fresh = []
        for tp in assigned:
            if tp in stored:
                self.consumer.seek(tp, stored[tp])
            else:
                fresh.append(tp)
        if fresh:
            await self.consumer.seek_to_beginning(*fresh)


async def create_schema(pool: Pool, projection: Projection, schema: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        # Two replicas starting at once must not both create the same schema.
        await conn.execute("select pg_advisory_xact_lock($1)", _lock_key(projection.name) ^ 1)
        await conn.execute(f"create schema if not exists {schema}")
        await conn.execute(f"set local search_path to {schema}, public")
        await conn.execute(_BOOKKEEPING)
        if projection.ddl.strip():
            await conn.execute(projection.ddl)


async def _load_applied(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    sources, villages = zip(*keys, strict=True)
    rows = await conn.fetch(
        "select a.source, a.village, a.chainseq from _applied a "
        "join unnest($1::text[], $2::text[]) k(source, village) "
        "on a.source = k.source and a.village = k.village",
        list(sources),
        list(villages),
    )
    return {(r["source"], r["village"]): r["chainseq"] for r in rows}


async def _store_progress(
    conn: Connection,
    applied: dict[tuple[str, str], int],
    records: Sequence[ConsumerRecord[bytes, bytes]],
) -> None:
    if applied:
        await conn.execute(
            "insert into _applied (source, village, chainseq) "
            "select * from unnest($1::text[], $2::text[], $3::bigint[]) "
            "on conflict (source, village) do update "
            "set chainseq = greatest(_applied.chainseq, excluded.chainseq)",
            [k[0] for k in applied],
            [k[1] for k in applied],
            list(applied.values()),
        )
    next_offsets: dict[tuple[str, int], int] = {}
    for r in records:
        key = (r.topic, r.partition)
        next_offsets[key] = max(next_offsets.get(key, 0), r.offset + 1)
    await conn.execute(
        "insert into _positions (topic, partition, next_offset) "
        "select * from unnest($1::text[], $2::int[], $3::bigint[]) "
        "on conflict (topic, partition) do update "
        "set next_offset = greatest(_positions.next_offset, excluded.next_offset)",
        [k[0] for k in next_offsets],
        [k[1] for k in next_offsets],
        list(next_offsets.values()),
    )


async def wait_for(
    pool: Pool,
    projection: Projection,
    service: str,
    village: str,
    chainseq: int,
    timeout: float,
) -> bool:
    """Read-your-writes: wait (bounded) until the projection has applied ``chainseq``."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        seen = await pool.fetchval(
            f"select chainseq from {projection.table('_applied')} "
            "where source = $1 and village = $2",
            service,
            village,
        )
        if seen is not None and seen >= chainseq:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.05)
