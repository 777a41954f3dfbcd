"""The income ledger, co-operatives with their harvests and sales, enterprises and jobs."""

from __future__ import annotations

from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope

from ..domain.events import (
    CooperativeRegistered,
    EmploymentRecorded,
    EnterpriseRegistered,
    HarvestRecorded,
    IncomeRecorded,
    SaleRecorded,
)

DDL = """
create table if not exists income (
    village char(12) not null,
    entry_id text not null,
    source text not null,
    amount_yuan numeric(12, 2) not null,
    year int not null,
    received_on date not null,
    reference text not null,
    contract_id text,
    recorded_by text not null,
    recorded_at timestamptz not null,
    primary key (village, entry_id)
);
create index if not exists income_year on income (village, year, source);
create index if not exists income_day on income (village, received_on);
create table if not exists cooperatives (
    village char(12) not null,
    coop_id text not null,
    name text not null,
    crops text[] not null,
    members int not null,
    pooled_land_mu numeric(8, 2),
    brand text,
    registered_on date not null,
    primary key (village, coop_id)
);
create table if not exists harvests (
    village char(12) not null,
    coop_id text not null,
    harvest_id text not null,
    crop text not null,
    area_mu numeric(8, 2) not null,
    output_kg numeric(13, 3) not null,
    season text not null,
    harvested_on date not null,
    primary key (village, coop_id, harvest_id)
);
create table if not exists sales (
    village char(12) not null,
    coop_id text not null,
    sale_id text not null,
    crop text not null,
    quantity_kg numeric(13, 3) not null,
    amount_yuan numeric(12, 2) not null,
    buyer text not null,
    sold_on date not null,
    primary key (village, coop_id, sale_id)
);
create table if not exists enterprises (
    village char(12) not null,
    enterprise_id text not null,
    name text not null,
    sector text not null,
    park text,
    state_owned boolean not null,
    primary key (village, enterprise_id)
);
create table if not exists employment (
    village char(12) not null,
    enterprise_id text not null,
    as_of date not null,
    villagers_employed int not null,
    primary key (village, enterprise_id, as_of)
);
"""


async def income_recorded(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, IncomeRecorded)
    await conn.execute(
        "insert into income values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        event.village,
        e.entry_id,
        e.source,
        e.amount_yuan,
        e.year,
        e.received_on,
        e.reference,
        e.contract_id,
        event.actor or "",
        event.time,
    )


async def coop_registered(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, CooperativeRegistered)
    await conn.execute(
        "insert into cooperatives values ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.village,
        e.coop_id,
        e.name,
        list(e.crops),
        e.members,
        e.pooled_land_mu,
        e.brand,
        e.registered_on,
    )


async def harvest(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, HarvestRecorded)
    await conn.execute(
        "insert into harvests values ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.village,
        e.coop_id,
        e.harvest_id,
        e.crop,
        e.area_mu,
        e.output_kg,
        e.season,
        e.harvested_on,
    )


async def sale(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, SaleRecorded)
    await conn.execute(
        "insert into sales values ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.village,
        e.coop_id,
        e.sale_id,
        e.crop,
        e.quantity_kg,
        e.amount_yuan,
        e.buyer,
        e.sold_on,
    )


async def enterprise(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, EnterpriseRegistered)
    await conn.execute(
        "insert into enterprises values ($1, $2, $3, $4, $5, $6)",
        event.village,
        e.enterprise_id,
        e.name,
        e.sector,
        e.park,
        e.state_owned,
    )


async def employment(conn: Connection, event: Envelope, e: object) -> None:
    assert isinstance(e, EmploymentRecorded)
    # A second figure for the same day corrects the first.
    await conn.execute(
        "insert into employment values ($1, $2, $3, $4) on conflict (village, enterprise_id, "
        "as_of) do update set villagers_employed = excluded.villagers_employed",
        event.village,
        e.enterprise_id,
        e.as_of,
        e.villagers_employed,
    )


HANDLERS = {
    IncomeRecorded.event_type: income_recorded,
    CooperativeRegistered.event_type: coop_registered,
    HarvestRecorded.event_type: harvest,
    SaleRecorded.event_type: sale,
    EnterpriseRegistered.event_type: enterprise,
    EmploymentRecorded.event_type: employment,
}
