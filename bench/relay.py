"""Relay: the outbox drained into Kafka by the relay, beside a raw aiokafka producer sending
the same records and a raw consumer reading them back (this machine's Kafka limits).

    uv run python -m bench.relay [--events 50000]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

from aiokafka import AIOKafkaConsumer
from xiangzhi import db
from xiangzhi.outbox import OutboxRelay, producer
from xiangzhi.store import EventMeta, EventStore, NewEvent

from bench.common import Endpoints, Measure, fresh_database, fresh_topic, report, run

VILLAGES = [f"141121{n:06d}" for n in range(100201, 100251)]
META = EventMeta(correlation_id="bench", actor="bench")


async def _fill(store: EventStore, events: int) -> None:
    """Exactly ``events`` events, 100 an append (the last append takes what is left: the
    drain below waits for every one of them)."""
    per_append = 100
    queue = [
        (n, min(per_append, events - start)) for n, start in enumerate(range(0, events, per_append))
    ]

    async def writer() -> None:
        while queue:
            n, size = queue.pop()
            await store.append(
                f"works-{uuid.uuid4()}", 0,
                [NewEvent("livelihood.works.progress_reported.v1",
                          {"works_id": f"w-{n}", "quantity_done": f"{i}.5", "note": "田间道路平整"})
                 for i in range(size)],
                village=VILLAGES[n % len(VILLAGES)], meta=META,
            )  # fmt: skip

    await asyncio.gather(*(writer() for _ in range(8)))


async def _drain(dsn: str, bootstrap: str, topic: str, events: int) -> Measure:
    relay = OutboxRelay(dsn, bootstrap, service="livelihood", topic=topic, batch_size=1000)
    conn = await db.connect(dsn)
    kafka = producer(bootstrap)
    await kafka.start()
    published = 0
    batches: list[float] = []
    started = time.perf_counter()
    while published < events:
        t0 = time.perf_counter()
        published += await relay.publish_batch(conn, kafka)
        batches.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    await kafka.stop()
    await conn.close()
    # Latency here is per batch of 1,000: read, produce until acknowledged, delete.
    return Measure("relay: outbox → Kafka, per 1,000-event batch", published, elapsed, batches)


async def _raw_produce(
    bootstrap: str, topic: str, records: list[tuple[bytes, bytes, list]]
) -> Measure:  # type: ignore[type-arg]
    kafka = producer(bootstrap)
    await kafka.start()
    started = time.perf_counter()
    pending = [await kafka.send(topic, value=v, key=k, headers=h) for k, v, h in records]
    await asyncio.gather(*pending)
    elapsed = time.perf_counter() - started
    await kafka.stop()
    return Measure("raw aiokafka produce (same settings)", len(records), elapsed, unit="msgs")


async def _raw_consume(
    bootstrap: str, topic: str, expected: int
) -> tuple[Measure, list[tuple[bytes, bytes, list]]]:  # type: ignore[type-arg]
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )  # fmt: skip
    await consumer.start()
    records = []
    started = time.perf_counter()
    while len(records) < expected:
        batch = await consumer.getmany(timeout_ms=1000, max_records=10000)
        records += [(r.key, r.value, list(r.headers)) for rs in batch.values() for r in rs]
    elapsed = time.perf_counter() - started
    await consumer.stop()
    return Measure("raw aiokafka consume", len(records), elapsed, unit="msgs"), records


async def main(ep: Endpoints, events: int) -> None:
    async with fresh_database(ep) as dsn, fresh_topic(ep, "livelihood.events") as topic:
        pool = await db.create_pool(dsn, max_size=8)
        await _fill(EventStore(pool), events)
        await pool.close()
        relay = await _drain(dsn, ep.kafka_bootstrap, topic, events)
        consume, records = await _raw_consume(ep.kafka_bootstrap, topic, events)
        async with fresh_topic(ep, "raw") as raw_topic:
            produce = await _raw_produce(ep.kafka_bootstrap, raw_topic, records)
    report(
        "relay: outbox into Kafka",
        [
            (relay, produce, "raw produce msgs/s"),
            (relay, consume, "raw consume msgs/s"),
            (produce, consume, "raw consume msgs/s"),
        ],
    )


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--events") + 1]) if "--events" in sys.argv else 50000
    run(lambda ep: main(ep, count))
