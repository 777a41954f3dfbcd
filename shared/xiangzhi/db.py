"""Connections: one pool per service, JSON codecs set once, migrations applied once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Protocol, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"
# What a pool hands out and what asyncpg.connect returns: both run queries the same way.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


class Row(Protocol):
    def __getitem__(self, key: str) -> Any: ...


async def _init_connection(conn: Connection) -> None:
    # JSON in, JSON out: payloads are already JSON-ready (decimals as strings), so the stdlib
    # codec is exact and fast.
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _release(conn: Connection) -> None:
    """What a connection needs before the next acquirer gets it. asyncpg's default sends
    ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every release: a round trip
    per query made through the pool (measured in issue 15). The kit leaves no session state on
    pooled connections — settings are ``set local``, locks transaction-scoped (the migration
    lock is released in ``finally``), listeners on connections of their own — and asyncpg still
    rolls back a transaction a cancelled request left open before it calls this."""


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10, **kwargs: Any) -> Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_release,
        **kwargs,
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


@dataclass(frozen=True)
class Migration:
    namespace: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def migrations_in(namespace: str, folder: Traversable) -> list[Migration]:
    """``NNNN_name.sql`` files of a package folder, in order."""
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(
                Migration(namespace, int(number), rest.removesuffix(".sql"), entry.read_text())
            )
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"{namespace}: migrations must be numbered 1..n, found {versions}")
    return found


def kit_migrations() -> list[Migration]:
    return migrations_in("kit", resources.files("xiangzhi") / "migrations")


# One lock for every migrating process of every service: start-ups queue, they never race.
_MIGRATION_LOCK = 0x78_7A_6D_69_67  # "xzmig"


async def migrate(conn: Connection, migrations: list[Migration]) -> list[Migration]:
    """Apply the migrations not yet recorded, each in its own transaction; return those applied.

    A recorded migration whose text has changed since is an error: history is not edited.
    """
    # Locked first: processes starting together on one database (the key service's is shared
    # by every service) would race even on ``create table if not exists``.
    await conn.execute("select pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        return await _migrate_locked(conn, migrations)
    finally:
        await conn.execute("select pg_advisory_unlock($1)", _MIGRATION_LOCK)


async def _migrate_locked(conn: Connection, migrations: list[Migration]) -> list[Migration]:
    await conn.execute(
        """
        create table if not exists schema_migrations (
            namespace text not null,
            version int not null,
            name text not null,
            checksum text not null,
            applied_at timestamptz not null default now(),
            primary key (namespace, version)
        )
        """
    )
    applied: list[Migration] = []
    for migration in migrations:
        recorded = await conn.fetchval(
            "select checksum from schema_migrations where namespace = $1 and version = $2",
            migration.namespace,
            migration.version,
        )
        if recorded == migration.checksum:
            continue
        if recorded is not None:
            raise MigrationError(
                f"{migration.namespace} migration {migration.version} ({migration.name}) "
                "was changed after it was applied"
            )
        async with conn.transaction():
            await conn.execute(migration.sql)
            await conn.execute(
                "insert into schema_migrations (namespace, version, name, checksum) "
                "values ($1, $2, $3, $4)",
                migration.namespace,
                migration.version,
                migration.name,
                migration.checksum,
            )
        applied.append(migration)
    return applied
