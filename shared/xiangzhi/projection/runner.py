"""The projection runner: consumes a projection's topics and applies each batch in one
transaction, together with its positions and chainseqs, so that each event takes effect once."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Iterable
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from prometheus_client import Counter, Histogram

from ..db import Pool
from ..envelope import ChainPosition, Envelope
from . import positions
from .base import Projection
from .parking import Parked, Parking
from .rebuild import rebuild_and_swap
from .wait import Progress

log = structlog.get_logger(__name__)

APPLIED = Counter("xiangzhi_projection_events_applied_total", "Events applied", ["projection"])
SKIPPED = Counter(
    "xiangzhi_projection_events_skipped_total", "Redelivered events skipped", ["projection"]
)
# The lag is observed per event in the small batches of a steady flow; a catch-up's large
# batches are backlog (their own metric is the batch time), and observing each of their
# events would cost the catch-up a share of its speed.
LAG_SAMPLED_UP_TO = 64
LAG = Histogram(
    "xiangzhi_projection_lag_seconds",
    "From an event's recording to its effect committed in the read model (live batches of "
    f"up to {LAG_SAMPLED_UP_TO} events)",
    ["projection"],
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 60),
)
BATCH_SECONDS = Histogram(
    "xiangzhi_projection_batch_seconds", "Time to apply a batch", ["projection"]
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
        self.batch_max = batch_max
        self.lock_key = positions.lock_key(projection.name)
        self.parking = Parking(
            pool,
            bootstrap,
            projection,
            dlq_topic=self.dlq_topic,
            lock=self.lock_key,
            max_attempts=max_attempts,
            retry_delay=retry_delay,
            replication_factor=dlq_replication_factor,
        )
        self.ready = asyncio.Event()
        # What this process's live batches committed: read-your-writes waits on it.
        self.progress = Progress()

    async def setup(self) -> None:
        """The projection's schema and tables, and its DLQ topic."""
        await positions.create_schema(self.pool, self.projection, self.projection.schema)
        await self.parking.create_topic()

    async def run(self, stop: asyncio.Event) -> None:
        await self.setup()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.batch_max,
            # A catch-up reads as fast as a plain consumer does (its default is 1 MiB).
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        await self.parking.start()
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
            await self.parking.stop()

    async def stored_positions(self, schema: str) -> dict[TopicPartition, int]:
        return await positions.stored_positions(self.pool, schema)

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
                attempt = functools.partial(self._apply, [record], schema, live=live)
                await self.parking.retry_or_park(record, attempt, schema, live=live)
        BATCH_SECONDS.labels(self.projection.name).observe(time.perf_counter() - started)

    async def _apply(
        self, records: list[ConsumerRecord[bytes, bytes]], schema: str, *, live: bool
    ) -> None:
        wants = self.projection.wants
        events: list[Envelope | ChainPosition] = [
            Envelope.from_kafka(r.value or b"", r.headers)
            if wants is None or Envelope.type_of(r.headers).startswith(wants)
            else Envelope.position_of(r.headers)
            for r in records
        ]
        async with self.pool.acquire() as conn, conn.transaction():
            await positions.enter(conn, schema, self.lock_key, live=live)
            applied = await positions.load_applied(conn, {(e.service, e.village) for e in events})
            touched: dict[tuple[str, str], int] = {}
            fresh = []
            skipped = 0  # redelivered: applied before
            for event in events:
                key = (event.service, event.village)
                if event.chainseq <= applied.get(key, 0):
                    skipped += 1
                    continue
                if isinstance(event, Envelope):
                    fresh.append(event)
                applied[key] = touched[key] = event.chainseq
            if fresh:
                await self.projection.apply_batch(conn, fresh)
            await positions.store_progress(conn, touched, records)
        if live:
            self.progress.advance(touched)
            if len(events) <= LAG_SAMPLED_UP_TO:
                committed, lag = datetime.now(UTC), LAG.labels(self.projection.name)
                for event in fresh:
                    lag.observe((committed - event.time).total_seconds())
        APPLIED.labels(self.projection.name).inc(len(events) - skipped)
        SKIPPED.labels(self.projection.name).inc(skipped)

    async def parked(self, status: str | None = "parked") -> list[Parked]:
        return await self.parking.parked(status)

    async def replay(self, failure_id: int) -> None:
        """Apply one parked event, once; it stays parked if it fails again."""
        await self.parking.replay(failure_id)

    async def rebuild(self) -> int:
        """Replay every event into fresh tables and swap them in; return the events read."""
        return await rebuild_and_swap(self)


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
