"""The projection runner on the real Kafka and PostgreSQL: exactly-once effect, stored positions,
poison events, rebuild, read-your-writes, and a kill -9 in the middle of a batch."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from xiangzhi import db
from xiangzhi.projection import AlreadyResolvedError, ProjectionRunner, wait_for
from xiangzhi.store import EventStore

from tests.kit.helpers import append_events, eventually, publish_all, read_topic, republish
from tests.kit.ledger import LedgerProjection, snapshot

ROOT = Path(__file__).resolve().parents[2]
A, B, C = "141121100201", "141121100202", "141121100203"


async def _applied_count(pool: db.Pool, projection: LedgerProjection) -> int:
    exists = await pool.fetchval(f"select to_regclass('{projection.table('applied_events')}')")
    if exists is None:
        return 0
    return int(await pool.fetchval(f"select count(*) from {projection.table('applied_events')}"))


class Running:
    """A runner as a background task, stopped on exit."""

    def __init__(self, runner: ProjectionRunner) -> None:
        self.runner = runner
        self.stop = asyncio.Event()

    async def __aenter__(self) -> ProjectionRunner:
        self.task = asyncio.create_task(self.runner.run(self.stop))
        return self.runner

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        await self.task


async def _until_applied(pool: db.Pool, projection: LedgerProjection, n: int) -> None:
    async def done() -> bool:
        return await _applied_count(pool, projection) >= n

    await eventually(done, what=f"{n} events applied")


async def test_redelivered_events_take_effect_once(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    events = await append_events(store, [(v, {"amount": "10.00"}) for v in [A, B, C] * 10])
    await publish_all(pg_dsn, kafka_bootstrap, topic)
    await republish(kafka_bootstrap, topic, events[:20])  # a relay crash re-publishes these
    projection = LedgerProjection([topic])
    async with Running(ProjectionRunner(pool, kafka_bootstrap, projection, batch_max=7)):
        await _until_applied(pool, projection, 30)
        await asyncio.sleep(0.5)  # let the duplicates arrive too
    async with pool.acquire() as conn:
        state = await snapshot(conn, projection)
    assert {row[3] for row in state["applied_events"]} == {1}
    assert [(v, n, str(amount)) for v, n, amount in state["village_totals"]] == [
        (A, 10, "100.00"),
        (B, 10, "100.00"),
        (C, 10, "100.00"),
    ]


async def test_positions_come_from_postgres_not_from_kafka(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events", partitions=2)
    await append_events(store, [(v, {"amount": "1.00"}) for v in [A, B] * 5])
    await publish_all(pg_dsn, kafka_bootstrap, topic)
    projection = LedgerProjection([topic])
    runner = ProjectionRunner(pool, kafka_bootstrap, projection, group_id=f"{topic}.g")
    # Kafka is told this group has read everything; PostgreSQL knows it has applied nothing.
    committer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=runner.group_id)
    await committer.start()
    partitions = [TopicPartition(topic, p) for p in (0, 1)]
    committer.assign(partitions)
    ends = await committer.end_offsets(partitions)
    await committer.commit(dict(ends.items()))
    assert await committer.committed(partitions[0]) == ends[partitions[0]]
    await committer.stop()
    async with Running(runner):
        await _until_applied(pool, projection, 10)
    assert await runner.stored_positions(projection.schema) == {
        tp: end for tp, end in ends.items() if end
    }


async def test_a_poison_event_is_parked_and_the_rest_keep_flowing(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    plan = [
        (A, {"amount": "1.00", "title": "A1"}),
        (A, {"amount": "2.00", "title": "A2", "poison": True}),
        (A, {"amount": "4.00", "title": "A3"}),
        (B, {"amount": "8.00", "title": "B1"}),
    ]
    events = await append_events(store, plan)
    await publish_all(pg_dsn, kafka_bootstrap, topic)
    projection = LedgerProjection([topic])
    runner = ProjectionRunner(
        pool, kafka_bootstrap, projection, group_id=f"{topic}.ledger", retry_delay=0.01
    )
    async with Running(runner):
        await _until_applied(pool, projection, 3)

    # Documented policy: the poison event is parked; later events of its village and of
    # others are applied.
    totals = dict(
        await pool.fetch(f"select village, amount from {projection.table('village_totals')}")
    )
    assert {k: str(v) for k, v in totals.items()} == {A: "5.00", B: "8.00"}
    [parked] = await runner.parked()
    assert parked.event_id == events[1].event_id
    assert parked.chainseq == 2
    assert "PoisonError: cannot apply A2" in parked.error

    [dead] = await read_topic(kafka_bootstrap, runner.dlq_topic, 1)
    headers = dict(dead.headers)
    assert headers["xz_error"].decode() == "PoisonError: cannot apply A2"
    assert headers["xz_error_type"] == b"PoisonError"
    assert headers["xz_source_topic"].decode() == topic
    assert headers["ce_id"].decode() == str(events[1].event_id)

    projection.fixed = True
    await runner.replay(parked.id)
    with pytest.raises(AlreadyResolvedError):
        await runner.replay(parked.id)
    totals = dict(
        await pool.fetch(f"select village, amount from {projection.table('village_totals')}")
    )
    assert {k: str(v) for k, v in totals.items()} == {A: "7.00", B: "8.00"}
    assert await runner.parked() == []
    assert [p.status for p in await runner.parked(status=None)] == ["replayed"]


async def test_rebuild_swaps_in_tables_equal_to_the_live_ones_while_they_serve(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    await append_events(store, [(v, {"amount": "3.00"}) for v in [A, B, C] * 20])
    await publish_all(pg_dsn, kafka_bootstrap, topic)
    projection = LedgerProjection([topic])
    runner = ProjectionRunner(pool, kafka_bootstrap, projection, batch_max=13)
    async with Running(runner):
        await _until_applied(pool, projection, 60)
        rebuild = asyncio.create_task(runner.rebuild())
        # Meanwhile the village keeps working: more events, and reads keep being answered.
        await append_events(store, [(A, {"amount": "100.00"})] * 5)
        await publish_all(pg_dsn, kafka_bootstrap, topic)
        served = await pool.fetchval(f"select count(*) from {projection.table('village_totals')}")
        assert served == 3
        assert await rebuild >= 60
        await _until_applied(pool, projection, 65)
    async with pool.acquire() as conn:
        live = await snapshot(conn, projection)
    assert {row[3] for row in live["applied_events"]} == {1}
    assert len(live["applied_events"]) == 65
    assert dict((v, str(a)) for v, _, a in live["village_totals"])[A] == "560.00"
    # And the tables equal a second rebuild from scratch.
    await runner.rebuild()
    async with pool.acquire() as conn:
        assert await snapshot(conn, projection) == live


async def test_wait_for_gives_read_your_writes(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    projection = LedgerProjection([topic])
    runner = ProjectionRunner(pool, kafka_bootstrap, projection)
    async with Running(runner):
        await eventually(lambda: _ready(runner), what="runner assigned")
        [event] = await append_events(store, [(A, {"amount": "5.00"})])
        assert not await wait_for(pool, projection, "economy", A, event.chain_seq, timeout=0.05)
        await publish_all(pg_dsn, kafka_bootstrap, topic)
        assert await wait_for(pool, projection, "economy", A, event.chain_seq, timeout=20)
        amount = await pool.fetchval(
            f"select amount from {projection.table('village_totals')} where village = $1", A
        )
        assert str(amount) == "5.00"


async def _ready(runner: ProjectionRunner) -> bool:
    return runner.ready.is_set()


async def test_a_projection_killed_mid_batch_recovers_to_the_rebuilt_state(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    await append_events(store, [(v, {"amount": "0.25"}) for v in [A, B, C] * 100])
    await publish_all(pg_dsn, kafka_bootstrap, topic)
    projection = LedgerProjection([topic])
    env = {**os.environ, "LEDGER_APPLY_DELAY": "0.002"}
    cmd = [sys.executable, "-m", "tests.kit.processes", "ledger", pg_dsn, kafka_bootstrap, topic]
    worker = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        # Once a first batch has been committed, the next one is being applied: kill it then.
        await eventually(
            lambda: _positions_stored(pool, projection), what="a first batch committed"
        )
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    applied_at_kill = await _applied_count(pool, projection)
    assert 0 < applied_at_kill < 300

    runner = ProjectionRunner(pool, kafka_bootstrap, projection, group_id="xiangzhi.ledger")
    async with Running(runner):
        await _until_applied(pool, projection, 300)
    async with pool.acquire() as conn:
        recovered = await snapshot(conn, projection)
    await runner.rebuild()
    async with pool.acquire() as conn:
        rebuilt = await snapshot(conn, projection)
    assert recovered == rebuilt
    assert {row[3] for row in recovered["applied_events"]} == {1}
    assert len(recovered["applied_events"]) == 300


async def _positions_stored(pool: db.Pool, projection: LedgerProjection) -> bool:
    if await pool.fetchval(f"select to_regclass('{projection.table('_positions')}')") is None:
        return False
    return bool(await pool.fetchval(f"select count(*) from {projection.table('_positions')}"))
