"""The income ledger, co-operatives and enterprises, and economy's permission table — pure.

Given events, when a decision, then events (or an error).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
from economy.domain import contracts, enterprises, income
from economy.domain.commands import (
    Clear,
    RecordEmployment,
    RecordHarvest,
    RecordIncome,
    RecordSale,
    Rectify,
    RegisterContract,
    RegisterCooperative,
    RegisterEnterprise,
    Review,
)
from economy.domain.events import (
    AssetRegistered,
    ContractCleared,
    CooperativeRegistered,
    EmploymentRecorded,
    EnterpriseRegistered,
    Finding,
    HarvestRecorded,
    IncomeRecorded,
    SaleRecorded,
    Source,
)
from economy.domain.permissions import PERMISSIONS, START_CAMPAIGN
from hypothesis import given, settings
from hypothesis import strategies as st
from xiangzhi.auth import ROLES, Principal
from xiangzhi.errors import DomainError, IllegalTransitionError
from xiangzhi.ids import ID_PATTERN
from xiangzhi.money import ZERO
from xiangzhi.permissions import PermissionDeniedError

TODAY = date(2026, 11, 29)


# ------------------------------------------------------------------ income


def _income(**overrides: object) -> RecordIncome:
    fields: dict[str, object] = {
        "entry_id": "inc-1",
        "source": "tourism",
        "amount_yuan": "1280.50",
        "year": 2026,
        "received_on": date(2026, 10, 3),
        "reference": "国庆采摘节门票",
    }
    fields.update(overrides)
    return RecordIncome.model_validate(fields)


def test_an_income_entry_is_recorded() -> None:
    [event] = income.record(income.Entry(), _income(), today=TODAY)
    assert event == IncomeRecorded(
        entry_id="inc-1",
        source="tourism",
        amount_yuan=Decimal("1280.50"),
        year=2026,
        received_on=date(2026, 10, 3),
        reference="国庆采摘节门票",
    )
    assert income.fold([event]) == income.Entry("inc-1", Decimal("1280.50"))


def test_an_entry_is_recorded_once() -> None:
    state = income.fold(income.record(income.Entry(), _income(), today=TODAY))
    with pytest.raises(IllegalTransitionError, match=r"1280\.50") as refused:
        income.record(state, _income(amount_yuan="5"), today=TODAY)
    assert refused.value.status == 409
    assert refused.value.current_state == "recorded"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_yuan": "0"}, "amount_yuan"),
        ({"amount_yuan": "0.00"}, "amount_yuan"),
        ({"received_on": date(2026, 11, 30)}, "received_on"),
        ({"received_on": date(2026, 1, 5), "year": 2025}, "received_on"),
        ({"received_on": date(2025, 12, 31), "year": 2026}, "received_on"),
        ({"source": "contract_fee"}, "contract_id"),
        ({"source": "arrears"}, "contract_id"),
    ],
)
def test_an_entry_that_does_not_hold_is_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        income.record(income.Entry(), _income(**overrides), today=TODAY)
    assert refused.value.extensions["field"] == field
    assert refused.value.status == 422


@pytest.mark.parametrize("source", ["contract_fee", "arrears"])
def test_a_contract_fee_names_its_contract(source: Source) -> None:
    [event] = income.record(income.Entry(), _income(source=source, contract_id="c-1"), today=TODAY)
    assert (event.source, event.contract_id) == (source, "c-1")


def test_income_received_today_is_recorded() -> None:
    [event] = income.record(income.Entry(), _income(received_on=TODAY), today=TODAY)
    assert event.received_on == TODAY


def _cleared(
    arrears: str = "300.50",
    increase: str = "600.00",
    campaign_id: str = "qingli-2026",
    contract_id: str = "c-1",
) -> ContractCleared:
    return ContractCleared(
        contract_id=contract_id,
        campaign_id=campaign_id,
        area_mu=Decimal("12.34"),
        annual_fee_yuan=Decimal("1600.00"),
        previous_annual_fee_yuan=Decimal("1000.00"),
        arrears_recovered_yuan=Decimal(arrears),
        fee_increase_yuan=Decimal(increase),
        recovered_income_yuan=Decimal(arrears) + Decimal(increase),
        cleared_on=date(2026, 11, 20),
    )


def test_a_clearing_brings_an_arrears_entry_and_a_fee_entry() -> None:
    arrears, fee = income.from_clearing(_cleared())
    assert (arrears.source, arrears.amount_yuan, arrears.contract_id) == (
        "arrears",
        Decimal("300.50"),
        "c-1",
    )
    assert (fee.source, fee.amount_yuan, fee.contract_id) == (
        "contract_fee",
        Decimal("600.00"),
        "c-1",
    )
    assert arrears.entry_id.startswith("clear-")
    assert arrears.entry_id.endswith("-arrears")
    assert fee.entry_id.endswith("-fee")
    # The two entries of one clearing are named after the same clearing.
    assert arrears.entry_id.removesuffix("-arrears") == fee.entry_id.removesuffix("-fee")
    for entry in (arrears, fee):
        assert (entry.year, entry.received_on) == (2026, date(2026, 11, 20))
        assert "qingli-2026" in entry.reference
        assert "c-1" in entry.reference


def test_a_clearings_entries_are_the_same_each_time() -> None:
    assert income.from_clearing(_cleared()) == income.from_clearing(_cleared())
    assert income.from_clearing(_cleared(campaign_id="qingli-2027")) != income.from_clearing(
        _cleared()
    )


def test_a_clearing_redelivered_records_nothing_twice() -> None:
    [arrears, _] = income.from_clearing(_cleared())
    state = income.fold(income.record(income.Entry(), arrears, today=TODAY))
    [again, _] = income.from_clearing(_cleared())
    with pytest.raises(IllegalTransitionError):
        income.record(state, again, today=TODAY)


@pytest.mark.parametrize(
    ("arrears", "increase", "sources"),
    [
        ("0", "0", []),
        ("0.00", "0.00", []),
        ("10.00", "0", ["arrears"]),
        ("0", "0.01", ["contract_fee"]),
    ],
)
def test_a_clearing_brings_no_entry_of_nothing(
    arrears: str, increase: str, sources: list[str]
) -> None:
    entries = income.from_clearing(_cleared(arrears=arrears, increase=increase))
    assert [e.source for e in entries] == sources


def test_a_clearings_entry_ids_are_valid_ids_even_for_long_ids() -> None:
    cleared = _cleared(campaign_id="q" * 64, contract_id="c" * 64)
    entries = income.from_clearing(cleared)
    assert len(entries) == 2
    for entry in entries:
        assert re.fullmatch(ID_PATTERN, entry.entry_id)
        assert RecordIncome.model_validate(entry.model_dump()).entry_id == entry.entry_id


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("qingli-2025", "c-" + "0" * 58), ("qingli-2026", "c-" + "0" * 58)),
        (("qingli-2026", "c-1"), ("qingli", "2026-c-1")),
        (("q" * 64, "c" * 64), ("p" + "q" * 63, "c" * 64)),
    ],
    ids=["long-contract-id", "hyphen-joint", "both-long"],
)
def test_different_clearings_bring_different_entry_ids(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    # Ids may hold '-' and run to 64 characters: neither may make two clearings share an id
    # (the second's income would be taken for a redelivery of the first and never recorded).
    first = income.from_clearing(_cleared(campaign_id=one[0], contract_id=one[1]))
    second = income.from_clearing(_cleared(campaign_id=other[0], contract_id=other[1]))
    assert {e.entry_id for e in first}.isdisjoint(e.entry_id for e in second)


IDS = st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True)


@settings(database=None)
@given(one=st.tuples(IDS, IDS), other=st.tuples(IDS, IDS))
def test_a_clearings_entry_ids_are_its_own(one: tuple[str, str], other: tuple[str, str]) -> None:
    first = income.from_clearing(_cleared(campaign_id=one[0], contract_id=one[1]))
    assert [e.entry_id for e in first] == [
        e.entry_id for e in income.from_clearing(_cleared(campaign_id=one[0], contract_id=one[1]))
    ]
    for entry in first:
        assert re.fullmatch(ID_PATTERN, entry.entry_id)
    if one != other:
        second = income.from_clearing(_cleared(campaign_id=other[0], contract_id=other[1]))
        assert {e.entry_id for e in first}.isdisjoint(e.entry_id for e in second)


# A village's clearing as in Dongzhuang: 98 contracts over 624.16 mu.
DONGZHUANG_MU = Decimal("624.16")
DONGZHUANG_CONTRACTS = 98


def _clear_one(
    i: int, area: Decimal, fee: Decimal, raise_: Decimal, arrears: Decimal
) -> ContractCleared:
    """One contract through the domain: registered, reviewed, put right, cleared."""
    contract_id = f"dz-{i:03d}"
    asset = contracts.fold_asset(
        [AssetRegistered(asset_id=f"p-{i:03d}", kind="farmland", name=f"地块{i}")]
    )
    [registered] = contracts.register(
        contracts.Contract(),
        RegisterContract(
            contract_id=contract_id,
            asset_id=f"p-{i:03d}",
            contractor_id=f"h-{i:03d}",
            contractor_name="某户",
            area_mu=area,
            annual_fee_yuan=fee,
            starts_on=date(2015, 1, 1),
            ends_on=date(2034, 12, 31),
        ),
        asset=asset,
        citation=None,
    )
    state = contracts.fold([registered])
    findings: list[Finding] = []
    if arrears > 0:
        findings.append("fee_arrears")
    if raise_ > 0:
        findings.append("below_market_price")
    [reviewed] = contracts.review(
        state,
        Review(
            campaign_id="dongzhuang-2026",
            findings=findings,
            arrears_yuan=arrears,
            market_fee_yuan=fee + raise_ if raise_ > 0 else None,
        ),
        campaign_open=True,
        today=TODAY,
    )
    state = contracts.evolve(state, reviewed)
    if raise_ > 0:
        [renegotiated] = contracts.rectify(
            state,
            Rectify(action="renegotiated", new_annual_fee_yuan=fee + raise_, deliberation_id="d-1"),
            citation=contracts.Citation("d-1", "land_contracting", True, True),
            today=TODAY,
        )
        state = contracts.evolve(state, renegotiated)
    if arrears > 0:
        [recovered] = contracts.rectify(
            state,
            Rectify(action="arrears_recovered", recovered_yuan=arrears),
            citation=None,
            today=TODAY,
        )
        state = contracts.evolve(state, recovered)
    [cleared] = contracts.clear(state, Clear(cleared_on=date(2026, 11, 20)), today=TODAY)
    return cleared


def _fen(n: int) -> Decimal:
    return Decimal(n).scaleb(-2)


@settings(database=None, max_examples=20, deadline=None)
@given(
    cuts=st.sets(
        st.integers(min_value=1, max_value=int(DONGZHUANG_MU * 100) - 1),
        min_size=DONGZHUANG_CONTRACTS - 1,
        max_size=DONGZHUANG_CONTRACTS - 1,
    ),
    fees=st.lists(
        st.integers(min_value=1, max_value=2_000_000),
        min_size=DONGZHUANG_CONTRACTS,
        max_size=DONGZHUANG_CONTRACTS,
    ),
    raises=st.lists(
        st.integers(min_value=0, max_value=500_000),
        min_size=DONGZHUANG_CONTRACTS,
        max_size=DONGZHUANG_CONTRACTS,
    ),
    arrears=st.lists(
        st.integers(min_value=0, max_value=1_000_000),
        min_size=DONGZHUANG_CONTRACTS,
        max_size=DONGZHUANG_CONTRACTS,
    ),
)
def test_a_villages_clearing_adds_up_to_the_fen(
    cuts: set[int], fees: list[int], raises: list[int], arrears: list[int]
) -> None:
    bounds = [0, *sorted(cuts), int(DONGZHUANG_MU * 100)]
    areas = [_fen(b - a) for a, b in pairwise(bounds)]
    cleared = [
        _clear_one(i, area, _fen(fee), _fen(up), _fen(owed))
        for i, (area, fee, up, owed) in enumerate(zip(areas, fees, raises, arrears, strict=True))
    ]
    assert len(cleared) == DONGZHUANG_CONTRACTS
    assert sum((e.area_mu for e in cleared), ZERO) == DONGZHUANG_MU
    recovered = sum((e.recovered_income_yuan for e in cleared), ZERO)
    assert recovered == _fen(sum(raises) + sum(arrears))
    entries = [entry for e in cleared for entry in income.from_clearing(e)]
    assert sum((entry.amount_yuan for entry in entries), ZERO) == recovered
    assert len({entry.entry_id for entry in entries}) == len(entries)
    for entry in entries:
        [recorded] = income.record(income.Entry(), entry, today=TODAY)
        assert recorded.amount_yuan == entry.amount_yuan


# ------------------------------------------------------------------ co-operatives

REGISTERED_ON = date(2024, 3, 15)


def _coop() -> enterprises.Cooperative:
    [event] = enterprises.register_coop(
        enterprises.Cooperative(),
        RegisterCooperative(
            coop_id="coop-1",
            name="东庄小米专业合作社",
            crops=["小米", "红薯"],
            members=86,
            pooled_land_mu="410.50",
            brand="东庄小米",
            registered_on=REGISTERED_ON,
        ),
        today=TODAY,
    )
    return enterprises.fold_coop([event])


def _harvest(**overrides: object) -> RecordHarvest:
    fields: dict[str, object] = {
        "harvest_id": "h-1",
        "crop": "小米",
        "area_mu": "120.00",
        "output_kg": "36000.500",
        "season": "2026-autumn",
        "harvested_on": date(2026, 10, 8),
    }
    fields.update(overrides)
    return RecordHarvest.model_validate(fields)


def _sale(**overrides: object) -> RecordSale:
    fields: dict[str, object] = {
        "sale_id": "s-1",
        "crop": "小米",
        "quantity_kg": "5000",
        "amount_yuan": "60000.00",
        "buyer": "美特好超市",
        "sold_on": date(2026, 11, 2),
    }
    fields.update(overrides)
    return RecordSale.model_validate(fields)


def test_a_cooperative_is_registered_once_with_its_crops_each_once() -> None:
    cmd = RegisterCooperative(
        coop_id="coop-1",
        name="东庄小米专业合作社",
        crops=["小米", " 红薯 ", "小米"],
        members=86,
        registered_on=REGISTERED_ON,
    )
    [event] = enterprises.register_coop(enterprises.Cooperative(), cmd, today=TODAY)
    assert event == CooperativeRegistered(
        coop_id="coop-1",
        name="东庄小米专业合作社",
        crops=("小米", "红薯"),
        members=86,
        registered_on=REGISTERED_ON,
    )
    with pytest.raises(IllegalTransitionError) as refused:
        enterprises.register_coop(enterprises.fold_coop([event]), cmd, today=TODAY)
    assert refused.value.status == 409


def test_a_cooperative_is_not_registered_on_a_day_to_come() -> None:
    cmd = RegisterCooperative(
        coop_id="coop-1", name="x", crops=["小米"], members=1, registered_on=date(2026, 11, 30)
    )
    with pytest.raises(DomainError) as refused:
        enterprises.register_coop(enterprises.Cooperative(), cmd, today=TODAY)
    assert refused.value.extensions["field"] == "registered_on"


def test_a_harvest_is_recorded() -> None:
    [event] = enterprises.record_harvest(_coop(), _harvest(), today=TODAY)
    assert event == HarvestRecorded(
        coop_id="coop-1",
        harvest_id="h-1",
        crop="小米",
        area_mu=Decimal("120.00"),
        output_kg=Decimal("36000.500"),
        season="2026-autumn",
        harvested_on=date(2026, 10, 8),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"crop": "玉米"}, "crop"),
        ({"harvested_on": date(2024, 3, 14), "season": "2024-spring"}, "harvested_on"),
        ({"harvested_on": date(2026, 11, 30)}, "harvested_on"),
        ({"season": "2025-autumn"}, "season"),
        ({"season": "2027"}, "season"),
    ],
)
def test_a_harvest_that_does_not_hold_is_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        enterprises.record_harvest(_coop(), _harvest(**overrides), today=TODAY)
    assert refused.value.extensions["field"] == field
    assert refused.value.status == 422


def test_a_harvest_on_the_day_of_registration_or_today_is_taken() -> None:
    [first] = enterprises.record_harvest(
        _coop(), _harvest(harvested_on=REGISTERED_ON, season="2024"), today=TODAY
    )
    assert first.harvested_on == REGISTERED_ON
    [latest] = enterprises.record_harvest(_coop(), _harvest(harvested_on=TODAY), today=TODAY)
    assert latest.harvested_on == TODAY


def test_a_harvest_is_recorded_once() -> None:
    state = _coop()
    state = enterprises.evolve_coop(
        state, enterprises.record_harvest(state, _harvest(), today=TODAY)[0]
    )
    with pytest.raises(IllegalTransitionError) as refused:
        enterprises.record_harvest(state, _harvest(), today=TODAY)
    assert refused.value.status == 409
    assert enterprises.record_harvest(state, _harvest(harvest_id="h-2"), today=TODAY)


def test_a_sale_is_recorded_once() -> None:
    state = _coop()
    [sold] = enterprises.record_sale(state, _sale(), today=TODAY)
    assert sold == SaleRecorded(
        coop_id="coop-1",
        sale_id="s-1",
        crop="小米",
        quantity_kg=Decimal("5000"),
        amount_yuan=Decimal("60000.00"),
        buyer="美特好超市",
        sold_on=date(2026, 11, 2),
    )
    state = enterprises.evolve_coop(state, sold)
    with pytest.raises(IllegalTransitionError) as refused:
        enterprises.record_sale(state, _sale(), today=TODAY)
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity_kg": "0"}, "quantity_kg"),
        ({"quantity_kg": "0.000"}, "quantity_kg"),
        ({"crop": "谷子"}, "crop"),
        ({"sold_on": date(2026, 11, 30)}, "sold_on"),
        ({"sold_on": date(2024, 3, 1)}, "sold_on"),
    ],
)
def test_a_sale_that_does_not_hold_is_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        enterprises.record_sale(_coop(), _sale(**overrides), today=TODAY)
    assert refused.value.extensions["field"] == field


def test_nothing_is_recorded_for_an_unregistered_cooperative() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        enterprises.record_harvest(enterprises.Cooperative(), _harvest(), today=TODAY)
    assert refused.value.status == 409
    with pytest.raises(IllegalTransitionError):
        enterprises.record_sale(enterprises.Cooperative(), _sale(), today=TODAY)


# ------------------------------------------------------------------ enterprises


def _enterprise() -> enterprises.Enterprise:
    [event] = enterprises.register_enterprise(
        enterprises.Enterprise(),
        RegisterEnterprise(
            enterprise_id="e-1", name="东庄铸造园", sector="casting", park="铸造产业园"
        ),
    )
    return enterprises.fold_enterprise([event])


def test_an_enterprise_is_registered_once() -> None:
    cmd = RegisterEnterprise(enterprise_id="e-2", name="管业公司", sector="pipes", state_owned=True)
    [event] = enterprises.register_enterprise(enterprises.Enterprise(), cmd)
    assert event == EnterpriseRegistered(
        enterprise_id="e-2", name="管业公司", sector="pipes", state_owned=True
    )
    with pytest.raises(IllegalTransitionError) as refused:
        enterprises.register_enterprise(enterprises.fold_enterprise([event]), cmd)
    assert refused.value.status == 409


def test_employment_is_recorded_as_of_a_day_that_has_come() -> None:
    [event] = enterprises.record_employment(
        _enterprise(), RecordEmployment(villagers_employed=137, as_of=TODAY), today=TODAY
    )
    assert event == EmploymentRecorded(enterprise_id="e-1", villagers_employed=137, as_of=TODAY)
    with pytest.raises(DomainError) as refused:
        enterprises.record_employment(
            _enterprise(),
            RecordEmployment(villagers_employed=137, as_of=date(2026, 11, 30)),
            today=TODAY,
        )
    assert refused.value.extensions["field"] == "as_of"


def test_employment_is_not_recorded_for_an_unregistered_enterprise() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        enterprises.record_employment(
            enterprises.Enterprise(),
            RecordEmployment(villagers_employed=5, as_of=TODAY),
            today=TODAY,
        )
    assert refused.value.status == 409
    assert refused.value.current_state == "new"


# ------------------------------------------------------------------ permissions


def _who(role: str) -> Principal:
    return Principal(
        "p", role, villages=frozenset({"141121100201"}), scopes=frozenset({"read", "write"})
    )


def test_economys_permissions_are_its_own_and_the_secretary_holds_them_all() -> None:
    permissions = list(PERMISSIONS)
    assert len(permissions) == 13
    assert PERMISSIONS.service == "economy"
    for permission in permissions:
        assert permission.name.startswith("economy."), permission.name
        grant = permission.grant_for("village_secretary")
        assert grant is not None, permission.name
        assert grant.rule is None
        assert permission.authorize(_who("village_secretary")) == grant


def test_only_the_village_keeps_its_books() -> None:
    for permission in PERMISSIONS:
        assert {g.role for g in permission.grants} <= {"village_secretary", "village_staff"}


def test_starting_a_campaign_is_the_secretarys_decision() -> None:
    assert START_CAMPAIGN.name == "economy.campaign.start"
    assert START_CAMPAIGN.grant_for("village_staff") is None
    with pytest.raises(PermissionDeniedError) as refused:
        START_CAMPAIGN.authorize(_who("village_staff"))
    assert refused.value.status == 403
    assert refused.value.extensions["permission"] == "economy.campaign.start"
    others = [p for p in PERMISSIONS if p is not START_CAMPAIGN]
    assert all(p.grant_for("village_staff") is not None for p in others)


@pytest.mark.parametrize(
    "role", [r for r in ROLES if r not in {"village_secretary", "village_staff"}]
)
def test_other_roles_are_refused_economys_commands(role: str) -> None:
    for permission in PERMISSIONS:
        with pytest.raises(PermissionDeniedError):
            permission.authorize(_who(role))
