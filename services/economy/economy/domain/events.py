"""The economy service's events (``economy.*``), as the catalogue names them.

Money is ``Yuan`` and areas ``Mu`` (``xiangzhi.money``): exact decimals kept as strings in the
events. Every string field is classified (``xiangzhi.pii``): a contractor is a villager (or a
household) and their name is sealed under their own key; co-operatives and enterprises are
organisations, counted, never named persons.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field
from xiangzhi.money import Mu, Quantity, Yuan
from xiangzhi.pii import NotPersonal, Personal, PersonsData, Pseudonym
from xiangzhi.registry import EventPayload, EventRegistry

registry = EventRegistry()

AssetKind = Literal["farmland", "construction_land", "pond", "building", "forest", "other"]
ASSET_KINDS: tuple[AssetKind, ...] = (
    "farmland",
    "construction_land",
    "pond",
    "building",
    "forest",
    "other",
)
Payment = Literal["annual_in_advance", "annual_in_arrears", "semiannual", "lump_sum"]
Origin = Literal["register", "award", "import"]
Finding = Literal[
    "below_market_price",
    "expired",
    "no_written_contract",
    "fee_arrears",
    "unauthorised_use",
    "no_four_two_procedure",
]
FINDINGS: tuple[Finding, ...] = (
    "below_market_price",
    "expired",
    "no_written_contract",
    "fee_arrears",
    "unauthorised_use",
    "no_four_two_procedure",
)
Action = Literal[
    "renegotiated", "re_tendered", "terminated", "arrears_recovered", "written_contract_signed"
]
Source = Literal[
    "contract_fee", "arrears", "enterprise", "tourism", "subsidy", "cooperative_dividend", "other"
]
SOURCES: tuple[Source, ...] = (
    "contract_fee",
    "arrears",
    "enterprise",
    "tourism",
    "subsidy",
    "cooperative_dividend",
    "other",
)


class Contractor(PersonsData):
    """承包方: the villager or household holding a contract, by their id in the village's
    register and their name (sealed under their key)."""

    subject_field = "contractor_id"
    contractor_id: Pseudonym
    name: Personal


@registry.register
class AssetRegistered(EventPayload):
    """A collective asset (三资): a farmland parcel, construction land, a pond, a building …"""

    event_type = "economy.asset.registered.v1"
    asset_id: NotPersonal
    kind: AssetKind
    name: NotPersonal
    area_mu: Mu | None = None
    location: NotPersonal | None = None


@registry.register
class AssetContracted(EventPayload):
    """The asset is let under a contract for a term (set again when a term changes): what the
    asset's stream checks a new contract's term against."""

    event_type = "economy.asset.contracted.v1"
    asset_id: NotPersonal
    contract_id: NotPersonal
    area_mu: Mu
    starts_on: date
    ends_on: date


@registry.register
class AssetReleased(EventPayload):
    """The contract on the asset ended early (terminated): ``released_on`` is its last day,
    the asset is free from the day after."""

    event_type = "economy.asset.released.v1"
    asset_id: NotPersonal
    contract_id: NotPersonal
    released_on: date


@registry.register
class ContractRegistered(EventPayload):
    event_type = "economy.contract.registered.v1"
    contract_id: NotPersonal
    asset_id: NotPersonal
    asset_kind: AssetKind
    contractor: Contractor
    area_mu: Mu
    annual_fee_yuan: Yuan
    starts_on: date
    ends_on: date
    payment: Payment
    written: bool
    # register: an existing contract entered from the books; award: a new one (cites a
    # deliberation that passed 四议两公开); import: a row of an imported register.
    origin: Origin = "register"
    deliberation_id: NotPersonal | None = None


@registry.register
class RegisterImported(EventPayload):
    """A contract register imported from a file (its SHA-256 names it): the same file again
    adds nothing."""

    event_type = "economy.register.imported.v1"
    import_id: NotPersonal
    filename: NotPersonal | None = None
    rows: int = Field(ge=0)
    contracts_added: int = Field(ge=0)
    assets_added: int = Field(ge=0)


@registry.register
class CampaignStarted(EventPayload):
    """合同清理: a campaign over the village's contracts."""

    event_type = "economy.campaign.started.v1"
    campaign_id: NotPersonal
    name: NotPersonal
    year: int = Field(ge=2000, le=2100)
    starts_on: date


