"""The event store against the real PostgreSQL: concurrency, the village chain, the verifier."""

from __future__ import annotations

import asyncio
import random
from uuid import uuid4

import pytest
from xiangzhi import db
from xiangzhi.store import (
    ConcurrencyError,
    EventMeta,
    EventStore,
    NewEvent,
    StreamAppend,
    StreamVillageError,
)

DONGZHUANG = "141121100201"


def _event(n: int = 1) -> NewEvent:
    return NewEvent("grid.issue.raised.v1", {"title": f"漏水点 {n}", "n": n})


async def test_append_then_read_back_the_stream(store: EventStore, meta: EventMeta) -> None:
    recorded = await store.append(
        "issue-1", 0, [_event(1), _event(2)], village=DONGZHUANG, meta=meta
    )
    assert [e.version for e in recorded] == [1, 2]
    assert [e.chain_seq for e in recorded] == [1, 2]
    assert recorded[1].prev_hash == recorded[0].hash
    read = await store.read_stream("issue-1")
    assert read == recorded
    assert read[0].meta == {
        "correlation_id": "corr-test",
        "actor": "clerk-1",
        "request_id": "req-1",
    }


async def test_two_writers_racing_on_one_stream_one_wins(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    await store.append("issue-race", 0, [_event()], village=DONGZHUANG, meta=meta)
    results = await asyncio.gather(
        store.append("issue-race", 1, [_event(2)], village=DONGZHUANG, meta=meta),
        store.append("issue-race", 1, [_event(3)], village=DONGZHUANG, meta=meta),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, list)]
    losers = [r for r in results if isinstance(r, ConcurrencyError)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].expected == 1 and losers[0].actual == 2
    assert [e.version for e in await store.read_stream("issue-race")] == [1, 2]
    # The loser wrote nothing: no event, no outbox row, no chain position.
    assert await pool.fetchval("select count(*) from events") == 2
    assert await pool.fetchval("select count(*) from outbox") == 2
    assert await pool.fetchval("select chain_seq from chain_heads") == 2


async def test_the_loser_of_a_race_held_at_the_chain_head_learns_the_true_version(
    store: EventStore, meta: EventMeta, pool: db.Pool, pg_dsn: str
) -> None:
    """A third connection holds the village's chain head, so both appends are made before either
    can lock: the race really happens, and the loser's 409 says version 2. (The village's
    appends queue in the process's group committer, so one connection waits at the lock for
    both; before group commit each waited on its own.)"""
    await store.append("issue-held", 0, [_event()], village=DONGZHUANG, meta=meta)
    holder = await db.connect(pg_dsn)
    try:
        hold = holder.transaction()
        await hold.start()
        await holder.execute("select 1 from chain_heads where village = $1 for update", DONGZHUANG)
        racing = [
            asyncio.create_task(
                store.append("issue-held", 1, [_event(n)], village=DONGZHUANG, meta=meta)
            )
            for n in (2, 3)
        ]
        for _ in range(200):  # the appends are waiting on the head lock
            waiting = await pool.fetchval(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                "and datname = current_database()"
            )
            if waiting >= 1:
                break
            await asyncio.sleep(0.01)
        assert waiting >= 1, "the appends never queued behind the held chain head"
        assert not any(task.done() for task in racing)
        await hold.commit()
    finally:
        await holder.close()
    results = await asyncio.gather(*racing, return_exceptions=True)
    losers = [r for r in results if isinstance(r, ConcurrencyError)]
    assert len(losers) == 1, results
    assert (losers[0].expected, losers[0].actual) == (1, 2)
    assert [e.version for e in await store.read_stream("issue-held")] == [1, 2]
    assert await pool.fetchval("select chain_seq from chain_heads") == 2


async def test_a_conflict_writes_nothing_even_in_a_batch(
    store: EventStore, meta: EventMeta
) -> None:
    await store.append("s", 0, [_event()], village=DONGZHUANG, meta=meta)
    with pytest.raises(ConcurrencyError):
        await store.append("s", 0, [_event(), _event()], village=DONGZHUANG, meta=meta)
    assert len(await store.read_village(DONGZHUANG)) == 1


async def test_a_stream_stays_in_its_village(store: EventStore, meta: EventMeta) -> None:
    await store.append("s", 0, [_event()], village=DONGZHUANG, meta=meta)
    with pytest.raises(StreamVillageError):
        await store.append("s", 1, [_event()], village="141121100202", meta=meta)


