"""Scores with their explanations (rule, version, reason, cause) and the rule catalogue."""

from __future__ import annotations

from collections.abc import Sequence

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import MemberScored, PointsRuleDefined

DDL = """
create table if not exists scores (
    event_id uuid primary key,
    village char(12) not null,
    member_id text not null,
    period int not null,
    rule_id text not null,
    rule_version int not null,
    points numeric(7, 2) not null,
    reason text not null,
    source_event_id text,
    scored_at timestamptz not null
);
create index if not exists scores_member on scores (village, member_id, period);
create index if not exists scores_period on scores (village, period);
create table if not exists rules (
    village char(12) not null,
    rule_id text not null,
    version int not null,
    name text not null,
    category text not null,
    points numeric(6, 2) not null,
    cap_per_period numeric(7, 2),
    defined_at timestamptz not null,
    primary key (village, rule_id, version)
);
"""


_INSERT_SCORE = "insert into scores values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"


def _score_row(event: Envelope, e: object) -> tuple[object, ...]:
    assert isinstance(e, MemberScored)
    return (event.id, event.village, e.member_id, e.period, e.rule_id, e.rule_version,
            e.points, e.reason, e.source_event_id, event.time)  # fmt: skip


async def scored(conn: Connection, event: Envelope, e: object) -> None:
    await conn.execute(_INSERT_SCORE, *_score_row(event, e))


async def scored_many(conn: Connection, events: Sequence[tuple[Envelope, object]]) -> None:
    await conn.executemany(_INSERT_SCORE, [_score_row(event, e) for event, e in events])


async def rule_defined(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, PointsRuleDefined)
    await conn.execute(
        "insert into rules values ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.village,
        e.rule_id,
        e.version,
        e.name,
        e.category,
        e.points,
        e.cap_per_period,
        event.time,
    )


HANDLERS = {MemberScored.event_type: scored, PointsRuleDefined.event_type: rule_defined}
MANY = {MemberScored.event_type: scored_many}
