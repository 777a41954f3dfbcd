"""Commands of the economy service as the API takes them: imperative, validated at the edge.

Amounts are ``Yuan``/``Mu``/``Quantity`` (strings such as ``"1234.56"``, or whole numbers);
a rule across fields (a term's end after its start) is the domain's, which names the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field
from xiangzhi.ids import ID_PATTERN, PERSON_ID_PATTERN
from xiangzhi.money import Mu, Quantity, Yuan
from xiangzhi.text import StorableModel

from .events import Action, AssetKind, Finding, Payment, Source

ID = ID_PATTERN
PERSON_ID = PERSON_ID_PATTERN
Name = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(min_length=1, max_length=500)]


class RegisterAsset(StorableModel):
    asset_id: str = Field(pattern=ID)
    kind: AssetKind
    name: Name
    area_mu: Mu | None = None
    location: str | None = Field(None, min_length=1, max_length=200)


class RegisterContract(StorableModel):
    """An existing contract from the books (``origin: register``), or a new award
    (``origin: award``) citing the deliberation that passed 四议两公开."""

    contract_id: str = Field(pattern=ID)
    asset_id: str = Field(pattern=ID)
    contractor_id: str = Field(pattern=PERSON_ID, description="the contractor's id in the village")
    contractor_name: str = Field(min_length=1, max_length=50)
    area_mu: Mu
    annual_fee_yuan: Yuan
    starts_on: date
    ends_on: date
    payment: Payment = "annual_in_advance"
    written: bool = True
    origin: Literal["register", "award"] = "register"
    deliberation_id: str | None = Field(None, pattern=ID)


class StartCampaign(StorableModel):
    campaign_id: str = Field(pattern=ID)
    name: Name
    year: int = Field(ge=2000, le=2100)
    starts_on: date


class Review(StorableModel):
    campaign_id: str = Field(pattern=ID)
    findings: list[Finding] = Field(default_factory=list, max_length=6)
    arrears_yuan: Yuan = Field(default=Decimal("0.00"))
    market_fee_yuan: Yuan | None = Field(
        None, description="the annual fee the market would pay (with below_market_price)"
    )
    note: Note | None = None


class Rectify(StorableModel):
    action: Action
    new_annual_fee_yuan: Yuan | None = None
    new_ends_on: date | None = None
    new_contractor_id: str | None = Field(None, pattern=PERSON_ID)
    new_contractor_name: str | None = Field(None, min_length=1, max_length=50)
    recovered_yuan: Yuan | None = None
    terminated_on: date | None = None
    deliberation_id: str | None = Field(None, pattern=ID)
    note: Note | None = None


class Clear(StorableModel):
    cleared_on: date | None = Field(None, description="today if not given")


class RecordIncome(StorableModel):
    entry_id: str = Field(pattern=ID)
    source: Source
    amount_yuan: Yuan
    year: int = Field(ge=2000, le=2100)
    received_on: date
    reference: Note
    contract_id: str | None = Field(None, pattern=ID)


class RegisterCooperative(StorableModel):
    coop_id: str = Field(pattern=ID)
    name: Name
    crops: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        min_length=1, max_length=20
    )
    members: int = Field(ge=1, le=100000, description="member households")
    pooled_land_mu: Mu | None = None
    brand: str | None = Field(None, min_length=1, max_length=50)
    registered_on: date


class RecordHarvest(StorableModel):
    harvest_id: str = Field(pattern=ID)
    crop: str = Field(min_length=1, max_length=30)
    area_mu: Mu
    output_kg: Quantity
    season: str = Field(pattern=r"^\d{4}(-(spring|summer|autumn|winter))?$")
    harvested_on: date


class RecordSale(StorableModel):
    sale_id: str = Field(pattern=ID)
    crop: str = Field(min_length=1, max_length=30)
    quantity_kg: Quantity
    amount_yuan: Yuan
    buyer: str = Field(min_length=1, max_length=100)
    sold_on: date


class RegisterEnterprise(StorableModel):
    enterprise_id: str = Field(pattern=ID)
    name: Name
    sector: str = Field(min_length=1, max_length=50)
    park: str | None = Field(None, min_length=1, max_length=100)
    state_owned: bool = False


class RecordEmployment(StorableModel):
    villagers_employed: int = Field(ge=0, le=100000)
    as_of: date
