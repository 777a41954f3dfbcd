"""Arranging events for the kit's tests: appended through the store, published by the relay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from xiangzhi import db
from xiangzhi.outbox import OutboxRelay, producer
from xiangzhi.store import EventMeta, EventStore, NewEvent, RecordedEvent

META = EventMeta(correlation_id="corr-kit", actor="clerk")


async def append_events(
    store: EventStore, plan: list[tuple[str, dict[str, object]]]
) -> list[RecordedEvent]:
    """One stream per event: (village, data) pairs in order."""
    recorded = []
    for village, data in plan:
        recorded += await store.append(
            f"contract-{uuid4()}",
            0,
            [NewEvent("economy.contract.cleared.v1", dict(data))],
            village=village,
            meta=META,
        )
    return recorded


async def publish_all(dsn: str, bootstrap: str, topic: str) -> int:
    """Run the relay once over the whole outbox (as its leader would)."""
    relay = OutboxRelay(dsn, bootstrap, service="economy", topic=topic)
    conn = await db.connect(dsn)
    kafka = producer(bootstrap)
    await kafka.start()
    total = 0
    try:
        while published := await relay.publish_batch(conn, kafka):
            total += published
    finally:
        await kafka.stop()
        await conn.close()
    return total


async def republish(bootstrap: str, topic: str, events: list[RecordedEvent]) -> None:
    """What a relay that crashed before forgetting does: the same events once more."""
    relay = OutboxRelay("", bootstrap, service="economy", topic=topic)
    kafka = producer(bootstrap)
    await kafka.start()
    try:
        await relay.produce(kafka, events)
    finally:
        await kafka.stop()


async def read_topic(
    bootstrap: str, topic: str, expected: int, timeout: float = 20
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    return records


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 30, what: str = ""
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.05)
