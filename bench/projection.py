"""Projection catch-up over 200,000 events, beside a raw aiokafka consumer reading the same
topic (this machine's Kafka consume limit), in the same run.

    uv run python -m bench.projection [--events 200000]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from xiangzhi import db
from xiangzhi.envelope import Envelope
from xiangzhi.outbox import producer
from xiangzhi.projection import Projection, ProjectionRunner

from bench.common import Endpoints, Measure, fresh_database, fresh_topic, raw_consume, report, run

VILLAGES = [f"141121{n:06d}" for n in range(100201, 100251)]


class IncomeByVillage(Projection):
    """A typical read model: collective income per village and year. ``apply`` is one upsert
    per event; ``apply_batch`` sums the batch per (village, year) and writes it in one
    statement, as a read model written for catch-up does."""

    name = "income"
    ddl = """
    create table if not exists income (
        village char(12) not null,
        year int not null,
        amount numeric(16, 2) not null,
        entries int not null,
        primary key (village, year)
    );
    """

    async def apply(self, conn: db.Connection, event: Envelope) -> None:
        await conn.execute(
            "insert into income values ($1, $2, $3, 1) on conflict (village, year) do update "
            "set amount = income.amount + excluded.amount, entries = income.entries + 1",
            event.village,
            event.data["year"],
            Decimal(event.data["amount_yuan"]),
        )

    async def apply_batch(self, conn: db.Connection, events: Sequence[Envelope]) -> None:
        sums: dict[tuple[str, int], list[Decimal | int]] = {}
        for event in events:
            entry = sums.setdefault((event.village, event.data["year"]), [Decimal(0), 0])
            entry[0] += Decimal(event.data["amount_yuan"])
            entry[1] += 1
        await conn.execute(
            "insert into income select * from unnest($1::char(12)[], $2::int[], "
            "$3::numeric[], $4::int[]) on conflict (village, year) do update "
            "set amount = income.amount + excluded.amount, "
            "entries = income.entries + excluded.entries",
            [k[0] for k in sums], [k[1] for k in sums],
            [v[0] for v in sums.values()], [v[1] for v in sums.values()],
        )  # fmt: skip


async def _produce(bootstrap: str, topic: str, events: int) -> None:
    kafka = producer(bootstrap)
    await kafka.start()
    seq = dict.fromkeys(VILLAGES, 0)
    pending = []
    for n in range(events):
        village = VILLAGES[n % len(VILLAGES)]
        seq[village] += 1
        envelope = Envelope(
            id=uuid.uuid4(), source="/xiangzhi/economy", type="economy.income.recorded.v1",
            subject=f"income-{n}", time=datetime.now(UTC), village=village,
            chainseq=seq[village], streamversion=1, correlationid="bench",
            hash="0" * 64, prevhash="0" * 64,
            data={"entry_id": f"e-{n}", "source": "contract_fee", "amount_yuan": "6428.57",
                  "year": 2025 + n % 2},
        )  # fmt: skip
        key, value, headers = envelope.to_kafka()
        pending.append(await kafka.send(topic, value=value, key=key, headers=headers))
        if len(pending) >= 5000:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    await kafka.stop()


async def _catch_up(dsn: str, bootstrap: str, topic: str, expected: int) -> Measure:
    pool = await db.create_pool(dsn, max_size=4)
    projection = IncomeByVillage([topic])
    runner = ProjectionRunner(
        pool, bootstrap, projection, group_id=f"{topic}.income", batch_max=2000
    )
    batches: list[float] = []
    handle = runner.handle

    async def timed(records, schema, *, live):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        await handle(records, schema, live=live)
        batches.append((time.perf_counter() - t0) * 1000)

    runner.handle = timed  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    started = time.perf_counter()
    while True:
        await asyncio.sleep(0.2)
        if await pool.fetchval("select to_regclass('proj_income.income')") is None:
            continue
        done = await pool.fetchval("select coalesce(sum(entries), 0) from proj_income.income")
        if done >= expected:
            break
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    total = await pool.fetchval("select sum(amount) from proj_income.income")
    assert total == Decimal("6428.57") * expected, total
    await pool.close()
    # Latency here is per batch (≤ 2,000 events in one transaction).
    return Measure("projection catch-up, per batch", expected, elapsed, batches)


async def main(ep: Endpoints, events: int) -> None:
    async with fresh_database(ep) as dsn, fresh_topic(ep, "economy.events") as topic:
        await _produce(ep.kafka_bootstrap, topic, events)
        consume = await raw_consume(ep.kafka_bootstrap, topic, events)
        catch_up = await _catch_up(dsn, ep.kafka_bootstrap, topic, events)
    report(
        "projection: catch-up",
        [(catch_up, consume, "raw consume msgs/s")],
        targets={catch_up.name: ("ratio", ">=", 0.5)},
    )


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--events") + 1]) if "--events" in sys.argv else 200000
    run(lambda ep: main(ep, count))
