"""A projection's schema and the bookkeeping that makes its effects exactly-once.

Beside the projection's tables, and written in the same transaction as every batch:

- ``_positions``: the next Kafka offset per (topic, partition). On assignment the consumer
  seeks there; Kafka's committed offsets are never used.
- ``_applied``: the last ``chainseq`` applied per (source service, village). A redelivered
  event (the relay re-publishes after a crash; a rebalance re-reads) is skipped by this check.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from aiokafka import ConsumerRecord, TopicPartition

from ..db import Connection, Pool
from .base import Projection

_BOOKKEEPING = """
create table if not exists _positions (
    topic text not null,
    partition int not null,
    next_offset bigint not null,
    primary key (topic, partition)
);
create table if not exists _applied (
    source text not null,
    village char(12) not null,
    chainseq bigint not null,
    primary key (source, village)
);
"""


def lock_key(projection: str) -> int:
    """The projection's advisory lock: every live batch holds it shared, a rebuild's swap
    exclusively."""
    return zlib.crc32(f"xiangzhi-projection:{projection}".encode()) & 0x7FFFFFFF


async def create_schema(pool: Pool, projection: Projection, schema: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        # Two replicas starting at once must not both create the same schema.
        await conn.execute("select pg_advisory_xact_lock($1)", lock_key(projection.name) ^ 1)
        await conn.execute(f"create schema if not exists {schema}")
        await conn.execute(f"set local search_path to {schema}, public")
        await conn.execute(_BOOKKEEPING)
        if projection.ddl.strip():
            await conn.execute(projection.ddl)


async def enter(conn: Connection, schema: str, lock: int, *, live: bool) -> None:
    """Point the transaction at ``schema``; a live one also takes the projection's lock."""
    if live:
        # Shared with every other batch; a rebuild's swap takes it exclusively.
        await conn.execute("select pg_advisory_xact_lock_shared($1)", lock)
    await conn.execute(f"set local search_path to {schema}, public")


async def stored_positions(pool: Pool, schema: str) -> dict[TopicPartition, int]:
    rows = await pool.fetch(f"select topic, partition, next_offset from {schema}._positions")
    return {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def load_applied(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    sources, villages = zip(*keys, strict=True)
    rows = await conn.fetch(
        "select a.source, a.village, a.chainseq from _applied a "
        "join unnest($1::text[], $2::text[]) k(source, village) "
        "on a.source = k.source and a.village = k.village",
        list(sources),
        list(villages),
    )
    return {(r["source"], r["village"]): r["chainseq"] for r in rows}


async def store_progress(
    conn: Connection,
    applied: dict[tuple[str, str], int],
    records: Sequence[ConsumerRecord[bytes, bytes]],
) -> None:
    if applied:
        await conn.execute(
            "insert into _applied (source, village, chainseq) "
            "select * from unnest($1::text[], $2::text[], $3::bigint[]) "
            "on conflict (source, village) do update "
            "set chainseq = greatest(_applied.chainseq, excluded.chainseq)",
            [k[0] for k in applied],
            [k[1] for k in applied],
            list(applied.values()),
        )
    next_offsets: dict[tuple[str, int], int] = {}
    for r in records:
        key = (r.topic, r.partition)
        next_offsets[key] = max(next_offsets.get(key, 0), r.offset + 1)
    await conn.execute(
        "insert into _positions (topic, partition, next_offset) "
        "select * from unnest($1::text[], $2::int[], $3::bigint[]) "
        "on conflict (topic, partition) do update "
        "set next_offset = greatest(_positions.next_offset, excluded.next_offset)",
        [k[0] for k in next_offsets],
        [k[1] for k in next_offsets],
        list(next_offsets.values()),
    )
