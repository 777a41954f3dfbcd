"""Assets, contracts with their review and clearing, campaigns, and imports."""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import (
    AssetRegistered,
    CampaignStarted,
    ContractCleared,
    ContractRectified,
    ContractRegistered,
    ContractReviewed,
    RegisterImported,
)

DDL = """
create table if not exists assets (
    village char(12) not null,
    asset_id text not null,
    kind text not null,
    name text not null,
    area_mu numeric(8, 2),
    location text,
    registered_at timestamptz not null,
    primary key (village, asset_id)
);
create table if not exists contracts (
    village char(12) not null,
    contract_id text not null,
    asset_id text not null,
    asset_kind text not null,
    contractor_id text not null,
    contractor_name text not null,
    area_mu numeric(8, 2) not null,
    annual_fee_yuan numeric(12, 2) not null,
    starts_on date not null,
    ends_on date not null,
    payment text not null,
    written boolean not null,
    origin text not null,
    deliberation_id text,
    status text not null,
    campaign_id text,
    findings text[] not null default '{}',
    open_findings text[] not null default '{}',
    arrears_yuan numeric(12, 2) not null default 0,
    recovered_yuan numeric(12, 2) not null default 0,
    market_fee_yuan numeric(12, 2),
    terminated_on date,
    registered_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (village, contract_id)
);
create index if not exists contracts_status on contracts (village, status);
create table if not exists rectifications (
    event_id uuid primary key,
    village char(12) not null,
    contract_id text not null,
    action text not null,
    remedies text[] not null,
    new_annual_fee_yuan numeric(12, 2),
    recovered_yuan numeric(12, 2),
    deliberation_id text,
    note text,
    at timestamptz not null
);
create index if not exists rectifications_contract on rectifications (village, contract_id);
create table if not exists campaigns (
    village char(12) not null,
    campaign_id text not null,
    name text not null,
    year int not null,
    starts_on date not null,
    primary key (village, campaign_id)
);
create table if not exists reviews (
    village char(12) not null,
    campaign_id text not null,
    contract_id text not null,
    findings text[] not null,
    open_findings text[] not null,
    arrears_yuan numeric(12, 2) not null,
    area_mu numeric(8, 2) not null,
    reviewed_at timestamptz not null,
    primary key (village, campaign_id, contract_id)
);
create table if not exists clearings (
    village char(12) not null,
    campaign_id text not null,
    contract_id text not null,
    area_mu numeric(8, 2) not null,
    annual_fee_yuan numeric(12, 2) not null,
    previous_annual_fee_yuan numeric(12, 2) not null,
    arrears_recovered_yuan numeric(12, 2) not null,
    fee_increase_yuan numeric(12, 2) not null,
    recovered_income_yuan numeric(12, 2) not null,
    cleared_on date not null,
    terminated boolean not null,
    primary key (village, campaign_id, contract_id)
);
create index if not exists clearings_day on clearings (village, cleared_on);
create table if not exists imports (
    village char(12) not null,
    import_id text not null,
    filename text,
    rows int not null,
    contracts_added int not null,
    assets_added int not null,
    at timestamptz not null,
    primary key (village, import_id)
);
"""


async def asset_registered(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, AssetRegistered)
    await conn.execute(
        "insert into assets values ($1, $2, $3, $4, $5, $6, $7)",
        event.village,
        e.asset_id,
        e.kind,
        e.name,
        e.area_mu,
        e.location,
        event.time,
    )


async def registered(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ContractRegistered)
    await conn.execute(
        "insert into contracts (village, contract_id, asset_id, asset_kind, contractor_id, "
        "contractor_name, area_mu, annual_fee_yuan, starts_on, ends_on, payment, written, origin, "
        "deliberation_id, status, registered_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, "
        "$8, $9, $10, $11, $12, $13, $14, 'registered', $15, $15)",
        event.village,
        e.contract_id,
        e.asset_id,
        e.asset_kind,
        e.contractor.contractor_id,
        e.contractor.name,
        e.area_mu,
        e.annual_fee_yuan,
        e.starts_on,
        e.ends_on,
        e.payment,
        e.written,
        e.origin,
        e.deliberation_id,
        event.time,
    )


