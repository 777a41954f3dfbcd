"""livelihood: the lag from ``grid.issue.escalated`` (needs works) to the proposed works being
visible in livelihood's read model, p50/p99, under a steady load — beside this machine's floor
measured in the same run: a raw Kafka round trip (produce, then a plain consumer sees it) at
the same rate.

Grid and livelihood run as the launcher runs them (uvicorn, their own databases, the key
service). Each command pair is a resident's issue raised and a clerk's escalation; the lag runs
from the escalation's answer to the works row's first sight (its id is derived from the issue,
as the policy derives it): grid's relay → Kafka → livelihood's policy (one transaction: its
proposal) → livelihood's relay → Kafka → livelihood's projection.

    uv run --group bench python -m bench.livelihood [--issues 600] [--rate 20]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

import aiohttp
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from grid import demo
from livelihood.policies import works_id
from xiangzhi import db
from xiangzhi.store import EventStore
from xiangzhi.testing.tokens import Signer

from bench.common import (
    Endpoints,
    Measure,
    fresh_database,
    fresh_topic,
    key_service,
    ready,
    report,
    run,
    start_service,
)

VILLAGE = demo.DONGZHUANG
SIGNER = Signer()
RESIDENT = SIGNER.headers("resident", villages=[VILLAGE], person_id="resident-bench")
CLERK = SIGNER.headers("village_staff", villages=[VILLAGE], person_id="clerk-bench")


async def _load(grid: str, dsn: str, issues: int, rate: float) -> Measure:
    """``issues`` escalations at ``rate`` a second; each one's lag until its works are seen."""
    escalated: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = asyncio.Event()
    pool = await db.create_pool(dsn, min_size=1, max_size=2)

    async def watch() -> None:
        while not done.is_set() or len(seen) < len(escalated):
            pending = [w for w in escalated if w not in seen]
            if pending:
                rows = await pool.fetch(
                    "select works_id from proj_livelihood.works where works_id = any($1)", pending
                )
                now = time.perf_counter()
                for row in rows:
                    seen[row["works_id"]] = now
            await asyncio.sleep(0.005)

    async def one(http: aiohttp.ClientSession, n: int) -> None:
        issue_id = f"b-{uuid.uuid4().hex[:12]}"
        grid_id = f"{VILLAGE}{101 + n % 10:03d}"
        async with http.post(f"/villages/{VILLAGE}/issues", headers=RESIDENT, json={
            "issue_id": issue_id, "grid_id": grid_id, "category": "drainage",
            "title": "下水堵塞", "description": "雨后积水", "address": "正街",
        }) as raised:  # fmt: skip
            assert raised.status == 201, await raised.text()
        async with http.post(
            f"/villages/{VILLAGE}/issues/{issue_id}/escalate", headers=CLERK,
            json={"level": "village_committee", "reason": "needs_works"},
        ) as answer:  # fmt: skip
            assert answer.status == 200, await answer.text()
        escalated[works_id("issue", VILLAGE, issue_id)] = time.perf_counter()

    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    async with aiohttp.ClientSession(grid, timeout=aiohttp.ClientTimeout(60)) as http:
        tasks = []
        for n in range(issues):
            tasks.append(asyncio.create_task(one(http, n)))
            await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.perf_counter()))
        await asyncio.gather(*tasks)
    done.set()
    await asyncio.wait_for(watcher, timeout=120)
    await pool.close()
    lags = [(seen[w] - escalated[w]) * 1000 for w in escalated]
    return Measure(
        f"escalated → works visible, {rate:g} issues/s", issues,
        max(seen.values()) - started, lags, unit="issues",
    )  # fmt: skip


async def _kafka_round_trip(bootstrap: str, topic: str, count: int, rate: float) -> Measure:
    """The floor: a record produced (acks=all) until a plain consumer has it, at the same rate."""
    sent: dict[bytes, float] = {}
    lags: list[float] = []
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest",
                                group_id=None, fetch_max_wait_ms=5)  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await consumer.start()
    await producer.start()
    await asyncio.sleep(1)  # the consumer's assignment, before the first record

    async def consume() -> None:
        while len(lags) < count:
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                lags.extend((now - sent[r.value]) * 1000 for r in records if r.value in sent)

    reader = asyncio.create_task(consume())
    started = time.perf_counter()
    for n in range(count):
        key = uuid.uuid4().bytes
        sent[key] = time.perf_counter()
        await producer.send(topic, value=key)
        await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.perf_counter()))
    await asyncio.wait_for(reader, timeout=60)
    elapsed = time.perf_counter() - started
    await producer.stop()
    await consumer.stop()
    return Measure(f"raw Kafka round trip, {rate:g}/s", count, elapsed, lags, unit="msgs")


async def main(ep: Endpoints, issues: int, rate: float) -> None:
    async with (
        fresh_database(ep) as grid_dsn,
        fresh_database(ep) as livelihood_dsn,
        key_service(ep) as (keystore, key_settings),
        fresh_topic(ep, "grid.events") as grid_topic,
        fresh_topic(ep, "livelihood.events") as livelihood_topic,
        fresh_topic(ep, "party.events") as party_topic,
        fresh_topic(ep, "bench.roundtrip", partitions=1) as round_trip,
    ):
        pool = await db.create_pool(grid_dsn, min_size=1, max_size=2)
        await demo.load(EventStore(pool, keystore), VILLAGE)
        await pool.close()
        common = {"AUTH_PUBLIC_KEY": SIGNER.public_pem, "KAFKA_BOOTSTRAP": ep.kafka_bootstrap,
                  "LOG_LEVEL": "WARNING", **key_settings}  # fmt: skip
        grid = start_service("grid", 18761, {
            **{f"GRID_{k}": v for k, v in common.items()}, "GRID_POSTGRES_DSN": grid_dsn,
            "GRID_EVENTS_TOPIC": grid_topic, "GRID_LIVELIHOOD_TOPIC": livelihood_topic,
            "GRID_PARTY_TOPIC": party_topic,
        })  # fmt: skip
        livelihood = start_service("livelihood", 18762, {
            **{f"LIVELIHOOD_{k}": v for k, v in common.items()},
            "LIVELIHOOD_POSTGRES_DSN": livelihood_dsn, "LIVELIHOOD_EVENTS_TOPIC": livelihood_topic,
            "LIVELIHOOD_GRID_TOPIC": grid_topic, "LIVELIHOOD_PARTY_TOPIC": party_topic,
        })  # fmt: skip
        try:
            await ready("http://127.0.0.1:18761", timeout=60)
            await ready("http://127.0.0.1:18762", timeout=60)
            await _load("http://127.0.0.1:18761", livelihood_dsn, 30, rate)  # warm-up
            lag = await _load("http://127.0.0.1:18761", livelihood_dsn, issues, rate)
            floor = await _kafka_round_trip(ep.kafka_bootstrap, round_trip, issues, rate)
        finally:
            for process in (livelihood, grid):
                process.terminate()
                process.wait()
    report(
        "livelihood: issue escalated as needing works → works visible",
        [(lag, floor, "a raw Kafka round trip's rate"), (floor, None, "")],
    )


if __name__ == "__main__":
    args = sys.argv
    count = int(args[args.index("--issues") + 1]) if "--issues" in args else 600
    per_second = float(args[args.index("--rate") + 1]) if "--rate" in args else 20.0
    run(lambda ep: main(ep, count, per_second))
