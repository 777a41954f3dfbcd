"""Appends: one event per command from 32 concurrent writers across 50 villages, and batched.

Beside them, in the same run: this machine's limit (raw asyncpg ``copy_records_to_table`` of
the same rows into tables of the store's own shape — ``events`` and ``outbox`` with every
index and constraint) and a peer (the ``eventsourcing`` library's PostgreSQL application
recorder, 32 threads, the same events, warmed up like ours).

What each side guarantees, stated because a rate means nothing without it:
- ours: per-stream optimistic concurrency, a gap-free per-village order and hash chain, a
  global position, the outbox row and a NOTIFY, all in the appending transaction;
- eventsourcing's application recorder: per-aggregate optimistic concurrency and a gap-free
  global notification order (it serialises every insert with a table lock), no chain.

    uv run --group bench python -m bench.appends [--commands 20000]
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from xiangzhi import db
from xiangzhi.store import EventMeta, EventStore, NewEvent

from bench.common import Endpoints, Measure, fresh_database, report, run

WRITERS = 32
VILLAGES = [f"141121{n:06d}" for n in range(100201, 100251)]
META = EventMeta(correlation_id="bench", actor="bench")


def _data(n: int) -> dict[str, object]:
    return {
        "issue_id": str(uuid.uuid4()),
        "grid_id": "141121100201001",
        "category": "drainage",
        "title": f"正街下水堵塞 #{n}",
        "description": "村民反映正街下水不畅，雨后积水。",
        "channel": "app",
        "raised_by": "resident-1",
    }


async def _appends(store: EventStore, commands: int, size: int = 1) -> Measure:
    """``commands`` appends of ``size`` events each, by WRITERS concurrent writers."""
    rng = random.Random(size)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(commands):
        queue.put_nowait(n)
    latencies: list[float] = []

    async def writer() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            started = time.perf_counter()
            await store.append(
                f"issue-{uuid.uuid4()}", 0,
                [NewEvent("grid.issue.raised.v1", _data(n * size + i)) for i in range(size)],
                village=rng.choice(VILLAGES), meta=META,
            )  # fmt: skip
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    elapsed = time.perf_counter() - started
    label = "1 event/command" if size == 1 else f"{size} events/command"
    return Measure(f"append, {label}", commands * size, elapsed, latencies)


async def _raw_copy(dsn: str, rows: int) -> Measure:
    # asyncpg's own jsonb codec (text in, binary on the wire) is what COPY needs.
    conn = await asyncpg.connect(dsn)
    # The same shape the store writes: its indexes and constraints cost the COPY too.
    await conn.execute("drop table if exists events_copy, outbox_copy")
    await conn.execute("create table events_copy (like events including all)")
    await conn.execute("create table outbox_copy (like outbox including all)")
    now = datetime.now(UTC)
    records = [
        (n + 1, uuid.uuid4(), f"issue-{uuid.uuid4()}", 1, VILLAGES[n % 50], "grid.issue.raised.v1",
         json.dumps(_data(n)), json.dumps(META.as_dict()), now, n // 50 + 1, "0" * 64, "f" * 64)
        for n in range(rows)
    ]  # fmt: skip
    started = time.perf_counter()
    await conn.copy_records_to_table("events_copy", records=records)
    await conn.copy_records_to_table("outbox_copy", records=[(r[0],) for r in records])
    elapsed = time.perf_counter() - started
    await conn.close()
    return Measure("raw COPY (asyncpg)", rows, elapsed, unit="rows")


def _eventsourcing(ep: Endpoints, dsn: str, commands: int) -> Measure:
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    rest, _, dbname = dsn.rpartition("/")
    credentials, _, hostport = rest.removeprefix("postgresql://").rpartition("@")
    user, _, password = credentials.partition(":")
    host, _, port = hostport.partition(":")
    datastore = PostgresDatastore(dbname, host, port, user, password, pool_size=WRITERS)
    recorder = PostgresApplicationRecorder(datastore)
    recorder.create_table()
    _threads(recorder, 500, [])  # warm-up: connections, prepared statements, as ours
    latencies: list[float] = []
    elapsed = _threads(recorder, commands, latencies)
    datastore.close()
    return Measure("eventsourcing PostgreSQL recorder", commands, elapsed, latencies)


def _threads(recorder: Any, commands: int, latencies: list[float]) -> float:
    from eventsourcing.persistence import StoredEvent

    counter = iter(range(commands))
    lock = threading.Lock()

    def writer() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            state = json.dumps(_data(n)).encode()
            started = time.perf_counter()
            recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "grid.issue.raised.v1", state)])
            latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


async def main(ep: Endpoints, commands: int) -> None:
    async with fresh_database(ep) as dsn:
        pool = await db.create_pool(dsn, min_size=WRITERS, max_size=WRITERS)
        store = EventStore(pool)
        await _appends(store, 500)  # warm-up: connections, prepared statements
        single = await _appends(store, commands)
        batched = await _appends(store, commands // 10, 10)
        await pool.close()
        copy = await _raw_copy(dsn, commands)
    async with fresh_database(ep, migrate=False) as dsn:
        peer = await asyncio.to_thread(_eventsourcing, ep, dsn, commands)
    report(
        "appends: 32 writers, 50 villages",
        notes={
            "ours": "per-stream versions, per-village gap-free order and hash chain, global "
            "position, outbox row and NOTIFY in the appending transaction (group commit)",
            "eventsourcing": "PostgresApplicationRecorder: per-aggregate versions, gap-free "
            "global notification order (table lock per insert), no chain; 32 threads",
            "limit": "COPY of the same rows into events and outbox of the store's shape "
            "(like ... including all: every index and constraint)",
        },
        rows=[
            (single, copy, "raw COPY rows/s"),
            (single, peer, "eventsourcing's rate"),
            (batched, copy, "raw COPY rows/s"),
            (peer, copy, "raw COPY rows/s"),
        ],
    )


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--commands") + 1]) if "--commands" in sys.argv else 20000
    run(lambda ep: main(ep, count))
