"""What the economy API answers with. Every amount is a ``Decimal``, written as a string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel


class AssetView(BaseModel):
    asset_id: str
    kind: str
    name: str
    area_mu: Decimal | None
    location: str | None


class ContractView(BaseModel):
    contract_id: str
    asset_id: str
    asset_kind: str
    contractor_id: str
    contractor_name: str
    area_mu: Decimal
    annual_fee_yuan: Decimal
    starts_on: date
    ends_on: date
    payment: str
    written: bool
    origin: str
    deliberation_id: str | None
    status: str
    campaign_id: str | None
    findings: list[str]
    open_findings: list[str]
    arrears_yuan: Decimal
    recovered_yuan: Decimal
    market_fee_yuan: Decimal | None
    terminated_on: date | None


class RectificationView(BaseModel):
    action: str
    remedies: list[str]
    new_annual_fee_yuan: Decimal | None
    recovered_yuan: Decimal | None
    deliberation_id: str | None
    note: str | None
    at: datetime


class ContractDetail(ContractView):
    rectifications: list[RectificationView]


class ContractPage(BaseModel):
    items: list[ContractView]
    total: int
    limit: int
    offset: int


class CampaignProgress(BaseModel):
    """合同清理 progress: reviewed / with findings / rectified / cleared, mu, recovered income."""

    campaign_id: str
    name: str
    year: int
    starts_on: date
    reviewed: int
    with_findings: int
    rectified: int
    cleared: int
    cleared_area_mu: Decimal
    recovered_income_yuan: Decimal
    arrears_recovered_yuan: Decimal
    fee_increase_yuan: Decimal


class IncomeEntryView(BaseModel):
    entry_id: str
    source: str
    amount_yuan: Decimal
    year: int
    received_on: date
    reference: str
    contract_id: str | None


class SourceTotal(BaseModel):
    source: str
    label: str
    amount_yuan: Decimal


class IncomeYear(BaseModel):
    year: int
    total_yuan: Decimal
    by_source: list[SourceTotal]
    entries: list[IncomeEntryView]
    entries_total: int
    limit: int
    offset: int


class YearTotals(BaseModel):
    year: int
    total_yuan: Decimal
    by_source: list[SourceTotal]


class HarvestView(BaseModel):
    harvest_id: str
    crop: str
    area_mu: Decimal
    output_kg: Decimal
    season: str
    harvested_on: date


class SaleView(BaseModel):
    sale_id: str
    crop: str
    quantity_kg: Decimal
    amount_yuan: Decimal
    buyer: str
    sold_on: date


class CooperativeView(BaseModel):
    coop_id: str
    name: str
    crops: list[str]
    members: int
    pooled_land_mu: Decimal | None
    brand: str | None
    registered_on: date
    harvests: list[HarvestView]
    sales: list[SaleView]
    sales_yuan: Decimal


class EnterpriseView(BaseModel):
    enterprise_id: str
    name: str
    sector: str
    park: str | None
    state_owned: bool
    villagers_employed: int | None
    as_of: date | None


class JobsPoint(BaseModel):
    as_of: date
    villagers_employed: int


class ContractsFigures(BaseModel):
    registered: int
    cleared: int
    cleared_area_mu: Decimal
    recovered_income_yuan: Decimal
    in_rectification: int


class MonthIncome(BaseModel):
    month: str  # YYYY-MM, by the day the income was received
    amount_yuan: Decimal


class EconomyStats(BaseModel):
    """The village's figures for the county view."""

    village: str
    contracts: ContractsFigures
    income_by_year: list[YearTotals]
    income_by_month: list[MonthIncome]
    cooperatives: int
    enterprises: int
    villagers_employed: int


class ImportResult(BaseModel):
    import_id: str
    rows: int
    contracts_added: int
    assets_added: int
    already_imported: bool
    consistency_token: str | None


class StatementView(BaseModel):
    """财务公开: a quarter's income by source and the contracts cleared in it."""

    village: str
    year: int
    quarter: int
    income: list[SourceTotal]
    total_yuan: Decimal
    cleared: list[ClearedView]
    cleared_area_mu: Decimal
    recovered_income_yuan: Decimal


class ClearedView(BaseModel):
    contract_id: str
    asset_id: str
    asset_kind: str
    area_mu: Decimal
    annual_fee_yuan: Decimal
    recovered_income_yuan: Decimal
    cleared_on: date


StatementView.model_rebuild()
