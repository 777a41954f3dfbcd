"""What sealing personal data costs: appends and projection catch-up with encryption on and off,
in the same run, beside this machine's limits (raw COPY, raw Kafka consume).

Appends: 32 writers, 50 villages, one ``grid.issue.raised`` per command from 2,000 residents
(title, description, address and an Open311-style contact: six personal fields). "Off" appends
the same data unsealed (``NewEvent`` with plain data, which the platform never does: a store
without the key service refuses personal data) — the baseline the issue asks the ratio of.
Projection: a read model of the issues (one insert per event, personal fields stored as they
arrive), fed the sealed events and the plain ones from two topics.

    uv run --group bench python -m bench.privacy [--commands 10000]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from grid.domain.events import Contact, IssueRaised
from xiangzhi import db, pii
from xiangzhi.envelope import Envelope
from xiangzhi.keys import KeyStore
from xiangzhi.outbox import producer
from xiangzhi.projection import Projection, ProjectionRunner
from xiangzhi.store import EventMeta, EventStore, NewEvent

from bench.appends import _raw_copy
from bench.common import Endpoints, Measure, fresh_database, fresh_topic, raw_consume, report, run

WRITERS = 32
VILLAGES = [f"141121{n:06d}" for n in range(100201, 100251)]
RESIDENTS = [f"resident-{n}" for n in range(2000)]
META = EventMeta(correlation_id="bench", actor="bench")


def _event(n: int, rng: random.Random) -> tuple[str, IssueRaised]:
    """An issue and its village: each resident lives in one village (40 to a village)."""
    resident = rng.randrange(len(RESIDENTS))
    now = datetime.now(UTC)
    event = IssueRaised(
        issue_id=f"i-{uuid.uuid4().hex[:12]}",
        grid_id="141121100201001",
        category="drainage",
        title=f"正街下水堵塞 #{n}",
        description="村民反映正街下水不畅，雨后积水，老人出行不便。",
        address=f"正街{n % 300}号",
        raised_by=RESIDENTS[resident],
        channel="app",
        raised_at=now,
        due_at=now + timedelta(hours=48),
        contact=Contact(first_name="秀英", last_name="王", phone="13800000000"),
    )
    return VILLAGES[resident % len(VILLAGES)], event


async def _appends(store: EventStore, commands: int, *, sealed: bool, label: str) -> Measure:
    rng = random.Random(7)
    events = [_event(n, rng) for n in range(commands)]
    queue: asyncio.Queue[tuple[str, IssueRaised]] = asyncio.Queue()
    for event in events:
        queue.put_nowait(event)
    latencies: list[float] = []

    async def writer() -> None:
        while not queue.empty():
            village, event = queue.get_nowait()
            batch = [event] if sealed else [NewEvent(event.event_type, event.to_data())]
            started = time.perf_counter()
            await store.append(f"issue-{event.issue_id}", 0, batch, village=village, meta=META)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return Measure(label, commands, time.perf_counter() - started, latencies)


class IssueBoard(Projection):
    """A read model holding personal fields as they arrive (sealed or not)."""

    name = "board"
    ddl = """
    create table if not exists board (
        issue_id text primary key, village char(12) not null, title text not null,
        description text not null, address text, raised_by text not null, contact jsonb
    );
    """

    async def apply(self, conn: db.Connection, event: Envelope) -> None:
        d = event.data
        await conn.execute(
            "insert into board values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
            d["issue_id"], event.village, d["title"], d["description"], d.get("address"),
            d["raised_by"], d.get("contact"),
        )  # fmt: skip


async def _publish(store: EventStore, bootstrap: str, topic: str) -> int:
    """The store's events onto a topic, as the relay publishes them."""
    kafka = producer(bootstrap)
    await kafka.start()
    published = 0
    for village in VILLAGES:
        events = await store.read_village(village)
        pending = []
        for event in events:
            key, value, headers = event.envelope("grid").to_kafka()
            pending.append(await kafka.send(topic, value=value, key=key, headers=headers))
        await asyncio.gather(*pending)
        published += len(events)
    await kafka.stop()
    return published


async def _catch_up(dsn: str, bootstrap: str, topic: str, expected: int, label: str) -> Measure:
    pool = await db.create_pool(dsn, max_size=4)
    runner = ProjectionRunner(
        pool, bootstrap, IssueBoard([topic]), group_id=f"{topic}.board", batch_max=2000
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    started = time.perf_counter()
    while True:
        await asyncio.sleep(0.1)
        if await pool.fetchval("select to_regclass('proj_board.board')") is None:
            continue
        if await pool.fetchval("select count(*) from proj_board.board") >= expected:
            break
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    sample = await pool.fetchval("select description from proj_board.board limit 1")
    await pool.close()
    assert pii.is_token(sample) == ("sealed" in label), sample
    return Measure(label, expected, elapsed)


async def main(ep: Endpoints, commands: int) -> None:
    async with (
        fresh_database(ep) as plain_dsn,
        fresh_database(ep) as sealed_dsn,
        fresh_database(ep, migrate=False) as keys_dsn,
        fresh_database(ep) as board_plain,
        fresh_database(ep) as board_sealed,
        fresh_topic(ep, "grid.events") as plain_topic,
        fresh_topic(ep, "grid.events") as sealed_topic,
    ):
        keys = await KeyStore.open(keys_dsn, pii.LocalKek.from_text(pii.LocalKek.generate()))
        plain_pool = await db.create_pool(plain_dsn, min_size=WRITERS, max_size=WRITERS)
        sealed_pool = await db.create_pool(sealed_dsn, min_size=WRITERS, max_size=WRITERS)
        plain, sealed = EventStore(plain_pool), EventStore(sealed_pool, keys)
        for store, on in ((plain, False), (sealed, True)):  # warm-up
            await _appends(store, 300, sealed=on, label="warm-up")
        off = await _appends(plain, commands, sealed=False, label="append, encryption off")
        on = await _appends(sealed, commands, sealed=True, label="append, encryption on")
        copy = await _raw_copy(plain_dsn, commands)
        n_plain = await _publish(plain, ep.kafka_bootstrap, plain_topic)
        n_sealed = await _publish(sealed, ep.kafka_bootstrap, sealed_topic)
        consume = await raw_consume(ep.kafka_bootstrap, sealed_topic, n_sealed)
        p_off = await _catch_up(
            board_plain, ep.kafka_bootstrap, plain_topic, n_plain, "projection, plain"
        )
        p_on = await _catch_up(
            board_sealed, ep.kafka_bootstrap, sealed_topic, n_sealed, "projection, sealed"
        )
        await plain_pool.close()
        await sealed_pool.close()
        await keys.close()
    report(
        "privacy: sealing personal data, on vs off",
        [
            (on, off, "the same appends unsealed"),
            (on, copy, "raw COPY rows/s"),
            (off, copy, "raw COPY rows/s"),
            (p_on, p_off, "the same catch-up unsealed"),
            (p_on, consume, "raw consume msgs/s"),
        ],
    )


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--commands") + 1]) if "--commands" in sys.argv else 10000
    run(lambda ep: main(ep, count))
