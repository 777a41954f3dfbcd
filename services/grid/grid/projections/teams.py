"""Volunteer team rosters and the hours each member has served."""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import ServiceLogged, VolunteerJoined, VolunteerTeamFormed

DDL = """
create table if not exists teams (
    village char(12) not null,
    team_id text not null,
    name text not null,
    kind text not null,
    formed_at timestamptz not null,
    primary key (village, team_id)
);
create table if not exists team_members (
    village char(12) not null,
    team_id text not null,
    person_id text not null,
    name text not null,
    background text not null,
    party_member_id text,
    joined_at timestamptz not null,
    hours numeric(10, 2) not null default 0,
    primary key (village, team_id, person_id)
);
create table if not exists service_log (
    event_id uuid primary key,
    village char(12) not null,
    team_id text not null,
    person_id text not null,
    hours numeric(6, 2) not null,
    description text not null,
    issue_id text,
    served_on timestamptz not null
);
"""


async def formed(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, VolunteerTeamFormed)
    await conn.execute(
        "insert into teams values ($1, $2, $3, $4, $5)",
        event.village,
        e.team_id,
        e.name,
        e.kind,
        event.time,
    )


async def joined(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, VolunteerJoined)
    await conn.execute(
        "insert into team_members values ($1, $2, $3, $4, $5, $6, $7, 0)",
        event.village,
        e.team_id,
        e.person_id,
        e.name,
        e.background,
        e.party_member_id,
        event.time,
    )


async def logged(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ServiceLogged)
    await conn.execute(
        "insert into service_log values ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.id,
        event.village,
        e.team_id,
        e.person_id,
        e.hours,
        e.description,
        e.issue_id,
        e.served_on,
    )
    await conn.execute(
        "update team_members set hours = hours + $4 "
        "where village = $1 and team_id = $2 and person_id = $3",
        event.village,
        e.team_id,
        e.person_id,
        e.hours,
    )


HANDLERS = {
    VolunteerTeamFormed.event_type: formed,
    VolunteerJoined.event_type: joined,
    ServiceLogged.event_type: logged,
}