@registry.register
class ContractReviewed(EventPayload):
    event_type = "economy.contract.reviewed.v1"
    contract_id: NotPersonal
    campaign_id: NotPersonal
    findings: tuple[Finding, ...] = ()
    arrears_yuan: Yuan
    market_fee_yuan: Yuan | None = None
    note: NotPersonal | None = None


@registry.register
class ContractRectified(EventPayload):
    """One action putting findings right; ``remedies`` names the findings it put right."""

    event_type = "economy.contract.rectified.v1"
    contract_id: NotPersonal
    action: Action
    remedies: tuple[Finding, ...]
    new_annual_fee_yuan: Yuan | None = None
    new_ends_on: date | None = None
    new_contractor: Contractor | None = None
    recovered_yuan: Yuan | None = None
    terminated_on: date | None = None
    deliberation_id: NotPersonal | None = None
    note: NotPersonal | None = None


@registry.register
class ContractCleared(EventPayload):
    """清理完成: every finding put right. ``recovered_income_yuan`` is what the clearing brought
    the collective: the arrears recovered plus the year's fee increase."""

    event_type = "economy.contract.cleared.v1"
    contract_id: NotPersonal
    campaign_id: NotPersonal
    area_mu: Mu
    annual_fee_yuan: Yuan
    previous_annual_fee_yuan: Yuan
    arrears_recovered_yuan: Yuan
    fee_increase_yuan: Yuan
    recovered_income_yuan: Yuan
    cleared_on: date
    terminated: bool = False


@registry.register
class IncomeRecorded(EventPayload):
    """An entry of the collective's income ledger."""

    event_type = "economy.income.recorded.v1"
    entry_id: NotPersonal
    source: Source
    amount_yuan: Yuan
    year: int = Field(ge=2000, le=2100)
    received_on: date
    reference: NotPersonal
    contract_id: NotPersonal | None = None


@registry.register
class CooperativeRegistered(EventPayload):
    """A farmers' co-operative (专业合作社): members counted, land pooled, its crops and brand."""

    event_type = "economy.cooperative.registered.v1"
    coop_id: NotPersonal
    name: NotPersonal
    crops: tuple[NotPersonal, ...]
    members: int = Field(ge=1)
    pooled_land_mu: Mu | None = None
    brand: NotPersonal | None = None
    registered_on: date


@registry.register
class HarvestRecorded(EventPayload):
    event_type = "economy.harvest.recorded.v1"
    coop_id: NotPersonal
    harvest_id: NotPersonal
    crop: NotPersonal
    area_mu: Mu
    output_kg: Quantity
    season: NotPersonal
    harvested_on: date


@registry.register
class SaleRecorded(EventPayload):
    event_type = "economy.sale.recorded.v1"
    coop_id: NotPersonal
    sale_id: NotPersonal
    crop: NotPersonal
    quantity_kg: Quantity
    amount_yuan: Yuan
    buyer: NotPersonal  # a market, a company or a supermarket chain, not a person
    sold_on: date


@registry.register
class EnterpriseRegistered(EventPayload):
    """An enterprise in or near the village (the casting park, the state-owned pipe maker)."""

    event_type = "economy.enterprise.registered.v1"
    enterprise_id: NotPersonal
    name: NotPersonal
    sector: NotPersonal
    park: NotPersonal | None = None
    state_owned: bool = False


@registry.register
class EmploymentRecorded(EventPayload):
    """就地就近就业: how many of the village's people the enterprise employs, as of a date."""

    event_type = "economy.employment.recorded.v1"
    enterprise_id: NotPersonal
    villagers_employed: int = Field(ge=0, le=100000)
    as_of: date
