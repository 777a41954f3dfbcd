"""The outbox relay on the real PostgreSQL and Kafka, with a kill -9 between produce and delete."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from xiangzhi import db
from xiangzhi.envelope import Envelope
from xiangzhi.outbox import OutboxRelay
from xiangzhi.projection import ProjectionRunner
from xiangzhi.store import EventStore

from tests.kit.helpers import append_events, eventually, publish_all, read_topic
from tests.kit.ledger import LedgerProjection, snapshot

ROOT = Path(__file__).resolve().parents[2]
VILLAGES = [f"141121100{n:03d}" for n in (201, 202, 203)]


async def test_relay_publishes_in_order_and_empties_the_outbox(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    plan = [(VILLAGES[i % 3], {"amount": f"{i}.50"}) for i in range(30)]
    recorded = await append_events(store, plan)
    assert await publish_all(pg_dsn, kafka_bootstrap, topic) == 30
    assert await pool.fetchval("select count(*) from outbox") == 0
    records = await read_topic(kafka_bootstrap, topic, 30)
    assert len(records) == 30
    for village in VILLAGES:
        seqs = [
            Envelope.from_kafka(r.value, r.headers).chainseq
            for r in sorted(records, key=lambda r: r.offset)
            if r.key == village.encode()
        ]
        assert seqs == sorted(seqs) == [e.chain_seq for e in recorded if e.village == village]


async def test_published_events_parse_with_the_cloudevents_sdk(
    store: EventStore, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    [event] = await append_events(
        store, [(VILLAGES[0], {"amount": "630000.00", "area_mu": "624.16"})]
    )
    await publish_all(pg_dsn, kafka_bootstrap, topic)
    [record] = await read_topic(kafka_bootstrap, topic, 1)
    parsed = from_binary(
        KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value), JSONFormat()
    )
    original = event.envelope("economy")
    assert parsed.get_id() == str(original.id)
    assert parsed.get_type() == "economy.contract.cleared.v1"
    assert parsed.get_source() == "/xiangzhi/economy"
    assert parsed.get_subject() == event.stream_id
    assert parsed.get_time() == event.recorded_at
    assert parsed.get_data() == {"amount": "630000.00", "area_mu": "624.16"}
    for name in (
        "village",
        "chainseq",
        "streamversion",
        "correlationid",
        "actor",
        "hash",
        "prevhash",
    ):
        assert parsed.get_extension(name) == str(getattr(original, name)), name
    assert Envelope.from_kafka(record.value, record.headers) == original


async def test_only_one_relay_leads(
    pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    first = OutboxRelay(pg_dsn, kafka_bootstrap, service="economy", topic=topic, poll_interval=0.1)
    second = OutboxRelay(pg_dsn, kafka_bootstrap, service="economy", topic=topic, poll_interval=0.1)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    t1 = asyncio.create_task(first.run(stop_first))

    async def first_leads() -> bool:
        return first.is_leader

    await eventually(first_leads, what="first relay leads")
    t2 = asyncio.create_task(second.run(stop_second))
    await asyncio.sleep(1.0)
    assert not second.is_leader
    stop_first.set()
    await t1

    async def second_leads() -> bool:
        return second.is_leader

    await eventually(second_leads, what="second relay takes over")
    stop_second.set()
    await t2


async def test_relay_killed_between_produce_and_delete_loses_nothing_and_doubles_nothing(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    plan = [(VILLAGES[i % 3], {"amount": "1.00"}) for i in range(250)]
    await append_events(store, plan)
    cmd = [sys.executable, "-m", "tests.kit.processes", "relay", pg_dsn, kafka_bootstrap, topic]
    stalled = subprocess.Popen(
        [*cmd, "--stall-before-delete"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert stalled.stdout is not None
        assert stalled.stdout.readline().startswith("produced 100")
    finally:
        os.kill(stalled.pid, signal.SIGKILL)
        stalled.wait()
    # Kafka has the first 100; the outbox still holds all 250.
    assert await pool.fetchval("select count(*) from outbox") == 250

    restarted = subprocess.Popen(cmd, cwd=ROOT)
    try:

        async def outbox_empty() -> bool:
            return await pool.fetchval("select count(*) from outbox") == 0

        await eventually(outbox_empty, what="the restarted relay empties the outbox")
    finally:
        restarted.terminate()
        restarted.wait()

    records = await read_topic(kafka_bootstrap, topic, 350)
    assert len(records) == 350, "100 published twice, 150 once"
    ids = [dict(r.headers)["ce_id"] for r in records]
    assert len(set(ids)) == 250

    projection = LedgerProjection([topic])
    runner = ProjectionRunner(pool, kafka_bootstrap, projection, group_id=f"{topic}.ledger")
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))

    async def all_applied() -> bool:
        return (
            await pool.fetchval("select coalesce(sum(events), 0) from proj_ledger.village_totals")
            == 250
            if await _exists(pool)
            else False
        )

    await eventually(all_applied, what="the projection applies all 250 events")
    stop.set()
    await task
    async with pool.acquire() as conn:
        state = await snapshot(conn, projection)
    assert len(state["applied_events"]) == 250
    assert {row[3] for row in state["applied_events"]} == {1}, "an event took effect twice"


async def _exists(pool: db.Pool) -> bool:
    return bool(await pool.fetchval("select to_regclass('proj_ledger.village_totals') is not null"))
