"""The party organisation (general branch, branches, party groups over grids) and its members."""

from __future__ import annotations

from datetime import date

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import MemberRegistered, MemberTransferred, OrganizationEstablished

DDL = """
create table if not exists organizations (
    village char(12) not null,
    org_id text not null,
    name text not null,
    kind text not null,
    parent_id text,
    grid_id char(15),
    primary key (village, org_id)
);
create table if not exists members (
    village char(12) not null,
    member_id text not null,
    name text not null,
    org_id text not null,
    status text not null,
    joined_on date not null,
    veteran boolean not null,
    primary key (village, member_id)
);
"""


async def established(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, OrganizationEstablished)
    await conn.execute(
        "insert into organizations values ($1, $2, $3, $4, $5, $6)",
        event.village,
        e.org_id,
        e.name,
        e.kind,
        e.parent_id,
        e.grid_id,
    )


async def registered(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, MemberRegistered)
    await conn.execute(
        "insert into members values ($1, $2, $3, $4, $5, $6, $7)",
        event.village,
        e.member_id,
        e.name,
        e.org_id,
        e.status,
        date.fromisoformat(e.joined_on),
        e.veteran,
    )


async def transferred(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, MemberTransferred)
    await conn.execute(
        "update members set org_id = $3 where village = $1 and member_id = $2",
        event.village,
        e.member_id,
        e.to_org_id,
    )


HANDLERS = {
    OrganizationEstablished.event_type: established,
    MemberRegistered.event_type: registered,
    MemberTransferred.event_type: transferred,
}
