"""The livelihood service's read model (schema ``proj_livelihood``): works with their stage and
progress, remediation actions, practical things."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection

from ..domain import events as e

DDL = """
create table if not exists works (
    village char(12) not null,
    works_id text not null,
    category text not null,
    title text not null,
    unit text not null,
    planned_quantity numeric(13, 3) not null,
    budget_yuan numeric(12, 2) not null,
    issue_ids text[] not null,
    deliberation_id text,
    source text not null,
    stage text not null,
    funding text[] not null default '{}',
    funded_yuan numeric(12, 2) not null default 0,
    contractor text,
    started_on date,
    quantity_done numeric(13, 3) not null default 0,
    cost_yuan numeric(12, 2),
    completed_on date,
    updated_at timestamptz not null,
    primary key (village, works_id)
);
create index if not exists works_stage on works (village, stage);
create table if not exists works_log (
    event_id uuid primary key,
    village char(12) not null,
    works_id text not null,
    what text not null,
    quantity numeric(13, 3),
    amount_yuan numeric(12, 2),
    note text,
    photos text[] not null default '{}',
    at timestamptz not null
);
create index if not exists works_log_works on works_log (village, works_id, at);
create table if not exists remediation_campaigns (
    village char(12) not null,
    campaign_id text not null,
    name text not null,
    starts_on date not null,
    partners text[] not null,
    primary key (village, campaign_id)
);
create table if not exists remediation (
    village char(12) not null,
    action_id text not null,
    campaign_id text not null,
    kind text not null,
    count int not null,
    quantity numeric(13, 3),
    unit text,
    partner text,
    done_on date not null,
    primary key (village, campaign_id, action_id)
);
create table if not exists practical (
    village char(12) not null,
    item_id text not null,
    title text not null,
    owner_id text not null,
    deadline date not null,
    resident_id text,
    words text,
    deliberation_id text,
    issue_id text,
    done_on date,
    beneficiaries int,
    satisfied boolean,
    primary key (village, item_id)
);
"""

Apply = Callable[[Connection, Envelope, object], Awaitable[None]]


async def _log(
    conn: Connection, event: Envelope, works_id: str, what: str, **values: object
) -> None:
    await conn.execute(
        "insert into works_log (event_id, village, works_id, what, quantity, amount_yuan, note, "
        "photos, at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        event.id, event.village, works_id, what, values.get("quantity"), values.get("amount"),
        values.get("note"), list(values.get("photos") or ()), event.time,  # type: ignore[call-overload]
    )  # fmt: skip


async def _set(conn: Connection, event: Envelope, works_id: str, sql: str, *args: object) -> None:
    await conn.execute(
        f"update works set {sql}, updated_at = $3 where village = $1 and works_id = $2",
        event.village, works_id, event.time, *args,
    )  # fmt: skip


async def proposed(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksProposed)
    await conn.execute(
        "insert into works (village, works_id, category, title, unit, planned_quantity, "
        "budget_yuan, issue_ids, deliberation_id, source, stage, updated_at) values ($1, $2, $3, "
        "$4, $5, $6, $7, $8, $9, $10, 'proposed', $11)",
        event.village, p.works_id, p.category, p.title, p.unit, p.planned_quantity,
        p.budget_yuan, list(p.issue_ids), p.deliberation_id, p.source, event.time,
    )  # fmt: skip
    await _log(conn, event, p.works_id, "proposed", quantity=p.planned_quantity,
               amount=p.budget_yuan)  # fmt: skip


async def approved(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksApproved)
    await _set(conn, event, p.works_id, "stage = 'approved', deliberation_id = $4, funding = $5",
               p.deliberation_id, list(p.funding))  # fmt: skip
    await _log(conn, event, p.works_id, "approved", note=p.deliberation_id)


async def funded(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksFunded)
    await _set(conn, event, p.works_id, "funded_yuan = funded_yuan + $4", p.amount_yuan)
    await _log(conn, event, p.works_id, f"funded:{p.source}", amount=p.amount_yuan, note=p.partner)


async def started(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksStarted)
    await _set(conn, event, p.works_id, "stage = 'in_progress', started_on = $4, contractor = $5",
               p.started_on, p.contractor)  # fmt: skip
    await _log(conn, event, p.works_id, "started", note=p.contractor)


async def progress(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksProgressReported)
    await _set(conn, event, p.works_id, "quantity_done = $4", p.quantity_done)
    await _log(conn, event, p.works_id, "progress", quantity=p.quantity_done, note=p.note,
               photos=p.photos)  # fmt: skip


async def changed(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksChangeApproved)
    await _set(conn, event, p.works_id, "budget_yuan = $4, planned_quantity = $5",
               p.budget_yuan, p.planned_quantity)  # fmt: skip
    await _log(conn, event, p.works_id, "change", quantity=p.planned_quantity,
               amount=p.budget_yuan, note=p.reason)  # fmt: skip


async def completed(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksCompleted)
    await _set(conn, event, p.works_id,
               "stage = 'completed', quantity_done = $4, cost_yuan = $5, completed_on = $6",
               p.quantity, p.cost_yuan, p.completed_on)  # fmt: skip
    await _log(conn, event, p.works_id, "completed", quantity=p.quantity, amount=p.cost_yuan)


async def accepted(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.WorksAccepted)
    stage = "accepted" if p.passed else "in_progress"
    await _set(conn, event, p.works_id, "stage = $4", stage)
    await _log(conn, event, p.works_id, "accepted" if p.passed else "failed", note=p.note)


async def campaign(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.RemediationCampaignStarted)
    await conn.execute(
        "insert into remediation_campaigns values ($1, $2, $3, $4, $5)",
        event.village, p.campaign_id, p.name, p.starts_on, list(p.partners),
    )  # fmt: skip


async def remediated(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.RemediationRecorded)
    await conn.execute(
        "insert into remediation values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        event.village, p.action_id, p.campaign_id, p.kind, p.count, p.quantity, p.unit,
        p.partner, p.done_on,
    )  # fmt: skip


async def promised(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.PracticalThingPromised)
    requester = p.requester
    await conn.execute(
        "insert into practical (village, item_id, title, owner_id, deadline, resident_id, words, "
        "deliberation_id, issue_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        event.village, p.item_id, p.title, p.owner_id, p.deadline,
        requester.resident_id if requester else None, requester.words if requester else None,
        p.deliberation_id, p.issue_id,
    )  # fmt: skip


async def done(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.PracticalThingDone)
    await conn.execute(
        "update practical set done_on = $3, beneficiaries = $4 where village = $1 and item_id = $2",
        event.village, p.item_id, p.done_on, p.beneficiaries,
    )  # fmt: skip


async def acknowledged(conn: Connection, event: Envelope, p: object) -> None:
    assert isinstance(p, e.PracticalThingAcknowledged)
    await conn.execute(
        "update practical set satisfied = $3 where village = $1 and item_id = $2",
        event.village, p.item_id, p.satisfied,
    )  # fmt: skip


HANDLERS: dict[str, Apply] = {
    e.WorksProposed.event_type: proposed,
    e.WorksApproved.event_type: approved,
    e.WorksFunded.event_type: funded,
    e.WorksStarted.event_type: started,
    e.WorksProgressReported.event_type: progress,
    e.WorksChangeApproved.event_type: changed,
    e.WorksCompleted.event_type: completed,
    e.WorksAccepted.event_type: accepted,
    e.RemediationCampaignStarted.event_type: campaign,
    e.RemediationRecorded.event_type: remediated,
    e.PracticalThingPromised.event_type: promised,
    e.PracticalThingDone.event_type: done,
    e.PracticalThingAcknowledged.event_type: acknowledged,
}


class LivelihoodReadModel(Projection):
    name = "livelihood"
    ddl = DDL

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if not event.type.startswith("livelihood."):
            return
        handler = HANDLERS.get(e.registry.upcast(event.type, event.data)[0])
        if handler is not None:
            await handler(conn, event, e.registry.parse(event.type, event.data))
