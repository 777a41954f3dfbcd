"""Poison events: retried, then parked on the DLQ and in ``projection_failures``, then replayed.

An event that still fails after ``max_attempts`` is published to ``<group>.dlq`` with the error
in its headers and recorded in ``projection_failures``, and the projection moves past it. Later
events — of its village and of every other — keep being applied. (A read model may therefore
lack one event's effect until an operator replays it; the parked count is a metric, and the
failures are listed by the operator CLI.) A replay applies the event once: the failure row is
locked and marked in the same transaction.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter

from ..db import Connection, Pool
from ..envelope import Envelope
from ..kafka_admin import RETAIN_FOREVER, ensure_topics
from .base import Projection
from .positions import enter, store_progress

log = structlog.get_logger(__name__)

PARKED = Counter(
    "xiangzhi_projection_events_parked_total", "Events parked on the DLQ", ["projection"]
)


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


class Parking:
    """One projection's poison events: its DLQ topic and its rows in ``projection_failures``."""

    def __init__(
        self,
        pool: Pool,
        bootstrap: str,
        projection: Projection,
        *,
        dlq_topic: str,
        lock: int,
        max_attempts: int,
        retry_delay: float,
        replication_factor: int,
    ) -> None:
        self.pool = pool
        self.bootstrap = bootstrap
        self.projection = projection
        self.dlq_topic = dlq_topic
        self.lock = lock
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.replication_factor = replication_factor
        self._producer: AIOKafkaProducer | None = None
        # The events parked while replaying into a rebuild schema: they stay parked at the swap.
        self.parked_in_rebuild: set[uuid.UUID] = set()

    async def create_topic(self) -> None:
        await ensure_topics(
            self.bootstrap,
            [self.dlq_topic],
            partitions=1,
            replication_factor=self.replication_factor,
            configs=dict(RETAIN_FOREVER),
        )

    async def start(self) -> None:
        """Keep a producer open while the live loop runs; otherwise each parking opens one."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, enable_idempotence=True, acks="all"
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def retry_or_park(
        self,
        record: ConsumerRecord[bytes, bytes],
        attempt: Callable[[], Awaitable[None]],
        schema: str,
        *,
        live: bool,
    ) -> None:
        """Apply one event by ``attempt``, with a growing pause between tries; then park it."""
        error: Exception | None = None
        for n in range(1, self.max_attempts + 1):
            try:
                await attempt()
                return
            except Exception as exc:  # the event's own failure, whatever it is, is recorded
                error = exc
                if n < self.max_attempts:
                    await asyncio.sleep(self.retry_delay * n)
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
            await enter(conn, schema, self.lock, live=live)
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
            # The projection moves past the event: its chainseq and offset count as applied.
            touched = {(event.service, event.village): event.chainseq} if event else {}
            await store_progress(conn, touched, [record])
        if not live:
            self.parked_in_rebuild.add(event_id)
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
            await enter(conn, self.projection.schema, self.lock, live=True)
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

    async def mark_rebuilt(self, conn: Connection) -> None:
        """At a rebuild's swap: resolve every parked event that the rebuild applied."""
        # Every parked event lies before the live positions, so the rebuild read it: if it
        # was not parked again, the rebuilt tables hold its effect and a replay would
        # apply it twice.
        await conn.execute(
            "update public.projection_failures set status = 'rebuilt', resolved_at = now() "
            "where projection = $1 and status = 'parked' "
            "and not (event_id = any($2::uuid[]))",
            self.projection.name,
            list(self.parked_in_rebuild),
        )
