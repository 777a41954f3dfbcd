"""The outbox relay: publishes appended events to Kafka in position order, then forgets them.

One relay per service leads (a PostgreSQL advisory lock held on its own connection); the
others wait to take over. The leader wakes on NOTIFY from the append and also polls, so a lost
notification only delays. A crash between Kafka's acknowledgement and the delete publishes the
same events again: delivery is at least once, and consumers skip what they have applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge, Histogram

from .db import Connection, connect
from .store import EVENT_COLUMNS, OUTBOX_CHANNEL, RecordedEvent

log = structlog.get_logger(__name__)

OUTBOX_DEPTH = Gauge("xiangzhi_outbox_depth", "Events appended but not yet published", ["service"])
PUBLISHED = Counter("xiangzhi_events_published_total", "Events published to Kafka", ["service"])
PUBLISH_LAG = Histogram(
    "xiangzhi_relay_lag_seconds",
    "From an event's recording to Kafka's acknowledgement of it",
    ["service"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10),
)


def leader_lock_key(service: str) -> int:
    # A stable 31-bit key per service: every replica of one service competes for the same lock.
    return zlib.crc32(f"xiangzhi-relay:{service}".encode()) & 0x7FFFFFFF


def producer(bootstrap: str) -> AIOKafkaProducer:
    """The idempotent producer: acks from all in-sync replicas, no duplicates from retries."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=256 * 1024,
    )


class OutboxRelay:
    def __init__(
        self,
        dsn: str,
        bootstrap: str,
        *,
        service: str,
        topic: str | None = None,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
    ) -> None:
        self.dsn = dsn
        self.bootstrap = bootstrap
        self.service = service
        self.topic = topic or f"{service}.events"
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.is_leader = False
        self._wake = asyncio.Event()
        self._depth_due = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Lead (or wait to lead) and publish until ``stop`` is set; survive lost connections."""
        while not stop.is_set():
            try:
                await self._lead(stop)
            except Exception as exc:  # a broken connection or broker: step down, try again
                log.error("relay.failed", service=self.service, error=repr(exc))
                await _wait_any(stop, timeout=self.poll_interval)

    async def _lead(self, stop: asyncio.Event) -> None:
        conn = await connect(self.dsn)
        kafka = producer(self.bootstrap)
        try:
            await kafka.start()
            await self._become_leader(conn, stop)
            if stop.is_set():
                return
            await conn.add_listener(OUTBOX_CHANNEL, self._notified)
            log.info("relay.leading", service=self.service, topic=self.topic)
            while not stop.is_set():
                self._wake.clear()
                published = await self.publish_batch(conn, kafka)
                if published < self.batch_size:
                    await _wait_any(self._wake, stop, timeout=self.poll_interval)
        finally:
            # Closing the connection also releases the leader lock for another replica.
            self.is_leader = False
            await kafka.stop()
            with contextlib.suppress(Exception):
                await conn.close()

    async def _become_leader(self, conn: Connection, stop: asyncio.Event) -> None:
        key = leader_lock_key(self.service)
        while not stop.is_set():
            if await conn.fetchval("select pg_try_advisory_lock($1)", key):
                self.is_leader = True
                return
            await _wait_any(stop, timeout=self.poll_interval)

    def _notified(self, *args: object) -> None:
        self._wake.set()

    async def publish_batch(self, conn: Connection, kafka: AIOKafkaProducer) -> int:
        rows = await conn.fetch(
            f"select {', '.join('e.' + c for c in EVENT_COLUMNS)} "
            "from outbox o join events e on e.position = o.position "
            "order by o.position limit $1",
            self.batch_size,
        )
        if rows:
            events = [RecordedEvent.from_row(r) for r in rows]
            await self.produce(kafka, events)
            acked = datetime.now(UTC)
            lag = PUBLISH_LAG.labels(self.service)
            for event in events:
                lag.observe((acked - event.recorded_at).total_seconds())
            await self.forget(conn, [e.position for e in events])
            PUBLISHED.labels(self.service).inc(len(events))
        if time.monotonic() >= self._depth_due:
            # A count per batch was a round trip per command under a steady load; a gauge
            # read every few seconds needs it once a second.
            self._depth_due = time.monotonic() + 1.0
            depth = await conn.fetchval("select count(*) from outbox")
            OUTBOX_DEPTH.labels(self.service).set(depth)
        return len(rows)

    async def produce(self, kafka: AIOKafkaProducer, events: Sequence[RecordedEvent]) -> None:
        """Send in position order and wait until Kafka has acknowledged every one."""
        pending = []
        for event in events:
            key, value, headers = event.envelope(self.service).to_kafka()
            pending.append(await kafka.send(self.topic, value=value, key=key, headers=headers))
        await asyncio.gather(*pending)

    async def forget(self, conn: Connection, positions: list[int]) -> None:
        await conn.execute("delete from outbox where position = any($1::bigint[])", positions)


async def _wait_any(*events: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
