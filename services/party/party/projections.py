"""The party read model: scores with their explanations, the rule catalogue, study days,
deliberations and their announcements."""

from __future__ import annotations

from datetime import date

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection

from .domain.events import (
    ActivityAttended,
    ActivityHeld,
    DeliberationAnnounced,
    DeliberationOpened,
    MemberRegistered,
    MemberScored,
    MemberTransferred,
    OrganizationEstablished,
    PointsRuleDefined,
    StepCompleted,
    registry,
)


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
        elif isinstance(payload, OrganizationEstablished):
            await conn.execute(
                "insert into organizations values ($1, $2, $3, $4, $5, $6)",
                event.village, payload.org_id, payload.name, payload.kind, payload.parent_id,
                payload.grid_id,
            )  # fmt: skip
        elif isinstance(payload, MemberRegistered):
            await conn.execute(
                "insert into members values ($1, $2, $3, $4, $5, $6, $7)",
                event.village, payload.member_id, payload.name, payload.org_id, payload.status,
                date.fromisoformat(payload.joined_on), payload.veteran,
            )  # fmt: skip
        elif isinstance(payload, MemberTransferred):
            await conn.execute(
                "update members set org_id = $3 where village = $1 and member_id = $2",
                event.village, payload.member_id, payload.to_org_id,
            )  # fmt: skip
        elif isinstance(payload, ActivityHeld):
            await conn.execute(
                "insert into activities values ($1, $2, $3, $4, $5, $6, $7, 0)",
                event.village, payload.activity_id, payload.kind, payload.title,
                date.fromisoformat(payload.date), payload.lecturer_member_id, payload.destination,
            )  # fmt: skip
        elif isinstance(payload, ActivityAttended):
            await conn.execute(
                "update activities set attendees = attendees + 1 "
                "where village = $1 and activity_id = $2",
                event.village, payload.activity_id,
            )  # fmt: skip
        elif isinstance(payload, DeliberationOpened):
            await conn.execute(
                "insert into deliberations (village, deliberation_id, kind, topic, matter) "
                "values ($1, $2, $3, $4, $5)",
                event.village, payload.deliberation_id, payload.kind, payload.topic, payload.matter,
            )  # fmt: skip
        elif isinstance(payload, StepCompleted):
            await conn.execute(
                "update deliberations set steps_done = array_append(steps_done, $3), "
                "plan_items = plan_items || $4::text[] where village = $1 and deliberation_id = $2",
                event.village, payload.deliberation_id, payload.step, list(payload.plan_items),
            )  # fmt: skip
        elif isinstance(payload, DeliberationAnnounced):
            await conn.execute(
                "update deliberations set announcement = $3, published_at = $4 "
                "where village = $1 and deliberation_id = $2",
                event.village, payload.deliberation_id, payload.announcement, payload.published_at,
            )  # fmt: skip
        elif isinstance(payload, PointsRuleDefined):
            await conn.execute(
                "insert into rules values ($1, $2, $3, $4, $5, $6, $7, $8)",
                event.village, payload.rule_id, payload.version, payload.name, payload.category,
                payload.points, payload.cap_per_period, event.time,
            )  # fmt: skip
