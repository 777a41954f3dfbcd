"""Residents' issues as lists and cards: status, assignee, times, satisfaction, duplicates.

Personal fields (title, description, address, comment, contact) arrive sealed, as tokens: they
are stored as they come and never compared, searched or computed on; a reader's reveal opens
them.
"""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import (
    DuplicateLinked,
    IssueAssigned,
    IssueClosed,
    IssueConfirmed,
    IssueEscalated,
    IssueRaised,
    IssueReopened,
    IssueResolved,
)

DDL = """
create table if not exists issues (
    issue_id text primary key,
    village char(12) not null,
    grid_id char(15) not null,
    category text not null,
    title text not null,
    description text not null,
    lat numeric(10, 7),
    lon numeric(11, 7),
    address text,
    raised_by text not null,
    anonymous boolean not null,
    channel text not null,
    status text not null,
    level text,
    assignee_kind text,
    assignee_id text,
    assignee_role text,
    raised_at timestamptz not null,
    due_at timestamptz not null,
    first_assigned_at timestamptz,
    resolved_at timestamptz,
    confirmed_at timestamptz,
    closed_at timestamptz,
    updated_at timestamptz not null,
    resolution text,
    resolved_via text,
    works_id text,
    resolver_person_id text,
    resolver_party_member_id text,
    satisfaction int,
    comment text,
    duplicates text[] not null default '{}',
    version int not null
);
-- Added later: {first_name, last_name, email, phone} (each a token, or null), null when none.
alter table issues add column if not exists contact jsonb;
create index if not exists issues_village_status on issues (village, status, raised_at desc);
create index if not exists issues_village_grid on issues (village, grid_id);
-- The duplicate rule looks only at located issues: most are not, and a village's whole
-- category was scanned for every issue raised.
drop index if exists issues_nearby;
create index if not exists issues_nearby_located on issues (village, category, raised_at)
    where lat is not null;
"""


async def _update(conn: Connection, event: Envelope, sets: str, *args: object) -> None:
    await conn.execute(
        f"update issues set {sets}, updated_at = $2, version = $3 where issue_id = $1",
        event.subject.removeprefix("issue-"),
        event.time,
        event.streamversion,
        *args,
    )


async def raised(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IssueRaised)
    await conn.execute(
        "insert into issues (issue_id, village, grid_id, category, title, description, lat, lon,"
        " address, raised_by, anonymous, channel, status, raised_at, due_at, updated_at,"
        " duplicates, version, contact) values"
        " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'raised', $13, $14, $15, $16, $17,"
        " $18)",
        e.issue_id,
        event.village,
        e.grid_id,
        e.category,
        e.title,
        e.description,
        e.location.lat if e.location else None,
        e.location.lon if e.location else None,
        e.address,
        e.raised_by,
        e.anonymous,
        e.channel,
        e.raised_at,
        e.due_at,
        event.time,
        list(e.suspected_duplicates),
        event.streamversion,
        e.contact.model_dump(mode="json") if e.contact else None,
    )


async def duplicate_linked(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, DuplicateLinked)
    await _update(conn, event, "duplicates = array_append(duplicates, $4)", e.duplicate_issue_id)


async def assigned(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IssueAssigned)
    await _update(
        conn,
        event,
        "status = case when status in ('raised', 'assigned') then 'assigned' else status end, "
        "assignee_kind = $4, assignee_id = $5, assignee_role = $6, "
        "first_assigned_at = coalesce(first_assigned_at, $2)",
        e.assignee_kind,
        e.assignee_id,
        e.role,
    )


async def escalated(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IssueEscalated)
    await _update(conn, event, "status = 'escalated', level = $4", e.level)


async def resolved(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IssueResolved)
    await _update(
        conn,
        event,
        "status = 'resolved', resolved_at = $2, resolution = $4, resolved_via = $5, "
        "works_id = $6, resolver_person_id = $7, resolver_party_member_id = $8",
        e.resolution,
        e.via,
        e.works_id,
        e.resolved_by.person_id,
        e.resolved_by.party_member_id,
    )


async def confirmed(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IssueConfirmed)
    await _update(
        conn,
        event,
        "status = 'confirmed', confirmed_at = $2, satisfaction = $4, comment = $5",
        e.satisfaction,
        e.comment,
    )


async def reopened(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IssueReopened)
    await _update(conn, event, "status = 'reopened', satisfaction = null")


async def closed(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IssueClosed)
    await _update(conn, event, "status = 'closed', closed_at = $2")


HANDLERS = {
    IssueRaised.event_type: raised,
    DuplicateLinked.event_type: duplicate_linked,
    IssueAssigned.event_type: assigned,
    IssueEscalated.event_type: escalated,
    IssueResolved.event_type: resolved,
    IssueConfirmed.event_type: confirmed,
    IssueReopened.event_type: reopened,
    IssueClosed.event_type: closed,
}
