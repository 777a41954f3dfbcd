"""The grid directory: grids and micro-grids, and who holds each of the three chiefs' roles."""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import ChiefAssigned, GridEstablished

DDL = """
create table if not exists grids (
    grid_id char(15) primary key,
    village char(12) not null,
    name text not null,
    level text not null,
    parent_id char(15),
    merged_from text[] not null,
    households int not null,
    established_at timestamptz not null
);
create index if not exists grids_village on grids (village, level);
create table if not exists chiefs (
    grid_id char(15) not null,
    role text not null,
    village char(12) not null,
    person_id text not null,
    name text not null,
    is_party_member boolean not null,
    party_member_id text,
    since timestamptz not null,
    primary key (grid_id, role)
);
create table if not exists chief_history (
    grid_id char(15) not null,
    role text not null,
    village char(12) not null,
    person_id text not null,
    name text not null,
    from_at timestamptz not null,
    to_at timestamptz
);
"""


async def established(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, GridEstablished)
    await conn.execute(
        "insert into grids values ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.grid_id,
        event.village,
        e.name,
        e.level,
        e.parent_id,
        list(e.merged_from),
        e.households,
        event.time,
    )


async def chief_assigned(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ChiefAssigned)
    await conn.execute(
        "insert into chiefs values ($1, $2, $3, $4, $5, $6, $7, $8) "
        "on conflict (grid_id, role) do update set person_id = excluded.person_id, "
        "name = excluded.name, is_party_member = excluded.is_party_member, "
        "party_member_id = excluded.party_member_id, since = excluded.since",
        e.grid_id,
        e.role,
        event.village,
        e.person_id,
        e.name,
        e.is_party_member,
        e.party_member_id,
        event.time,
    )
    await conn.execute(
        "update chief_history set to_at = $3 where grid_id = $1 and role = $2 and to_at is null",
        e.grid_id,
        e.role,
        event.time,
    )
    await conn.execute(
        "insert into chief_history values ($1, $2, $3, $4, $5, $6, null)",
        e.grid_id,
        e.role,
        event.village,
        e.person_id,
        e.name,
        event.time,
    )


HANDLERS = {
    GridEstablished.event_type: established,
    ChiefAssigned.event_type: chief_assigned,
}
