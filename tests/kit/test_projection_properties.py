"""Property: however a stream of events is split into batches and redelivered, the incremental
projection ends equal to one rebuilt from a single clean pass."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from aiokafka.structs import ConsumerRecord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xiangzhi import db
from xiangzhi.envelope import Envelope
from xiangzhi.projection import ProjectionRunner, create_schema

from tests.kit.ledger import LedgerProjection, snapshot

VILLAGES = ("141121100201", "141121100202", "141121100203")
TOPIC = "economy.events"


def _envelopes(plan: list[tuple[int, int]]) -> list[Envelope]:
    seq = dict.fromkeys(VILLAGES, 0)
    out = []
    for village_index, cents in plan:
        village = VILLAGES[village_index]
        seq[village] += 1
        out.append(
            Envelope(
                id=uuid.uuid4(),
                source="/xiangzhi/economy",
                type="economy.contract.cleared.v1",
                subject=f"contract-{uuid.uuid4()}",
                time=datetime(2026, 1, 1, tzinfo=UTC),
                village=village,
                chainseq=seq[village],
                streamversion=1,
                correlationid="c",
                hash="0" * 64,
                prevhash="0" * 64,
                data={"amount": f"{cents // 100}.{cents % 100:02d}"},
            )
        )
    return out


def _records(envelopes: list[Envelope]) -> list[ConsumerRecord[bytes, bytes]]:
    """One partition per village, as the village key puts them."""
    offsets = dict.fromkeys(VILLAGES, 0)
    records = []
    for envelope in envelopes:
        key, value, headers = envelope.to_kafka()
        partition = VILLAGES.index(envelope.village)
        records.append(
            ConsumerRecord(
                TOPIC,
                partition,
                offsets[envelope.village],
                0,
                0,
                key,
                value,
                None,
                len(key),
                len(value),
                tuple(headers),
            )
        )
        offsets[envelope.village] += 1
    return records


plans = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 100_000)), min_size=1, max_size=40)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=plans, cuts=st.lists(st.integers(1, 40), max_size=8), redeliver=st.data())
def test_incremental_equals_rebuilt(pg_dsn: str, plan, cuts, redeliver) -> None:
    records = _records(_envelopes(plan))
    # Split into batches at the cut points; then redeliver some earlier records in later batches
    # (what a relay re-publish or a rebalance does).
    batches: list[list[ConsumerRecord[bytes, bytes]]] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(records)]:
        if cut > start:
            batches.append(records[start:cut])
            start = cut
    for i in range(1, len(batches)):
        earlier = [r for b in batches[:i] for r in b]
        batches[i] = redeliver.draw(st.lists(st.sampled_from(earlier), max_size=5)) + batches[i]
    asyncio.run(_check(pg_dsn, records, batches))


async def _check(
    dsn: str,
    records: list[ConsumerRecord[bytes, bytes]],
    batches: list[list[ConsumerRecord[bytes, bytes]]],
) -> None:
    pool = await db.create_pool(dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await db.migrate(conn, db.kit_migrations())
        incremental = LedgerProjection([TOPIC])
        runner = ProjectionRunner(pool, "unused:9092", incremental)
        async with pool.acquire() as conn:
            await conn.execute("drop schema if exists proj_ledger cascade")
            await conn.execute("drop schema if exists proj_ledger_clean cascade")
        await create_schema(pool, incremental, "proj_ledger")
        await create_schema(pool, incremental, "proj_ledger_clean")
        for batch in batches:
            await runner.handle(batch, "proj_ledger", live=False)
        await runner.handle(records, "proj_ledger_clean", live=False)
        async with pool.acquire() as conn:
            live = await snapshot(conn, incremental)
            clean_state = {
                name: [
                    tuple(r)
                    for r in await conn.fetch(f"select * from proj_ledger_clean.{name} order by 1")
                ]
                for name in live
            }
        assert live == clean_state
        assert {row[3] for row in live["applied_events"]} == {1}
        assert len(live["applied_events"]) == len(records)
    finally:
        await pool.close()
