"""The one-time migration of a store written before personal data was sealed (issue 11).

Events recorded in clear are rewritten in place, village by village: each personal field sealed
under its subject's key, as the store seals new events, and the village's chain re-hashed from
its first event. The chain is verified before (a broken chain is refused: it would be hidden
by re-hashing it) and after, and the old and new heads are reported for the operator's record.
This is the one time history is rewritten, so it is done by an operator with the services
stopped (it holds the events table exclusively while it runs); events already sealed are kept
as they are, so running it twice changes nothing.

It does not reach copies made before it ran: the topics keep the old records in clear until
they are re-created and republished, and read models until they are rebuilt (docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import pii
from .chain import GENESIS, ChainReport, event_hash
from .db import Pool
from .keys import KeyStore
from .registry import EventRegistry, UnknownEventTypeError
from .store import EVENT_COLUMNS, EventStore


class BrokenChainError(RuntimeError):
    pass


@dataclass(frozen=True)
class Resealed:
    village: str
    events: int
    sealed: int
    before: ChainReport
    after: ChainReport


async def reseal_village(
    pool: Pool, keys: KeyStore, registry: EventRegistry, village: str
) -> Resealed:
    store = EventStore(pool)
    before = await store.verify_village(village)
    if not before.intact:
        raise BrokenChainError(f"{village}: the chain is broken before resealing: {before}")
    sealed = 0
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("alter table events disable trigger events_append_only")
        rows = await conn.fetch(
            f"select {', '.join(EVENT_COLUMNS)} from events where village = $1 order by chain_seq",
            village,
        )
        prev = GENESIS
        for row in rows:
            data = row["data"]
            try:
                model = registry.model(row["type"])
            except UnknownEventTypeError:
                model = None  # an old version known only by its upcaster: kept as it is
            if model is not None and pii.has_personal(model):
                subjects = pii.subjects(model, data)
                new = pii.seal(model, data, await keys.keys_for(village, subjects))
                sealed += new != data
                data = new
            digest = event_hash(
                prev_hash=prev,
                chain_seq=row["chain_seq"],
                event_id=row["event_id"],
                stream_id=row["stream_id"],
                version=row["version"],
                village=village,
                event_type=row["type"],
                data=data,
                meta=row["meta"],
                recorded_at=row["recorded_at"],
            )
            if (data, digest, prev) != (row["data"], row["hash"], row["prev_hash"]):
                await conn.execute(
                    "update events set data = $2, prev_hash = $3, hash = $4 where position = $1",
                    row["position"],
                    data,
                    prev,
                    digest,
                )
            prev = digest
        await conn.execute("update chain_heads set hash = $2 where village = $1", village, prev)
        await conn.execute("alter table events enable trigger events_append_only")
    after = await store.verify_village(village)
    return Resealed(village, len(rows), sealed, before, after)
