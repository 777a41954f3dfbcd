"""Group commit and the command's unit of work, against the real PostgreSQL: a village's
concurrent appends are written together, each keeps its own outcome, and a command's appends
are all written or none."""

from __future__ import annotations

import asyncio
from typing import ClassVar
from uuid import uuid4

import pytest
from xiangzhi import db
from xiangzhi.aggregate import CommandContext
from xiangzhi.registry import EventPayload, EventRegistry
from xiangzhi.store import ConcurrencyError, EventMeta, EventStore, GroupCommit, NewEvent

pytestmark = pytest.mark.integration

DONGZHUANG = "141121100201"
registry = EventRegistry()


@registry.register
class Noted(EventPayload):
    event_type: ClassVar[str] = "test.note.noted.v1"
    text: str


class Context(CommandContext):
    registry = registry


def _event(n: int) -> NewEvent:
    return NewEvent("test.note.noted.v1", {"text": f"第{n}条"})


def _noted(state: list[EventPayload], text: str) -> list[EventPayload]:
    return [Noted(text=text)]


async def _transactions(pool: db.Pool) -> int:
    return int(
        await pool.fetchval(
            "select xact_commit from pg_stat_database where datname = current_database()"
        )
    )


async def test_a_villages_concurrent_appends_are_committed_together(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    recorded = await asyncio.gather(
        *(store.append(f"note-{n}", 0, [_event(n)], village=DONGZHUANG, meta=meta)
          for n in range(100))
    )  # fmt: skip
    assert sorted(r[0].chain_seq for r in recorded) == list(range(1, 101))
    assert all(r[0].position > 0 and r[0].stream_id == f"note-{n}" for n, r in
               enumerate(recorded))  # fmt: skip
    report = await store.verify_village(DONGZHUANG)
    assert report.intact and report.checked == 100
    assert await pool.fetchval("select count(*) from outbox") == 100
    # Fewer transactions than appends: they were grouped (one committer per village).
    assert store.committer.transactions < 100


async def test_a_conflict_in_a_group_refuses_only_its_own_append(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    first, second, other = await asyncio.gather(
        store.append("note-x", 0, [_event(1)], village=DONGZHUANG, meta=meta),
        store.append("note-x", 0, [_event(2)], village=DONGZHUANG, meta=meta),
        store.append("note-y", 0, [_event(3)], village=DONGZHUANG, meta=meta),
        return_exceptions=True,
    )
    outcomes = [first, second]
    losers = [o for o in outcomes if isinstance(o, ConcurrencyError)]
    assert len(losers) == 1 and (losers[0].expected, losers[0].actual) == (0, 1)
    assert not isinstance(other, BaseException) and other[0].version == 1
    assert await pool.fetchval("select count(*) from events") == 2
    assert (await store.verify_village(DONGZHUANG)).intact


async def test_an_append_that_fails_the_whole_group_is_refused_alone(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    taken = uuid4()
    await store.append("note-0", 0, [NewEvent("test.note.noted.v1", {"text": "0"}, taken)],
                       village=DONGZHUANG, meta=meta)  # fmt: skip
    results = await asyncio.gather(
        *(store.append(f"note-{n}", 0, [_event(n)], village=DONGZHUANG, meta=meta)
          for n in range(1, 6)),
        # An event id already stored: the insert of its whole group fails.
        store.append("note-dup", 0, [NewEvent("test.note.noted.v1", {"text": "dup"}, taken)],
                     village=DONGZHUANG, meta=meta),
        return_exceptions=True,
    )  # fmt: skip
    assert all(not isinstance(r, BaseException) for r in results[:5]), results
    assert isinstance(results[5], Exception) and not isinstance(results[5], ConcurrencyError)
    assert await pool.fetchval("select count(*) from events") == 6
    assert (await store.verify_village(DONGZHUANG)).intact


async def test_a_commands_appends_are_written_when_its_block_ends(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    ctx = Context(store=store, village=DONGZHUANG, meta=meta)
    async with ctx.transaction() as tx:
        one = await tx.execute("note-a", fold=list, decide=lambda s: _noted(s, "甲"))
        two = await tx.execute("note-b", fold=list, decide=lambda s: _noted(s, "乙"))
        again = await tx.execute("note-a", fold=list, decide=lambda s: _noted(s, "丙"))
        # Read in the block: its own appends, not yet in the store.
        events, version = await tx.load("note-a")
        assert [e.text for e in events] == ["甲", "丙"] and version == 2  # type: ignore[attr-defined]
        assert await pool.fetchval("select count(*) from events") == 0
        merged = one.merged(two)
    assert [e.version for e in again.recorded] == [2]
    assert [e.stream_id for e in merged.recorded] == ["note-a", "note-b"]
    assert await pool.fetchval("select count(*) from events") == 3
    assert (await store.verify_village(DONGZHUANG)).intact


async def test_a_command_that_fails_in_its_block_writes_nothing(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    ctx = Context(store=store, village=DONGZHUANG, meta=meta)

    async def command() -> None:
        async with ctx.transaction() as tx:
            await tx.execute("note-a", fold=list, decide=lambda s: _noted(s, "甲"))
            raise RuntimeError("refused half way")

    with pytest.raises(RuntimeError, match="refused"):
        await command()
    assert await pool.fetchval("select count(*) from events") == 0


async def test_a_stream_moved_while_the_command_decided_is_a_conflict_and_nothing_is_written(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    ctx = Context(store=store, village=DONGZHUANG, meta=meta)

    async def command() -> None:
        async with ctx.transaction() as tx:
            await tx.execute("note-a", fold=list, decide=lambda s: _noted(s, "甲"))
            await tx.execute("note-b", fold=list, decide=lambda s: _noted(s, "乙"))
            # Someone else writes note-b before this command's block ends.
            await store.append("note-b", 0, [_event(9)], village=DONGZHUANG, meta=meta)

    with pytest.raises(ConcurrencyError) as refused:
        await command()
    assert (refused.value.stream_id, refused.value.actual) == ("note-b", 1)
    assert await pool.fetchval("select count(*) from events") == 1


async def test_the_committer_answers_everyone_waiting_when_it_is_stopped(
    pool: db.Pool, meta: EventMeta, pg_dsn: str
) -> None:
    committer = GroupCommit(pool)
    holder = await db.connect(pg_dsn)
    try:
        async with holder.transaction():
            await holder.execute(
                "insert into chain_heads (village, chain_seq, hash) values ($1, 0, $2)",
                DONGZHUANG,
                "0" * 64,
            )
            # The head is held: the committer waits at the lock with the first append.
            waiting = [
                asyncio.create_task(
                    committer.submit(DONGZHUANG, [(f"note-{n}", 0, [_event(n)])], meta)
                )
                for n in range(3)
            ]
            await asyncio.sleep(0.3)
            assert not any(task.done() for task in waiting)
            await committer.close()
            results = await asyncio.gather(*waiting, return_exceptions=True)
    finally:
        await holder.close()
    assert all(isinstance(r, RuntimeError) for r in results), results


async def test_appends_of_many_villages_share_transactions_and_each_chain_holds(
    store: EventStore, meta: EventMeta, pool: db.Pool
) -> None:
    villages = [f"14112110{n:04d}" for n in range(201, 221)]
    await asyncio.gather(
        *(store.append(f"note-{v}-{n}", 0, [_event(n)], village=v, meta=meta)
          for n in range(10) for v in villages)
    )  # fmt: skip
    for village in villages:
        report = await store.verify_village(village)
        assert report.intact and report.checked == 10
    assert store.committer.transactions < 200


async def test_a_village_held_elsewhere_does_not_hold_up_the_others(
    store: EventStore, meta: EventMeta, pool: db.Pool, pg_dsn: str
) -> None:
    await store.append("note-held", 0, [_event(0)], village=DONGZHUANG, meta=meta)
    holder = await db.connect(pg_dsn)
    try:
        async with holder.transaction():
            await holder.execute(
                "select 1 from chain_heads where village = $1 for update", DONGZHUANG
            )
            held = asyncio.create_task(
                store.append("note-held", 1, [_event(1)], village=DONGZHUANG, meta=meta)
            )
            free = await asyncio.wait_for(
                store.append("note-free", 0, [_event(2)], village="141121100202", meta=meta),
                timeout=10,
            )
            assert free[0].chain_seq == 1 and not held.done()
    finally:
        await holder.close()
    assert (await held)[0].version == 2
