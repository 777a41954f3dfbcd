"""The key service: each person's data key, kept apart from the events it opens.

Its own database (``keys``), reached by every service that writes or reads personal data. A
person is looked up by a blinded reference (an HMAC of village and person), so the database
names nobody; keys are stored wrapped by the key-encryption key. Forgetting a person deletes
their wrapped keys and records it in the key service's own hash-chained log, as an event that
names key ids only: every field sealed with those keys is then erased wherever it was copied —
the services' event stores, Kafka, read models, backups — and the chains still verify.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any, Literal
from uuid import UUID, uuid4

import asyncpg
from pydantic import Field

from . import db, pii
from .chain import ChainReport
from .registry import EventPayload, EventRegistry
from .store import EventMeta, EventStore, NewEvent

registry = EventRegistry()

Reason = Literal["request", "consent_withdrawn", "retention_ended", "unlawful"]


@registry.register
class SubjectForgotten(EventPayload):
    """A person's keys destroyed (删除个人信息): what was sealed with them is erased."""

    event_type = "keys.data_subject.forgotten.v1"
    key_ids: tuple[pii.NotPersonal, ...] = Field(min_length=1)
    reason: Reason


@registry.register
class SubjectExported(EventPayload):
    """A person's data handed out on their request (查阅、复制): who asked is the event's actor."""

    event_type = "keys.data_subject.exported.v1"
    key_ids: tuple[pii.NotPersonal, ...]


def migrations() -> list[db.Migration]:
    """The kit's event store (for the audit log) and the keys' table."""
    return [
        *db.kit_migrations(),
        *db.migrations_in("keys", resources.files("xiangzhi") / "keys_migrations"),
    ]


@dataclass(frozen=True)
class Forgotten:
    key_ids: list[UUID]
    forgotten_at: datetime | None


FORGOTTEN_CHANNEL = "xiangzhi_keys_forgotten"


