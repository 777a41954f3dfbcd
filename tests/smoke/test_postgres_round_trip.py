"""The database is real: exact decimals, UTC times and JSON survive a round trip through asyncpg."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg


async def test_exact_decimals_and_utc_times_round_trip(pg: asyncpg.Connection) -> None:
    await pg.execute(
        """
        create table contract (
            contract_id text primary key,
            village char(12) not null,
            area_mu numeric(12, 2) not null,
            annual_fee_yuan numeric(14, 2) not null,
            cleared_at timestamptz not null,
            findings jsonb not null
        )
        """
    )
    cleared = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    await pg.execute(
        "insert into contract values ($1, $2, $3, $4, $5, $6)",
        "c-1",
        "141121100201",
        Decimal("624.16"),
        Decimal("630000.10"),
        cleared,
        json.dumps(["below_market_price", "no_written_contract"]),
    )
    row = await pg.fetchrow("select * from contract where contract_id = 'c-1'")
    assert row is not None
    assert row["area_mu"] == Decimal("624.16")
    assert row["annual_fee_yuan"] + Decimal("0.20") == Decimal("630000.30")
    assert row["cleared_at"] == cleared
    assert row["cleared_at"].utcoffset().total_seconds() == 0
    assert json.loads(row["findings"]) == ["below_market_price", "no_written_contract"]


async def test_each_test_gets_a_database_of_its_own(pg: asyncpg.Connection, stack) -> None:
    name = await pg.fetchval("select current_database()")
    assert name.startswith("t_")
    admin = await asyncpg.connect(stack.postgres_dsn)
    try:
        assert (
            await admin.fetchval("select count(*) from pg_database where datname = $1", name) == 1
        )
    finally:
        await admin.close()
