"""Rebuild: replay every event into fresh tables while the live ones serve, then swap them in.

Events are replayed from offset zero into ``proj_<name>_rebuild``. To finish, the rebuild takes
the projection's advisory lock exclusively (every live batch takes it shared), catches up to the
live positions, and renames the schemas, so the swap is atomic and the live runner continues on
the rebuilt tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer, TopicPartition

from ..kafka_admin import partitions_of
from .positions import create_schema, stored_positions

if TYPE_CHECKING:
    from .runner import ProjectionRunner

# Events per transaction while replaying: a live batch is small to stay fresh, a rebuild's
# large to spend its time applying rather than committing.
REBUILD_BATCH = 5000


async def rebuild_and_swap(runner: ProjectionRunner) -> int:
    """Replay every event into fresh tables and swap them in; return the events read."""
    projection = runner.projection
    target = f"{projection.schema}_rebuild"
    async with runner.pool.acquire() as conn:
        await conn.execute(f"drop schema if exists {target} cascade")
    await create_schema(runner.pool, projection, target)
    await runner.setup()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=runner.bootstrap,
        group_id=None,
        enable_auto_commit=False,
        # A rebuild is all catch-up: large fetches and batches (each one transaction).
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    read = 0
    runner.parking.parked_in_rebuild.clear()
    try:
        layout = await partitions_of(runner.bootstrap, projection.topics)
        partitions = [TopicPartition(t, p) for t, parts in layout.items() for p in parts]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        read += await _replay_until(
            runner, consumer, await consumer.end_offsets(partitions), target
        )
        async with runner.pool.acquire() as conn, conn.transaction():
            # Every live batch holds this lock shared: from here on none runs until the swap.
            await conn.execute("select pg_advisory_xact_lock($1)", runner.lock_key)
            live = await stored_positions(runner.pool, projection.schema)
            read += await _replay_until(runner, consumer, live, target)
            await runner.parking.mark_rebuilt(conn)
            old = f"{projection.schema}_old"
            await conn.execute(f"drop schema if exists {old} cascade")
            await conn.execute(f"alter schema {projection.schema} rename to {old}")
            await conn.execute(f"alter schema {target} rename to {projection.schema}")
            await conn.execute(f"drop schema {old} cascade")
    finally:
        await consumer.stop()
    return read


async def _replay_until(
    runner: ProjectionRunner,
    consumer: AIOKafkaConsumer,
    targets: dict[TopicPartition, int],
    schema: str,
) -> int:
    remaining = {tp: end for tp, end in targets.items() if end > await consumer.position(tp)}
    read = 0
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=REBUILD_BATCH)
        records = []
        for tp, rs in batch.items():
            records += [r for r in rs if r.offset < remaining.get(tp, 0)]
        if records:
            await runner.handle(records, schema, live=False)
            read += len(records)
        for tp in list(remaining):
            if await consumer.position(tp) >= remaining[tp]:
                del remaining[tp]
    return read
