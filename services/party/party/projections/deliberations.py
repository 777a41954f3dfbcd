"""Deliberations (协商) through their six steps, the plan, and the public announcement."""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import DeliberationAnnounced, DeliberationOpened, StepCompleted

DDL = """
create table if not exists deliberations (
    village char(12) not null,
    deliberation_id text not null,
    kind text not null,
    topic text not null,
    matter text not null,
    steps_done text[] not null default '{}',
    plan_items text[] not null default '{}',
    announcement text,
    published_at timestamptz,
    primary key (village, deliberation_id)
);
"""


async def opened(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, DeliberationOpened)
    await conn.execute(
        "insert into deliberations (village, deliberation_id, kind, topic, matter) "
        "values ($1, $2, $3, $4, $5)",
        event.village,
        e.deliberation_id,
        e.kind,
        e.topic,
        e.matter,
    )


async def step_completed(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, StepCompleted)
    await conn.execute(
        "update deliberations set steps_done = array_append(steps_done, $3), "
        "plan_items = plan_items || $4::text[] where village = $1 and deliberation_id = $2",
        event.village,
        e.deliberation_id,
        e.step,
        list(e.plan_items),
    )


async def announced(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, DeliberationAnnounced)
    await conn.execute(
        "update deliberations set announcement = $3, published_at = $4 "
        "where village = $1 and deliberation_id = $2",
        event.village,
        e.deliberation_id,
        e.announcement,
        e.published_at,
    )


HANDLERS = {
    DeliberationOpened.event_type: opened,
    StepCompleted.event_type: step_completed,
    DeliberationAnnounced.event_type: announced,
}
