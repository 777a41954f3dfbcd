"""Study days (两日活动): each activity with its lecturer or destination, and attendance."""

from __future__ import annotations

from datetime import date

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import ActivityAttended, ActivityHeld

DDL = """
create table if not exists activities (
    village char(12) not null,
    activity_id text not null,
    kind text not null,
    title text not null,
    held_on date not null,
    lecturer_member_id text,
    destination text,
    attendees int not null default 0,
    primary key (village, activity_id)
);
"""


async def held(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ActivityHeld)
    await conn.execute(
        "insert into activities values ($1, $2, $3, $4, $5, $6, $7, 0)",
        event.village,
        e.activity_id,
        e.kind,
        e.title,
        date.fromisoformat(e.date),
        e.lecturer_member_id,
        e.destination,
    )


async def attended(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ActivityAttended)
    await conn.execute(
        "update activities set attendees = attendees + 1 where village = $1 and activity_id = $2",
        event.village,
        e.activity_id,
    )


HANDLERS = {ActivityHeld.event_type: held, ActivityAttended.event_type: attended}
