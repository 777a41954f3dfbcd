"""The party read model: every score with its explanation, and the rule catalogue."""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection

from .domain.events import MemberScored, PointsRuleDefined, registry


class PartyReadModel(Projection):
    name = "party"
    ddl = """
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

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if not event.type.startswith("party."):
            return
        payload = registry.parse(event.type, event.data)
        if isinstance(payload, MemberScored):
            await conn.execute(
                "insert into scores values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                event.id, event.village, payload.member_id, payload.period, payload.rule_id,
                payload.rule_version, payload.points, payload.reason, payload.source_event_id,
                event.time,
            )  # fmt: skip
        elif isinstance(payload, PointsRuleDefined):
            await conn.execute(
                "insert into rules values ($1, $2, $3, $4, $5, $6, $7, $8)",
                event.village, payload.rule_id, payload.version, payload.name, payload.category,
                payload.points, payload.cap_per_period, event.time,
            )  # fmt: skip
