"""The public notice of the year's points (公示) and its objections, as the notice board shows
them: who was objected to, when, and the answer. The objector and their words are personal data
(sealed in the event) and are not kept here: the board never shows them."""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import NoticeClosed, NoticePublished, ObjectionAnswered, ObjectionRaised

DDL = """
create table if not exists points_notices (
    village char(12) not null,
    period int not null,
    published_at timestamptz not null,
    ends_at timestamptz not null,
    closed_at timestamptz,
    primary key (village, period)
);
create table if not exists notice_objections (
    village char(12) not null,
    objection_id text not null,
    period int not null,
    member_id text not null,
    raised_at timestamptz not null,
    answered_at timestamptz,
    answer text,
    adjusted boolean,
    points numeric(7, 2),
    primary key (village, objection_id)
);
"""


async def published(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, NoticePublished)
    await conn.execute(
        "insert into points_notices (village, period, published_at, ends_at) "
        "values ($1, $2, $3, $4)",
        event.village,
        e.period,
        e.published_at,
        e.ends_at,
    )


async def objected(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ObjectionRaised)
    await conn.execute(
        "insert into notice_objections (village, objection_id, period, member_id, raised_at) "
        "values ($1, $2, $3, $4, $5)",
        event.village,
        e.objection_id,
        e.period,
        e.member_id,
        event.time,
    )


async def answered(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ObjectionAnswered)
    await conn.execute(
        "update notice_objections set answered_at = $3, answer = $4, adjusted = $5, points = $6 "
        "where village = $1 and objection_id = $2",
        event.village,
        e.objection_id,
        event.time,
        e.answer,
        e.adjusted,
        e.points,
    )


async def closed(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, NoticeClosed)
    await conn.execute(
        "update points_notices set closed_at = $3 where village = $1 and period = $2",
        event.village,
        e.period,
        event.time,
    )


HANDLERS = {
    NoticePublished.event_type: published,
    ObjectionRaised.event_type: objected,
    ObjectionAnswered.event_type: answered,
    NoticeClosed.event_type: closed,
}