async def reviewed(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ContractReviewed)
    findings = list(e.findings)
    await conn.execute(
        "update contracts set status = $3, campaign_id = $4, findings = $5, open_findings = $5, "
        "arrears_yuan = $6, recovered_yuan = 0, market_fee_yuan = $7, updated_at = $8 "
        "where village = $1 and contract_id = $2",
        event.village,
        e.contract_id,
        "rectifying" if findings else "reviewed",
        e.campaign_id,
        findings,
        e.arrears_yuan,
        e.market_fee_yuan,
        event.time,
    )
    await conn.execute(
        "insert into reviews select village, $3, contract_id, $4, $4, $5, area_mu, $6 "
        "from contracts where village = $1 and contract_id = $2",
        event.village,
        e.contract_id,
        e.campaign_id,
        findings,
        e.arrears_yuan,
        event.time,
    )


async def rectified(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ContractRectified)
    remedies = list(e.remedies)
    contractor = e.new_contractor
    await conn.execute(
        "update contracts set open_findings = array(select unnest(open_findings) "
        "except select unnest($3::text[])), "
        "annual_fee_yuan = coalesce($4, annual_fee_yuan), ends_on = coalesce($5, ends_on), "
        "recovered_yuan = recovered_yuan + coalesce($6, 0), "
        "terminated_on = coalesce($7, terminated_on), "
        "written = written or $8, "
        "contractor_id = coalesce($9, contractor_id), "
        "contractor_name = coalesce($10, contractor_name), updated_at = $11 "
        "where village = $1 and contract_id = $2",
        event.village,
        e.contract_id,
        remedies,
        e.new_annual_fee_yuan,
        e.new_ends_on,
        e.recovered_yuan,
        e.terminated_on,
        e.action in ("renegotiated", "re_tendered", "written_contract_signed"),
        contractor.contractor_id if contractor else None,
        contractor.name if contractor else None,
        event.time,
    )
    await conn.execute(
        "update contracts set status = case when cardinality(open_findings) = 0 "
        "then 'rectified' else 'rectifying' end where village = $1 and contract_id = $2",
        event.village,
        e.contract_id,
    )
    await conn.execute(
        "update reviews r set open_findings = c.open_findings from contracts c "
        "where c.village = $1 and c.contract_id = $2 and r.village = c.village "
        "and r.contract_id = c.contract_id and r.campaign_id = c.campaign_id",
        event.village,
        e.contract_id,
    )
    await conn.execute(
        "insert into rectifications values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        event.id,
        event.village,
        e.contract_id,
        e.action,
        remedies,
        e.new_annual_fee_yuan,
        e.recovered_yuan,
        e.deliberation_id,
        e.note,
        event.time,
    )


async def cleared(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, ContractCleared)
    await conn.execute(
        "update contracts set status = 'cleared', updated_at = $3 "
        "where village = $1 and contract_id = $2",
        event.village,
        e.contract_id,
        event.time,
    )
    await conn.execute(
        "insert into clearings values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        event.village,
        e.campaign_id,
        e.contract_id,
        e.area_mu,
        e.annual_fee_yuan,
        e.previous_annual_fee_yuan,
        e.arrears_recovered_yuan,
        e.fee_increase_yuan,
        e.recovered_income_yuan,
        e.cleared_on,
        e.terminated,
    )


async def campaign_started(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, CampaignStarted)
    await conn.execute(
        "insert into campaigns values ($1, $2, $3, $4, $5)",
        event.village,
        e.campaign_id,
        e.name,
        e.year,
        e.starts_on,
    )


async def imported(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, RegisterImported)
    await conn.execute(
        "insert into imports values ($1, $2, $3, $4, $5, $6, $7)",
        event.village,
        e.import_id,
        e.filename,
        e.rows,
        e.contracts_added,
        e.assets_added,
        event.time,
    )


HANDLERS = {
    AssetRegistered.event_type: asset_registered,
    ContractRegistered.event_type: registered,
    ContractReviewed.event_type: reviewed,
    ContractRectified.event_type: rectified,
    ContractCleared.event_type: cleared,
    CampaignStarted.event_type: campaign_started,
    RegisterImported.event_type: imported,
}
