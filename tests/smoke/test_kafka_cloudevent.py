"""The broker is real: a CloudEvent goes through it in binary mode with its ce_ headers intact."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

VILLAGE = "141121100201"  # 文水县 南武乡 东庄村 as a 12-digit division code


def _issue_raised() -> CloudEvent:
    return CloudEvent(
        attributes={
            "id": str(uuid.uuid4()),
            "source": "/xiangzhi/grid",
            "type": "grid.issue.raised.v1",
            "subject": f"issue-{uuid.uuid4()}",
            "time": datetime(2026, 11, 29, 8, 30, tzinfo=UTC),
            "datacontenttype": "application/json",
            "village": VILLAGE,
            "chainseq": "1",
        },
        data={"title": "正街下水堵塞", "category": "drainage", "grid_id": f"{VILLAGE}001"},
    )


async def test_cloudevent_round_trip_keeps_ce_headers(kafka_bootstrap: str, make_topic) -> None:
    topic = await make_topic("grid.events", partitions=3)
    event = _issue_raised()
    message = to_binary(event, JSONFormat(), key_mapper=lambda e: e.get_extension("village"))

    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        await producer.send_and_wait(
            topic,
            value=message.value,
            key=message.key.encode() if isinstance(message.key, str) else message.key,
            headers=list(message.headers.items()),
        )
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=10_000, max_records=10)
    finally:
        await consumer.stop()
    records = [r for rs in batch.values() for r in rs]
    assert len(records) == 1
    record = records[0]

    assert record.key == VILLAGE.encode()
    assert dict(record.headers) == message.headers
    assert dict(record.headers)["ce_type"] == b"grid.issue.raised.v1"
    assert json.loads(record.value) == {
        "title": "正街下水堵塞",
        "category": "drainage",
        "grid_id": f"{VILLAGE}001",
    }

    parsed = from_binary(
        KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value),
        JSONFormat(),
    )
    assert parsed.get_id() == event.get_id()
    assert parsed.get_type() == event.get_type()
    assert parsed.get_time() == event.get_time()
    assert parsed.get_extension("village") == VILLAGE
    assert parsed.get_data() == event.get_data()


async def test_records_of_one_village_keep_their_order(kafka_bootstrap: str, make_topic) -> None:
    """Key = village code: one village's events land on one partition, in the order sent."""
    topic = await make_topic("grid.events", partitions=6)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        for seq in range(1, 51):
            await producer.send(topic, value=str(seq).encode(), key=VILLAGE.encode())
        await producer.flush()
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    seen: list[tuple[int, int]] = []
    try:
        while len(seen) < 50:
            batch = await consumer.getmany(timeout_ms=10_000)
            if not batch:
                break
            seen += [(r.partition, int(r.value)) for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    assert {p for p, _ in seen} == {seen[0][0]}
    assert [v for _, v in seen] == list(range(1, 51))