class KeyStore:
    """Keys are cached once unwrapped (a person's next event needs no round trip); a key
    forgotten anywhere is dropped from every process's cache by a NOTIFY, and a process that
    loses that notice (its listening connection breaks) drops its whole cache."""

    def __init__(self, pool: db.Pool, kek: pii.KeyEncryptionKey, cache_size: int = 50_000) -> None:
        self.pool = pool
        self.kek = kek
        self._cache_size = cache_size
        self._by_subject: dict[tuple[str, bytes], pii.DataKey] = {}
        self._by_id: dict[UUID, pii.DataKey] = {}
        # Forgotten while a query that read them may still be on its way back: never cached.
        self._forgotten: set[UUID] = set()
        self._listener: asyncpg.Connection[asyncpg.Record] | None = None

    @classmethod
    async def open(cls, dsn: str, kek: pii.KeyEncryptionKey, *, max_size: int = 5) -> KeyStore:
        pool = await db.create_pool(dsn, min_size=1, max_size=max_size)
        async with pool.acquire() as conn:
            await db.migrate(conn, migrations())
        store = cls(pool, kek)
        store._listener = await asyncpg.connect(dsn)
        store._listener.add_termination_listener(lambda _conn: store._drop_all())
        await store._listener.add_listener(FORGOTTEN_CHANNEL, store._on_forgotten)
        return store

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
        await self.pool.close()

    def _on_forgotten(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        forgotten = {UUID(k) for k in str(payload).split(",") if k}
        self._forgotten |= forgotten
        self._by_subject = {s: k for s, k in self._by_subject.items() if k.key_id not in forgotten}
        for key_id in forgotten:
            self._by_id.pop(key_id, None)

    def _drop_all(self) -> None:
        self._by_subject.clear()
        self._by_id.clear()

    def _remember(self, village: str, blinded: bytes, key: pii.DataKey) -> None:
        if key.key_id in self._forgotten:
            return
        if len(self._by_id) >= self._cache_size:
            self._drop_all()
        self._by_subject[(village, blinded)] = key
        self._by_id[key.key_id] = key

    def _context(self, key_id: UUID, village: str) -> bytes:
        return key_id.bytes + village.encode()

    def _unwrap(self, row: Any) -> pii.DataKey:
        if row["kek_id"] != self.kek.kek_id:
            raise ValueError(f"data key {row['key_id']} is wrapped by {row['kek_id']}")
        secret = self.kek.unwrap(
            bytes(row["wrapped"]), self._context(row["key_id"], row["village"])
        )
        return pii.DataKey(row["key_id"], secret)

    def _blind(self, village: str, subject: str) -> bytes:
        return self.kek.blind(f"{village}\x00{subject}")

    async def keys_for(self, village: str, subjects: Iterable[str]) -> dict[str, pii.DataKey]:
        """Each subject's live key in the village, made the first time it is needed."""
        wanted = {self._blind(village, s): s for s in set(subjects)}
        if not wanted:
            return {}
        found: dict[str, pii.DataKey] = {}
        if self._listener is not None and not self._listener.is_closed():
            for blinded, subject in wanted.items():
                cached = self._by_subject.get((village, blinded))
                if cached is not None:
                    found[subject] = cached
        for _ in range(3):
            missing = [h for h in wanted if wanted[h] not in found]
            if not missing:
                break
            fresh = [pii.DataKey.new(uuid4()) for _ in missing]
            rows = await self.pool.fetch(
                _KEYS_FOR,
                village,
                missing,
                [k.key_id for k in fresh],
                [self.kek.wrap(k.secret, self._context(k.key_id, village)) for k in fresh],
                self.kek.kek_id,
            )
            for row in rows:
                key = self._unwrap(row)
                found[wanted[bytes(row["subject_hash"])]] = key
                self._remember(village, bytes(row["subject_hash"]), key)
            # A key another process made in the same instant is not in this statement's
            # snapshot: the next round reads it.
        missing_subjects = set(wanted.values()) - set(found)
        if missing_subjects:
            raise RuntimeError(f"no data key could be made for {len(missing_subjects)} subjects")
        return found

    async def open_keys(self, key_ids: Iterable[UUID]) -> dict[UUID, pii.DataKey | None]:
        """The keys by id; None for a forgotten one (and for one this store never made)."""
        opened: dict[UUID, pii.DataKey | None] = dict.fromkeys(set(key_ids))
        listening = self._listener is not None and not self._listener.is_closed()
        if listening:
            opened |= {i: self._by_id[i] for i in opened if i in self._by_id}
        missing = [i for i, key in opened.items() if key is None]
        if not missing:
            return opened
        rows = await self.pool.fetch(
            "select key_id, village, subject_hash, kek_id, wrapped from subject_keys "
            "where key_id = any($1)",
            missing,
        )
        for row in rows:
            if row["wrapped"] is not None:
                key = self._unwrap(row)
                opened[row["key_id"]] = key
                if listening:
                    self._remember(row["village"], bytes(row["subject_hash"]), key)
        return opened

    async def key_ids_of(self, village: str, subject: str) -> list[UUID]:
        """Every key the person has had in the village, forgotten ones included."""
        rows = await self.pool.fetch(
            "select key_id from subject_keys where village = $1 and subject_hash = $2 "
            "order by created_at",
            village,
            self._blind(village, subject),
        )
        return [r["key_id"] for r in rows]

    async def forget(
        self, village: str, subject: str, *, reason: Reason, actor: str, correlation_id: str
    ) -> Forgotten:
        """Destroy the person's live keys in the village and record it; idempotent (a person
        already forgotten has nothing left to destroy, and nothing is recorded twice)."""
        meta = EventMeta(correlation_id=correlation_id, actor=actor)
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "update subject_keys set wrapped = null, forgotten_at = now() "
                "where village = $1 and subject_hash = $2 and forgotten_at is null "
                "returning key_id, forgotten_at",
                village,
                self._blind(village, subject),
            )
            if not rows:
                return Forgotten([], None)
            ids = sorted(r["key_id"] for r in rows)
            # Delivered at commit, to every process holding the keys in its cache.
            await conn.execute(
                "select pg_notify($1, $2)", FORGOTTEN_CHANNEL, ",".join(str(i) for i in ids)
            )
            event = SubjectForgotten(key_ids=tuple(str(i) for i in ids), reason=reason)
            await EventStore(self.pool).append(
                f"data-subject-{ids[0]}", 0, [event], village=village, meta=meta, conn=conn
            )
        # The wrapped key's old row version stays in the table's pages until vacuumed.
        await self.pool.execute("vacuum subject_keys")
        return Forgotten(ids, rows[0]["forgotten_at"])

    async def record_export(
        self, village: str, key_ids: Sequence[UUID], *, actor: str, correlation_id: str
    ) -> None:
        event = SubjectExported(key_ids=tuple(str(i) for i in sorted(key_ids)))
        await EventStore(self.pool).append(
            f"data-subject-export-{uuid4()}",
            0,
            [event],
            village=village,
            meta=EventMeta(correlation_id=correlation_id, actor=actor),
        )

    async def seal(self, village: str, events: Sequence[NewEvent | EventPayload]) -> list[NewEvent]:
        """The events as they are stored: each personal field sealed under its subject's key."""
        plain = [e if isinstance(e, NewEvent) else NewEvent.of(e) for e in events]
        models = [
            type(e) if isinstance(e, EventPayload) and pii.has_personal(type(e)) else None
            for e in events
        ]
        wanted: set[str] = set()
        for model, event in zip(models, plain, strict=True):
            if model is not None:
                wanted |= pii.subjects(model, event.data)
        keys = await self.keys_for(village, wanted)
        return [
            event
            if model is None
            else NewEvent(event.type, pii.seal(model, event.data, keys), event.event_id)
            for model, event in zip(models, plain, strict=True)
        ]

    async def verify(self, village: str) -> ChainReport:
        return await EventStore(self.pool).verify_village(village)


_KEYS_FOR = """
with wanted as (
    select * from unnest($2::bytea[], $3::uuid[], $4::bytea[]) as w(subject_hash, key_id, wrapped)
), existing as (
    select k.key_id, k.village, k.subject_hash, k.kek_id, k.wrapped from subject_keys k
    where k.village = $1 and k.subject_hash = any($2) and k.forgotten_at is null
), made as (
    insert into subject_keys (key_id, village, subject_hash, kek_id, wrapped)
    select w.key_id, $1, w.subject_hash, $5, w.wrapped from wanted w
    where w.subject_hash not in (select subject_hash from existing)
    on conflict (village, subject_hash) where forgotten_at is null do nothing
    returning key_id, village, subject_hash, kek_id, wrapped
)
select * from existing union all select * from made
"""
