"""Fixtures for the kit's contract tests: a migrated event store in a database of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from xiangzhi import db
from xiangzhi.store import EventMeta, EventStore


@pytest.fixture
async def pool(pg_dsn: str) -> AsyncIterator[db.Pool]:
    pool = await db.create_pool(pg_dsn, min_size=1, max_size=40)
    async with pool.acquire() as conn:
        await db.migrate(conn, db.kit_migrations())
    yield pool
    await pool.close()


@pytest.fixture
def store(pool: db.Pool) -> EventStore:
    return EventStore(pool)


@pytest.fixture
def meta() -> EventMeta:
    return EventMeta(correlation_id="corr-test", actor="clerk-1", request_id="req-1")
