"""The key service on the real PostgreSQL: keys made once per person, events sealed before
they are hashed, a person forgotten by destroying their keys, every chain still intact."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import asyncpg
import pytest
from xiangzhi import db, pii
from xiangzhi.keys import KeyStore
from xiangzhi.pii import NotPersonal, Personal, Pseudonym
from xiangzhi.registry import EventPayload, EventRegistry
from xiangzhi.reseal import reseal_village
from xiangzhi.store import EventMeta, EventStore, NewEvent, PersonalDataError

VILLAGE = "141121100201"


class Complained(EventPayload):
    event_type = "test.complaint.made.v1"
    complaint_id: NotPersonal
    person_id: Pseudonym
    text: Personal
    phone: Personal | None = None

    @classmethod
    def data_subject(cls, data: Mapping[str, Any]) -> str | None:
        return str(data["person_id"])


@pytest.fixture
async def keys(key_service: dict[str, str]) -> AsyncIterator[KeyStore]:
    kek = pii.LocalKek.from_text(key_service["kek"])
    store = await KeyStore.open(key_service["keys_dsn"], kek)
    yield store
    await store.close()


async def test_one_key_per_person_and_village_even_when_asked_at_once(keys: KeyStore) -> None:
    results = await asyncio.gather(*(keys.keys_for(VILLAGE, ["res-1", "res-2"]) for _ in range(8)))
    assert len({r["res-1"].key_id for r in results}) == 1
    assert len({r["res-1"].secret for r in results}) == 1
    assert results[0]["res-1"].key_id != results[0]["res-2"].key_id
    other_village = await keys.keys_for("141121100202", ["res-1"])
    assert other_village["res-1"].key_id != results[0]["res-1"].key_id
    # The database names nobody: persons are blinded, keys wrapped.
    rows = await keys.pool.fetch("select subject_hash, wrapped from subject_keys")
    dump = b"".join(bytes(r["subject_hash"]) + bytes(r["wrapped"]) for r in rows)
    assert b"res-1" not in dump and results[0]["res-1"].secret not in dump


async def test_events_are_sealed_before_they_are_hashed_and_erased_by_forgetting(
    pool: db.Pool, keys: KeyStore, meta: EventMeta
) -> None:
    store = EventStore(pool, keys)
    for n, person in enumerate(["res-1", "res-2"]):
        await store.append(
            f"complaint-{n}",
            0,
            [
                Complained(
                    complaint_id=f"c{n}",
                    person_id=person,
                    text=f"{person} 家门口积水",
                    phone="13800000000",
                )
            ],
            village=VILLAGE,
            meta=meta,
        )
    rows = await pool.fetch("select data::text as data from events order by chain_seq")
    stored = "".join(r["data"] for r in rows)
    assert "积水" not in stored and "13800000000" not in stored
    assert stored.count(pii.TOKEN_PREFIX) == 4
    assert (await store.verify_village(VILLAGE)).intact

    opened = await keys.open_keys(pii.key_ids(stored))
    assert "res-1 家门口积水" in pii.reveal(stored, opened)

    forgotten = await keys.forget(
        VILLAGE, "res-1", reason="request", actor="county-admin", correlation_id="c-1"
    )
    assert len(forgotten.key_ids) == 1
    after = pii.reveal(stored, await keys.open_keys(pii.key_ids(stored)))
    assert "res-1 家门口积水" not in after and "res-2 家门口积水" in after
    assert after.count(pii.ERASED) == 2
    # The events did not change; their chain verifies; the key service's log records the
    # forgetting by key id alone, on a chain of its own.
    assert (await store.verify_village(VILLAGE)).intact
    assert (await keys.verify(VILLAGE)).intact
    audit = await keys.pool.fetch("select type, data, meta from events")
    assert [r["type"] for r in audit] == ["keys.data_subject.forgotten.v1"]
    assert audit[0]["data"]["key_ids"] == [str(forgotten.key_ids[0])]
    assert "res-1" not in json.dumps(audit[0]["data"])
    # Forgetting twice destroys nothing more and records nothing more.
    again = await keys.forget(
        VILLAGE, "res-1", reason="request", actor="county-admin", correlation_id="c-2"
    )
    assert again.key_ids == []
    assert await keys.pool.fetchval("select count(*) from events") == 1
    # Someone forgotten who returns gets a new key; the old one stays destroyed.
    fresh = await keys.keys_for(VILLAGE, ["res-1"])
    assert fresh["res-1"].key_id not in forgotten.key_ids
    assert await keys.key_ids_of(VILLAGE, "res-1") == [*forgotten.key_ids, fresh["res-1"].key_id]


async def test_a_store_without_the_key_service_refuses_personal_data(
    store: EventStore, meta: EventMeta
) -> None:
    event = Complained(complaint_id="c", person_id="res-1", text="t")
    with pytest.raises(PersonalDataError, match=r"test\.complaint\.made\.v1"):
        await store.append("complaint-x", 0, [event], village=VILLAGE, meta=meta)
    assert await store.pool.fetchval("select count(*) from events") == 0


async def test_a_key_forgotten_by_one_process_leaves_every_other_process_cache(
    key_service: dict[str, str], keys: KeyStore
) -> None:
    other = await KeyStore.open(key_service["keys_dsn"], keys.kek)
    try:
        cached = (await keys.keys_for(VILLAGE, ["res-9"]))["res-9"]
        assert (await keys.open_keys([cached.key_id]))[cached.key_id] == cached
        await other.forget(VILLAGE, "res-9", reason="request", actor="a", correlation_id="c")
        for _ in range(100):  # the notice arrives on the listening connection
            if (await keys.open_keys([cached.key_id]))[cached.key_id] is None:
                break
            await asyncio.sleep(0.05)
        assert (await keys.open_keys([cached.key_id]))[cached.key_id] is None
        fresh = (await keys.keys_for(VILLAGE, ["res-9"]))["res-9"]
        assert fresh.key_id != cached.key_id
    finally:
        await other.close()


async def test_events_recorded_in_clear_are_sealed_once_and_the_chain_rehashed(
    pool: db.Pool, keys: KeyStore, store: EventStore, meta: EventMeta
) -> None:
    """The one-time migration: what was stored before sealing existed is sealed in place."""
    registry = EventRegistry()
    registry.register(Complained)
    clear = Complained(complaint_id="c1", person_id="res-1", text="老宅漏雨", phone="13800000001")
    # As a store before issue 11 wrote it: the data in clear.
    await store.append("complaint-1", 0, [NewEvent(clear.event_type, clear.to_data())],
                       village=VILLAGE, meta=meta)  # fmt: skip
    await store.append("other-1", 0, [NewEvent("test.other.noted.v1", {"n": 1})],
                       village=VILLAGE, meta=meta)  # fmt: skip
    before = await store.verify_village(VILLAGE)

    done = await reseal_village(pool, keys, registry, VILLAGE)
    assert (done.events, done.sealed) == (2, 1)
    assert done.before.intact and done.after.intact
    assert done.after.head_hash != before.head_hash
    stored = "".join(r["d"] for r in await pool.fetch("select data::text as d from events"))
    assert "老宅漏雨" not in stored and "13800000001" not in stored
    assert "老宅漏雨" in pii.reveal(stored, await keys.open_keys(pii.key_ids(stored)))
    # New events chain on from the new head; a second run changes nothing.
    await store.append("other-2", 0, [NewEvent("test.other.noted.v1", {"n": 2})],
                       village=VILLAGE, meta=meta)  # fmt: skip
    again = await reseal_village(pool, keys, registry, VILLAGE)
    assert (again.sealed, again.after.head_hash) == (0, again.before.head_hash)
    assert again.after.intact and again.after.checked == 3
    # And the events table is append-only again.
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await pool.execute("delete from events")