async def test_concurrent_appends_give_gap_free_chains_per_village(
    store: EventStore, meta: EventMeta
) -> None:
    villages = [f"141121100{n:03d}" for n in range(1, 21)]
    rng = random.Random(7)
    jobs = [(rng.choice(villages), f"stream-{uuid4()}") for _ in range(1000)]
    semaphore = asyncio.Semaphore(32)

    async def one(village: str, stream: str) -> None:
        async with semaphore:
            await store.append(stream, 0, [_event()], village=village, meta=meta)

    await asyncio.gather(*(one(v, s) for v, s in jobs))
    total = 0
    for village in villages:
        events = await store.read_village(village)
        assert [e.chain_seq for e in events] == list(range(1, len(events) + 1))
        report = await store.verify_village(village)
        assert report.intact, report.first_break
        assert report.checked == len(events)
        total += len(events)
    assert total == 1000


async def test_the_verifier_names_the_altered_event(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    for n in range(1, 6):
        await store.append(f"contract-{n}", 0, [_event(n)], village=DONGZHUANG, meta=meta)
    target = (await store.read_village(DONGZHUANG))[2]
    assert (await store.verify_village(DONGZHUANG)).intact
    async with pool.acquire() as conn:
        # Someone with the rights to lift the append-only guard rewrites one record.
        await conn.execute("alter table events disable trigger events_append_only")
        await conn.execute(
            "update events set data = jsonb_set(data, '{title}', '\"已修改\"') where event_id = $1",
            target.event_id,
        )
        await conn.execute("alter table events enable trigger events_append_only")
    report = await store.verify_village(DONGZHUANG)
    assert not report.intact
    assert report.first_break is not None
    assert report.first_break.event_id == target.event_id
    assert report.first_break.chain_seq == 3
    assert report.checked == 2


async def test_events_refuse_update_and_delete(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    await store.append("s", 0, [_event()], village=DONGZHUANG, meta=meta)
    with pytest.raises(Exception, match="append-only"):
        await pool.execute("update events set type = 'x.y.z.v1'")
    with pytest.raises(Exception, match="append-only"):
        await pool.execute("delete from events")


async def test_migrations_apply_once(pg_dsn: str) -> None:
    conn = await db.connect(pg_dsn)
    try:
        first = await db.migrate(conn, db.kit_migrations())
        again = await db.migrate(conn, db.kit_migrations())
        assert [m.version for m in first] == [m.version for m in db.kit_migrations()]
        assert again == []
    finally:
        await conn.close()


async def test_append_many_appends_several_streams_all_or_none(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    """One chain through several streams in one statement; one stale stream refuses them all."""
    await store.append("asset-a", 0, [_event(1)], village=DONGZHUANG, meta=meta)
    recorded = await store.append_many(
        [
            StreamAppend("asset-a", 1, [_event(2)]),
            StreamAppend("contract-b", 0, [_event(3), _event(4)]),
        ],
        village=DONGZHUANG,
        meta=meta,
    )
    assert [(e.stream_id, e.version, e.chain_seq) for e in recorded] == [
        ("asset-a", 2, 2), ("contract-b", 1, 3), ("contract-b", 2, 4),
    ]  # fmt: skip
    assert (await store.verify_village(DONGZHUANG)).intact
    assert await store.read_streams(["asset-a", "contract-b", "nothing"]) == {
        "asset-a": await store.read_stream("asset-a"),
        "contract-b": await store.read_stream("contract-b"),
    }
    with pytest.raises(ConcurrencyError) as stale:
        await store.append_many(
            [StreamAppend("contract-c", 0, [_event(5)]), StreamAppend("asset-a", 1, [_event(6)])],
            village=DONGZHUANG,
            meta=meta,
        )
    assert (stale.value.stream_id, stale.value.actual) == ("asset-a", 2)
    assert await pool.fetchval("select count(*) from events") == 4
    assert await pool.fetchval("select count(*) from outbox") == 4
    assert await pool.fetchval("select chain_seq from chain_heads") == 4
    with pytest.raises(StreamVillageError):
        await store.append_many(
            [StreamAppend("asset-a", 2, [_event(7)])], village="141121100202", meta=meta
        )
