"""Collective assets, their contracts and the clearing of them (合同清理) — pure.

Given events, when a decision, then events (or an error).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest
from economy.domain import campaigns
from economy.domain import contracts as c
from economy.domain.commands import (
    Clear,
    Rectify,
    RegisterAsset,
    RegisterContract,
    Review,
    StartCampaign,
)
from economy.domain.events import (
    AssetContracted,
    AssetRegistered,
    AssetReleased,
    CampaignStarted,
    ContractCleared,
    ContractRectified,
    ContractRegistered,
    ContractReviewed,
    Finding,
)
from xiangzhi import governance
from xiangzhi.errors import DomainError, IllegalTransitionError

TODAY = date(2026, 11, 29)
CAMPAIGN = "qingli-2026"
PASSED = c.Citation("d-7", "land_contracting", party_meeting_passed=True, villagers_passed=True)


# ------------------------------------------------------------------ givens


def _asset_registered(area: str | None = "50.00", asset_id: str = "a-1") -> AssetRegistered:
    return AssetRegistered(
        asset_id=asset_id,
        kind="farmland",
        name="东洼地",
        area_mu=None if area is None else Decimal(area),
    )


def _contracted(contract_id: str, starts_on: date, ends_on: date) -> AssetContracted:
    return AssetContracted(
        asset_id="a-1",
        contract_id=contract_id,
        area_mu=Decimal("20.00"),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _asset(*events: AssetRegistered | AssetContracted | AssetReleased) -> c.Asset:
    return c.fold_asset([_asset_registered(), *events])


def _let(state: c.Asset, contract_id: str, starts_on: date, ends_on: date) -> AssetContracted:
    [event] = c.let(state, contract_id, Decimal("20.00"), starts_on, ends_on)
    return event


def _register_cmd(**overrides: object) -> RegisterContract:
    fields: dict[str, object] = {
        "contract_id": "c-1",
        "asset_id": "a-1",
        "contractor_id": "p-101",
        "contractor_name": "王建国",
        "area_mu": "20.00",
        "annual_fee_yuan": "1000.00",
        "starts_on": date(2020, 1, 1),
        "ends_on": date(2029, 12, 31),
        "written": True,
    }
    fields.update(overrides)
    return RegisterContract.model_validate(fields)


def _registered(**overrides: object) -> ContractRegistered:
    [event] = c.register(
        c.Contract(),
        _register_cmd(**overrides),
        asset=c.fold_asset([_asset_registered()]),
        citation=None,
    )
    return event


def _reviewed(
    *findings: Finding,
    arrears: str = "0",
    market_fee: str | None = None,
    campaign_id: str = CAMPAIGN,
) -> ContractReviewed:
    return ContractReviewed(
        contract_id="c-1",
        campaign_id=campaign_id,
        findings=findings,
        arrears_yuan=Decimal(arrears),
        market_fee_yuan=None if market_fee is None else Decimal(market_fee),
    )


def _then(state: c.Contract, events: Sequence[c.ContractEvent]) -> c.Contract:
    for event in events:
        state = c.evolve(state, event)
    return state


def _rectify(
    state: c.Contract, citation: c.Citation | None = None, today: date = TODAY, **fields: object
) -> ContractRectified:
    [event] = c.rectify(state, Rectify.model_validate(fields), citation=citation, today=today)
    return event


def _clear(state: c.Contract, cleared_on: date | None = None) -> ContractCleared:
    [event] = c.clear(state, Clear(cleared_on=cleared_on), today=TODAY)
    return event


def _review_cmd(*findings: Finding, **fields: object) -> Review:
    return Review.model_validate({"campaign_id": CAMPAIGN, "findings": list(findings), **fields})


# ------------------------------------------------------------------ assets


def test_an_asset_is_registered_once() -> None:
    cmd = RegisterAsset(asset_id="a-1", kind="pond", name="南坑塘", area_mu="12.50")
    [event] = c.register_asset(c.Asset(), cmd)
    assert event == AssetRegistered(
        asset_id="a-1", kind="pond", name="南坑塘", area_mu=Decimal("12.50")
    )
    with pytest.raises(IllegalTransitionError) as refused:
        c.register_asset(c.fold_asset([event]), cmd)
    assert refused.value.status == 409
    assert refused.value.current_state == "registered"


def test_letting_a_free_asset_sets_the_term() -> None:
    event = _let(_asset(), "c-1", date(2020, 1, 1), date(2025, 12, 31))
    assert event == AssetContracted(
        asset_id="a-1",
        contract_id="c-1",
        area_mu=Decimal("20.00"),
        starts_on=date(2020, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    assert c.fold_asset([_asset_registered(), event]).terms == (
        c.Term("c-1", date(2020, 1, 1), date(2025, 12, 31)),
    )


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2024, 1, 1), date(2030, 12, 31)),  # starts inside, ends after
        (date(2018, 1, 1), date(2020, 1, 1)),  # ends on the other's first day
        (date(2021, 3, 1), date(2021, 9, 30)),  # wholly inside
        (date(2019, 1, 1), date(2027, 1, 1)),  # wholly around
        (date(2020, 1, 1), date(2025, 12, 31)),  # the very same term
        (date(2025, 12, 31), date(2035, 12, 31)),  # same-day boundary: both ends are included
    ],
)
def test_a_term_that_meets_another_contracts_is_refused_naming_it(
    starts_on: date, ends_on: date
) -> None:
    state = _asset(_contracted("c-1", date(2020, 1, 1), date(2025, 12, 31)))
    with pytest.raises(c.OverlapError) as refused:
        c.let(state, "c-2", Decimal("20.00"), starts_on, ends_on)
    assert refused.value.status == 409
    assert refused.value.extensions["other_contract_id"] == "c-1"
    assert refused.value.extensions["other_starts_on"] == "2020-01-01"
    assert refused.value.extensions["other_ends_on"] == "2025-12-31"
    assert "c-1" in refused.value.detail


def test_adjacent_terms_do_not_overlap() -> None:
    state = _asset(_contracted("c-1", date(2020, 1, 1), date(2025, 12, 31)))
    after = _let(state, "c-2", date(2026, 1, 1), date(2035, 12, 31))
    assert (after.contract_id, after.starts_on) == ("c-2", date(2026, 1, 1))
    before = _let(state, "c-0", date(2015, 1, 1), date(2019, 12, 31))
    assert before.ends_on == date(2019, 12, 31)


def test_the_same_day_boundary_is_an_overlap() -> None:
    state = _asset(_contracted("c-1", date(2020, 1, 1), date(2025, 12, 31)))
    with pytest.raises(c.OverlapError):
        c.let(state, "c-2", Decimal("20.00"), date(2025, 12, 31), date(2035, 12, 31))


def test_a_contract_larger_than_the_asset_is_refused() -> None:
    state = _asset()  # 50.00 mu
    with pytest.raises(DomainError) as refused:
        c.let(state, "c-1", Decimal("50.01"), date(2026, 1, 1), date(2030, 12, 31))
    assert refused.value.extensions["field"] == "area_mu"
    assert c.let(state, "c-1", Decimal("50.00"), date(2026, 1, 1), date(2030, 12, 31))


def test_an_asset_without_an_area_takes_any_contract_area() -> None:
    state = c.fold_asset([_asset_registered(area=None)])
    [event] = c.let(state, "c-1", Decimal("99999.99"), date(2026, 1, 1), date(2030, 12, 31))
    assert event.area_mu == Decimal("99999.99")


def test_a_term_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        c.let(_asset(), "c-1", Decimal("20"), date(2026, 1, 2), date(2026, 1, 1))
    assert refused.value.extensions["field"] == "ends_on"
    assert _let(_asset(), "c-1", date(2026, 1, 1), date(2026, 1, 1))  # a one-day term


def test_a_term_of_more_than_seventy_years_is_refused() -> None:
    assert _let(_asset(), "c-1", date(2026, 1, 1), date(2095, 12, 31))  # exactly 70 years
    with pytest.raises(DomainError, match="70 years") as refused:
        c.let(_asset(), "c-1", Decimal("20"), date(2026, 1, 1), date(2100, 12, 31))
    assert refused.value.extensions["field"] == "ends_on"


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2026, 1, 1), date(2096, 12, 31)),  # 71 years, though the years differ by 70
        (date(2026, 1, 1), date(2096, 1, 1)),  # 70 years and a day
        (date(2026, 7, 1), date(2096, 7, 1)),
        (date(2028, 2, 29), date(2098, 2, 28)),  # from a leap day
    ],
)
def test_a_day_past_seventy_years_is_refused(starts_on: date, ends_on: date) -> None:
    with pytest.raises(DomainError, match="70 years") as refused:
        c.let(_asset(), "c-1", Decimal("20"), starts_on, ends_on)
    assert refused.value.extensions["field"] == "ends_on"


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(date(2026, 7, 1), date(2096, 6, 30)), (date(2028, 2, 29), date(2098, 2, 27))],
)
def test_seventy_years_to_the_day_are_taken(starts_on: date, ends_on: date) -> None:
    assert _let(_asset(), "c-1", starts_on, ends_on).ends_on == ends_on


def test_an_unregistered_asset_is_not_let() -> None:
    with pytest.raises(DomainError) as refused:
        c.let(c.Asset(), "c-1", Decimal("20"), date(2026, 1, 1), date(2030, 12, 31))
    assert refused.value.extensions["field"] == "asset_id"
    assert refused.value.status == 422


def test_a_release_frees_the_asset_after_the_release_date() -> None:
    let = _contracted("c-1", date(2020, 1, 1), date(2035, 12, 31))
    with pytest.raises(c.OverlapError):
        c.let(_asset(let), "c-2", Decimal("20"), date(2026, 7, 1), date(2040, 12, 31))
    [released] = c.release(_asset(let), "c-1", date(2026, 6, 30))
    assert released == AssetReleased(
        asset_id="a-1", contract_id="c-1", released_on=date(2026, 6, 30)
    )
    state = _asset(let, released)
    assert state.terms == (c.Term("c-1", date(2020, 1, 1), date(2026, 6, 30)),)
    assert _let(state, "c-2", date(2026, 7, 1), date(2040, 12, 31)).contract_id == "c-2"
    with pytest.raises(c.OverlapError) as refused:
        c.let(state, "c-2", Decimal("20"), date(2026, 6, 1), date(2040, 12, 31))
    assert refused.value.extensions["other_ends_on"] == "2026-06-30"


def test_a_release_never_lengthens_a_term() -> None:
    let = _contracted("c-1", date(2020, 1, 1), date(2025, 12, 31))
    released = AssetReleased(asset_id="a-1", contract_id="c-1", released_on=date(2027, 1, 1))
    assert _asset(let, released).terms[0].ends_on == date(2025, 12, 31)


def test_setting_a_contracts_term_again_does_not_conflict_with_itself() -> None:
    state = _asset(
        _contracted("c-1", date(2020, 1, 1), date(2025, 12, 31)),
        _contracted("c-2", date(2031, 1, 1), date(2040, 12, 31)),
    )
    longer = _let(state, "c-1", date(2020, 1, 1), date(2030, 12, 31))
    state = c.evolve_asset(state, longer)
    assert sorted(state.terms, key=lambda t: t.starts_on) == [
        c.Term("c-1", date(2020, 1, 1), date(2030, 12, 31)),
        c.Term("c-2", date(2031, 1, 1), date(2040, 12, 31)),
    ]
    with pytest.raises(c.OverlapError) as refused:  # but it still may not meet another's
        c.let(state, "c-1", Decimal("20"), date(2020, 1, 1), date(2031, 1, 1))
    assert refused.value.extensions["other_contract_id"] == "c-2"


# ------------------------------------------------------------------ citations (四议两公开)


@pytest.mark.parametrize(
    ("deliberation_id", "known", "reason"),
    [
        (None, None, "cites the deliberation"),
        ("", PASSED, "cites the deliberation"),
        ("d-404", None, "no deliberation d-404 is known"),
        ("d-7", c.Citation("d-7", "public_works", True, True), "public_works matter"),
        ("d-7", c.Citation("d-7", "livelihood", True, True), "or land contracting"),
        ("d-7", c.Citation("d-7", "land_contracting", False, True), "party members' meeting"),
        ("d-7", c.Citation("d-7", "collective_assets", True, False), "villagers' meeting"),
    ],
)
def test_a_citation_that_does_not_hold_is_refused_saying_why(
    deliberation_id: str | None, known: c.Citation | None, reason: str
) -> None:
    with pytest.raises(DomainError, match=reason) as refused:
        c.check_citation(deliberation_id, known, why="awarding a contract")
    assert refused.value.extensions["field"] == "deliberation_id"
    assert refused.value.status == 422


def test_a_citation_that_passed_neither_meeting_names_both() -> None:
    with pytest.raises(DomainError) as refused:
        c.check_citation("d-7", c.Citation("d-7", "land_contracting", False, False), why="x")
    assert refused.value.extensions["missing"] == [
        "the party members' meeting (党员大会审议)",
        "the villagers' meeting resolution (村民会议决议)",
    ]


@pytest.mark.parametrize("matter", ["land_contracting", "collective_assets"])
def test_a_passed_land_or_asset_deliberation_is_cited(matter: str) -> None:
    assert c.check_citation("d-7", c.Citation("d-7", matter, True, True), why="x") == "d-7"


@pytest.mark.parametrize(
    ("total", "attending", "agreeing", "passes"),
    [
        (30, 20, 11, True),  # exactly two thirds attending, a majority agreeing
        (30, 19, 19, False),  # one short of two thirds attending
        (30, 20, 10, False),  # half of those attending is not more than half
        (3, 2, 2, True),
        (9, 6, 4, True),
        (9, 5, 5, False),
        (30, 30, 16, True),
        (30, 30, 15, False),
    ],
)
def test_the_party_meeting_needs_two_thirds_attending_and_more_than_half_agreeing(
    total: int, attending: int, agreeing: int, passes: bool
) -> None:
    assert governance.party_meeting_passes(total, attending, agreeing) is passes


def test_an_award_cites_a_passed_deliberation() -> None:
    asset = c.fold_asset([_asset_registered()])
    with pytest.raises(DomainError, match="四议两公开") as refused:
        c.register(c.Contract(), _register_cmd(origin="award"), asset=asset, citation=None)
    assert refused.value.extensions["field"] == "deliberation_id"
    failed = c.Citation(
        "d-7", "land_contracting", party_meeting_passed=True, villagers_passed=False
    )
    with pytest.raises(DomainError) as refused:
        c.register(
            c.Contract(),
            _register_cmd(origin="award", deliberation_id="d-7"),
            asset=asset,
            citation=failed,
        )
    assert refused.value.extensions["field"] == "deliberation_id"
    [event] = c.register(
        c.Contract(),
        _register_cmd(origin="award", deliberation_id="d-7"),
        asset=asset,
        citation=PASSED,
    )
    assert (event.origin, event.deliberation_id) == ("award", "d-7")


def test_a_contract_from_the_books_needs_no_deliberation() -> None:
    asset = c.fold_asset([_asset_registered()])
    [event] = c.register(c.Contract(), _register_cmd(), asset=asset, citation=None)
    assert event.origin == "register"
    assert event.deliberation_id is None
    assert event.asset_kind == "farmland"
    assert event.contractor.contractor_id == "p-101"
    assert event.contractor.name == "王建国"
    assert (event.area_mu, event.annual_fee_yuan) == (Decimal("20.00"), Decimal("1000.00"))


def test_a_contract_from_an_imported_register_says_so() -> None:
    asset = c.fold_asset([_asset_registered()])
    [event] = c.register(c.Contract(), _register_cmd(), asset=asset, citation=None, imported=True)
    assert event.origin == "import"


def test_a_contract_from_the_books_naming_a_deliberation_names_a_real_one() -> None:
    asset = c.fold_asset([_asset_registered()])
    cmd = _register_cmd(deliberation_id="d-7")
    with pytest.raises(DomainError) as refused:
        c.register(c.Contract(), cmd, asset=asset, citation=None)
    assert refused.value.extensions["field"] == "deliberation_id"
    wrong = c.Citation("d-7", "public_works", True, True)
    with pytest.raises(DomainError, match="public_works"):
        c.register(c.Contract(), cmd, asset=asset, citation=wrong)
    [event] = c.register(c.Contract(), cmd, asset=asset, citation=PASSED)
    assert event.deliberation_id == "d-7"


def test_a_contract_is_registered_once_and_on_a_registered_asset() -> None:
    state = c.fold([_registered()])
    with pytest.raises(IllegalTransitionError) as refused:
        c.register(state, _register_cmd(), asset=c.fold_asset([_asset_registered()]), citation=None)
    assert refused.value.status == 409
    with pytest.raises(DomainError) as refused:
        c.register(c.Contract(), _register_cmd(), asset=c.Asset(), citation=None)
    assert refused.value.extensions["field"] == "asset_id"


# ------------------------------------------------------------------ campaigns


def test_a_campaign_starts_once() -> None:
    cmd = StartCampaign(
        campaign_id=CAMPAIGN, name="2026年合同清理", year=2026, starts_on=date(2026, 3, 1)
    )
    [event] = campaigns.start(campaigns.Campaign(), cmd)
    assert event == CampaignStarted(
        campaign_id=CAMPAIGN, name="2026年合同清理", year=2026, starts_on=date(2026, 3, 1)
    )
    with pytest.raises(IllegalTransitionError) as refused:
        campaigns.start(campaigns.fold([event]), cmd)
    assert refused.value.status == 409


# ------------------------------------------------------------------ review


def test_a_review_records_the_findings() -> None:
    state = c.fold([_registered(written=False)])
    [event] = c.review(
        state,
        _review_cmd("no_written_contract", "fee_arrears", arrears_yuan="350.50", note="账外"),
        campaign_open=True,
        today=TODAY,
    )
    assert event == ContractReviewed(
        contract_id="c-1",
        campaign_id=CAMPAIGN,
        findings=("no_written_contract", "fee_arrears"),
        arrears_yuan=Decimal("350.50"),
        note="账外",
    )
    assert c.evolve(state, event).status == "rectifying"


def test_a_review_needs_a_registered_contract() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        c.review(c.Contract(), _review_cmd(), campaign_open=True, today=TODAY)
    assert refused.value.status == 409
    assert refused.value.current_state == "new"


def test_a_review_needs_an_open_campaign() -> None:
    with pytest.raises(DomainError) as refused:
        c.review(c.fold([_registered()]), _review_cmd(), campaign_open=False, today=TODAY)
    assert refused.value.extensions["field"] == "campaign_id"


@pytest.mark.parametrize(
    ("findings", "arrears"),
    [(("fee_arrears",), "0"), ((), "100.00"), (("unauthorised_use",), "0.01")],
)
def test_fee_arrears_is_found_exactly_when_arrears_are_owed(
    findings: tuple[Finding, ...], arrears: str
) -> None:
    with pytest.raises(DomainError) as refused:
        c.review(
            c.fold([_registered()]),
            _review_cmd(*findings, arrears_yuan=arrears),
            campaign_open=True,
            today=TODAY,
        )
    assert refused.value.extensions["field"] == "arrears_yuan"


def test_fee_arrears_with_arrears_is_taken() -> None:
    [event] = c.review(
        c.fold([_registered()]),
        _review_cmd("fee_arrears", arrears_yuan="0.01"),
        campaign_open=True,
        today=TODAY,
    )
    assert event.arrears_yuan == Decimal("0.01")


@pytest.mark.parametrize("market_fee", [None, "1000.00", "999.99"])
def test_below_market_price_needs_a_market_fee_above_the_fee(market_fee: str | None) -> None:
    with pytest.raises(DomainError) as refused:
        c.review(
            c.fold([_registered(annual_fee_yuan="1000.00")]),
            _review_cmd("below_market_price", market_fee_yuan=market_fee),
            campaign_open=True,
            today=TODAY,
        )
    assert refused.value.extensions["field"] == "market_fee_yuan"


def test_below_market_price_with_a_higher_market_fee_is_taken() -> None:
    [event] = c.review(
        c.fold([_registered(annual_fee_yuan="1000.00")]),
        _review_cmd("below_market_price", market_fee_yuan="1000.01"),
        campaign_open=True,
        today=TODAY,
    )
    assert event.market_fee_yuan == Decimal("1000.01")


@pytest.mark.parametrize("ends_on", [TODAY, date(2026, 11, 30), date(2029, 12, 31)])
def test_a_contract_still_running_is_not_expired(ends_on: date) -> None:
    with pytest.raises(DomainError, match="not expired") as refused:
        c.review(
            c.fold([_registered(ends_on=ends_on)]),
            _review_cmd("expired"),
            campaign_open=True,
            today=TODAY,
        )
    assert refused.value.extensions["field"] == "findings"


def test_a_contract_that_ended_yesterday_is_expired() -> None:
    [event] = c.review(
        c.fold([_registered(ends_on=date(2026, 11, 28))]),
        _review_cmd("expired"),
        campaign_open=True,
        today=TODAY,
    )
    assert event.findings == ("expired",)


def test_no_written_contract_is_not_found_on_a_written_one() -> None:
    with pytest.raises(DomainError, match="written") as refused:
        c.review(
            c.fold([_registered(written=True)]),
            _review_cmd("no_written_contract"),
            campaign_open=True,
            today=TODAY,
        )
    assert refused.value.extensions["field"] == "findings"
    [event] = c.review(
        c.fold([_registered(written=False)]),
        _review_cmd("no_written_contract"),
        campaign_open=True,
        today=TODAY,
    )
    assert event.findings == ("no_written_contract",)


def test_a_contract_is_reviewed_once_in_a_campaign() -> None:
    state = c.fold([_registered(), _reviewed()])
    with pytest.raises(IllegalTransitionError) as refused:
        c.review(state, _review_cmd(), campaign_open=True, today=TODAY)
    assert refused.value.status == 409
    assert refused.value.current_state == "reviewed"


def test_a_contract_being_put_right_is_not_reviewed_in_another_campaign() -> None:
    state = c.fold([_registered(), _reviewed("unauthorised_use")])
    cmd = Review(campaign_id="qingli-2027")
    with pytest.raises(IllegalTransitionError, match=CAMPAIGN) as refused:
        c.review(state, cmd, campaign_open=True, today=TODAY)
    assert refused.value.current_state == "rectifying"


def test_a_finding_given_twice_is_kept_once_in_order() -> None:
    [event] = c.review(
        c.fold([_registered(written=False)]),
        _review_cmd(
            "unauthorised_use", "no_written_contract", "unauthorised_use", "no_written_contract"
        ),
        campaign_open=True,
        today=TODAY,
    )
    assert event.findings == ("unauthorised_use", "no_written_contract")


# ------------------------------------------------------------------ rectify and clear


def test_a_contract_is_not_cleared_while_a_finding_is_open() -> None:
    state = c.fold(
        [_registered(written=False), _reviewed("no_written_contract", "unauthorised_use")]
    )
    with pytest.raises(IllegalTransitionError) as refused:
        c.clear(state, Clear(), today=TODAY)
    assert refused.value.status == 409
    assert refused.value.extensions["open_findings"] == ["no_written_contract", "unauthorised_use"]
    signed = _rectify(state, action="written_contract_signed")
    state = c.evolve(state, signed)
    with pytest.raises(IllegalTransitionError) as refused:
        c.clear(state, Clear(), today=TODAY)
    assert refused.value.extensions["open_findings"] == ["unauthorised_use"]


def test_nothing_is_rectified_before_a_review() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        _rectify(c.fold([_registered()]), action="written_contract_signed")
    assert refused.value.current_state == "registered"
    with pytest.raises(IllegalTransitionError):
        _rectify(c.Contract(), action="written_contract_signed")


ALL_BUT_ARREARS: tuple[Finding, ...] = (
    "below_market_price",
    "expired",
    "no_written_contract",
    "unauthorised_use",
    "no_four_two_procedure",
)


@pytest.mark.parametrize(
    ("action", "fields", "citation"),
    [
        (
            "renegotiated",
            {
                "new_annual_fee_yuan": "1500.00",
                "new_ends_on": "2035-12-31",
                "deliberation_id": "d-7",
            },
            PASSED,
        ),
        (
            "re_tendered",
            {
                "new_annual_fee_yuan": "1500.00",
                "new_ends_on": "2035-12-31",
                "deliberation_id": "d-7",
            },
            PASSED,
        ),
        ("terminated", {"terminated_on": "2026-11-29"}, None),
        ("arrears_recovered", {"recovered_yuan": "500.00"}, None),
        ("written_contract_signed", {}, None),
    ],
)
def test_each_action_puts_right_what_remedies_says(
    action: str, fields: dict[str, object], citation: c.Citation | None
) -> None:
    state = c.fold(
        [
            _registered(written=False, ends_on=date(2025, 12, 31)),
            _reviewed(*ALL_BUT_ARREARS, "fee_arrears", arrears="500.00", market_fee="1500.00"),
        ]
    )
    event = _rectify(state, citation, action=action, **fields)
    assert set(event.remedies) == c.REMEDIES[action]  # type: ignore[index]
    # In the order the review found them.
    assert event.remedies == tuple(f for f in state.findings if f in event.remedies)
    assert c.evolve(state, event).open == state.open - c.REMEDIES[action]  # type: ignore[index]


def test_fee_arrears_are_put_right_only_by_recovering_them() -> None:
    assert [a for a, fixes in c.REMEDIES.items() if "fee_arrears" in fixes] == ["arrears_recovered"]


def test_arrears_are_recovered_in_parts_and_only_the_last_puts_them_right() -> None:
    state = c.fold([_registered(), _reviewed("fee_arrears", arrears="1000.00")])
    part = _rectify(state, action="arrears_recovered", recovered_yuan="400.00")
    assert (part.remedies, part.recovered_yuan) == ((), Decimal("400.00"))
    state = c.evolve(state, part)
    assert state.open == {"fee_arrears"}
    with pytest.raises(IllegalTransitionError):
        c.clear(state, Clear(), today=TODAY)
    with pytest.raises(DomainError, match=r"600\.00") as refused:
        _rectify(state, action="arrears_recovered", recovered_yuan="600.01")
    assert refused.value.extensions["field"] == "recovered_yuan"
    rest = _rectify(state, action="arrears_recovered", recovered_yuan="600.00")
    assert rest.remedies == ("fee_arrears",)
    state = c.evolve(state, rest)
    assert state.open == frozenset()
    cleared = _clear(state)
    assert cleared.arrears_recovered_yuan == Decimal("1000.00")
    assert cleared.recovered_income_yuan == Decimal("1000.00")


@pytest.mark.parametrize("recovered", [None, "0", "1000.01"])
def test_a_recovery_is_more_than_zero_and_no_more_than_is_owed(recovered: str | None) -> None:
    state = c.fold([_registered(), _reviewed("fee_arrears", arrears="1000.00")])
    with pytest.raises(DomainError) as refused:
        _rectify(state, action="arrears_recovered", recovered_yuan=recovered)
    assert refused.value.extensions["field"] == "recovered_yuan"


def test_arrears_are_not_recovered_where_none_were_found() -> None:
    state = c.fold([_registered(), _reviewed("unauthorised_use")])
    with pytest.raises(DomainError) as refused:
        _rectify(state, action="arrears_recovered", recovered_yuan="10")
    assert refused.value.extensions["field"] == "action"


def _below_market() -> c.Contract:
    return c.fold(
        [
            _registered(annual_fee_yuan="1000.00"),
            _reviewed("below_market_price", market_fee="1500.00"),
        ]
    )


@pytest.mark.parametrize(
    ("deliberation_id", "citation"),
    [
        (None, None),
        ("d-404", None),
        (
            "d-7",
            c.Citation(
                "d-7", "land_contracting", party_meeting_passed=False, villagers_passed=True
            ),
        ),
        ("d-7", c.Citation("d-7", "public_works", True, True)),
    ],
)
@pytest.mark.parametrize("action", ["renegotiated", "re_tendered"])
def test_a_renegotiation_or_re_tender_cites_a_passed_deliberation(
    action: str, deliberation_id: str | None, citation: c.Citation | None
) -> None:
    with pytest.raises(DomainError) as refused:
        _rectify(
            _below_market(),
            citation,
            action=action,
            new_annual_fee_yuan="1500.00",
            new_ends_on="2035-12-31",
            deliberation_id=deliberation_id,
        )
    assert refused.value.extensions["field"] == "deliberation_id"


@pytest.mark.parametrize("fee", ["1500.00", "1800.00"])
def test_a_renegotiation_at_the_market_fee_or_more_puts_the_price_right(fee: str) -> None:
    event = _rectify(
        _below_market(),
        PASSED,
        action="renegotiated",
        new_annual_fee_yuan=fee,
        deliberation_id="d-7",
    )
    assert event.remedies == ("below_market_price",)
    assert event.new_annual_fee_yuan == Decimal(fee)
    assert event.deliberation_id == "d-7"


@pytest.mark.parametrize("fee", [None, "1499.99", "1200.00"])
def test_a_renegotiation_below_the_market_fee_puts_nothing_right(fee: str | None) -> None:
    with pytest.raises(DomainError, match="none of the open findings") as refused:
        _rectify(
            _below_market(),
            PASSED,
            action="renegotiated",
            new_annual_fee_yuan=fee,
            deliberation_id="d-7",
        )
    assert refused.value.extensions["field"] == "action"


def test_a_renegotiation_puts_right_only_the_findings_whose_conditions_hold() -> None:
    state = c.fold(
        [
            _registered(annual_fee_yuan="1000.00", ends_on=date(2025, 12, 31)),
            _reviewed("below_market_price", "expired", market_fee="1500.00"),
        ]
    )
    event = _rectify(
        state,
        PASSED,
        action="renegotiated",
        new_annual_fee_yuan="1200.00",
        new_ends_on="2030-12-31",
        deliberation_id="d-7",
    )
    assert event.remedies == ("expired",)
    assert c.evolve(state, event).open == {"below_market_price"}


@pytest.mark.parametrize(
    ("new_ends_on", "puts_right"), [(TODAY, True), (date(2026, 11, 28), False), (None, False)]
)
def test_an_expired_contract_is_put_right_by_a_term_that_reaches_today(
    new_ends_on: date | None, puts_right: bool
) -> None:
    state = c.fold([_registered(ends_on=date(2025, 12, 31)), _reviewed("expired")])
    cmd = {"action": "renegotiated", "new_ends_on": new_ends_on, "deliberation_id": "d-7"}
    if puts_right:
        assert _rectify(state, PASSED, **cmd).remedies == ("expired",)
    else:
        with pytest.raises(DomainError) as refused:
            _rectify(state, PASSED, **cmd)
        assert refused.value.extensions["field"] == "action"


def test_a_new_term_ends_after_the_contract_started() -> None:
    state = c.fold(
        [_registered(starts_on=date(2020, 1, 1), ends_on=date(2025, 12, 31)), _reviewed("expired")]
    )
    with pytest.raises(DomainError) as refused:
        _rectify(
            state, PASSED, action="renegotiated", new_ends_on="2019-12-31", deliberation_id="d-7"
        )
    assert refused.value.extensions["field"] == "new_ends_on"


@pytest.mark.parametrize(
    ("missing", "fields"),
    [
        ("new_annual_fee_yuan", {"new_ends_on": "2035-12-31"}),
        ("new_ends_on", {"new_annual_fee_yuan": "1500"}),
    ],
)
def test_a_re_tender_sets_the_new_fee_and_term(missing: str, fields: dict[str, object]) -> None:
    with pytest.raises(DomainError) as refused:
        _rectify(_below_market(), PASSED, action="re_tendered", deliberation_id="d-7", **fields)
    assert refused.value.extensions["field"] == missing


def test_a_re_tender_may_go_to_a_new_contractor() -> None:
    event = _rectify(
        _below_market(),
        PASSED,
        action="re_tendered",
        deliberation_id="d-7",
        new_annual_fee_yuan="1600",
        new_ends_on="2035-12-31",
        new_contractor_id="p-202",
        new_contractor_name="李秀英",
    )
    assert event.new_contractor is not None
    assert (event.new_contractor.contractor_id, event.new_contractor.name) == ("p-202", "李秀英")
    with pytest.raises(DomainError) as refused:
        _rectify(
            _below_market(),
            PASSED,
            action="re_tendered",
            deliberation_id="d-7",
            new_annual_fee_yuan="1600",
            new_ends_on="2035-12-31",
            new_contractor_id="p-202",
        )
    assert refused.value.extensions["field"] == "new_contractor_name"


@pytest.mark.parametrize(
    "terminated_on",
    [None, date(2026, 11, 30), date(2019, 12, 31)],
    ids=["none", "future", "before-start"],
)
def test_a_termination_is_on_a_day_that_has_come_and_after_the_start(
    terminated_on: date | None,
) -> None:
    state = c.fold([_registered(starts_on=date(2020, 1, 1)), _reviewed("unauthorised_use")])
    with pytest.raises(DomainError) as refused:
        _rectify(state, action="terminated", terminated_on=terminated_on)
    assert refused.value.extensions["field"] == "terminated_on"


def test_after_a_termination_only_arrears_are_recovered() -> None:
    state = c.fold(
        [
            _registered(starts_on=date(2020, 1, 1), written=False),
            _reviewed("unauthorised_use", "no_written_contract", "fee_arrears", arrears="800.00"),
        ]
    )
    ended = _rectify(state, action="terminated", terminated_on=date(2020, 1, 1))
    assert ended.remedies == ("unauthorised_use", "no_written_contract")
    assert ended.terminated_on == date(2020, 1, 1)
    state = c.evolve(state, ended)
    with pytest.raises(IllegalTransitionError) as refused:
        _rectify(state, action="written_contract_signed")
    assert refused.value.current_state == "terminated"
    with pytest.raises(IllegalTransitionError):
        _rectify(
            state, PASSED, action="renegotiated", new_annual_fee_yuan="2000", deliberation_id="d-7"
        )
    recovered = _rectify(state, action="arrears_recovered", recovered_yuan="800.00")
    assert recovered.remedies == ("fee_arrears",)


def test_signing_a_written_contract_puts_right_no_written_contract_only() -> None:
    state = c.fold(
        [_registered(written=False), _reviewed("no_written_contract", "unauthorised_use")]
    )
    event = _rectify(state, action="written_contract_signed")
    assert event.remedies == ("no_written_contract",)
    after = c.evolve(state, event)
    assert after.written is True
    assert after.open == {"unauthorised_use"}
    with pytest.raises(DomainError) as refused:
        _rectify(after, action="written_contract_signed")
    assert refused.value.extensions["field"] == "action"


def test_an_action_carries_only_its_own_figures() -> None:
    state = c.fold([_registered(written=False), _reviewed("no_written_contract")])
    event = _rectify(
        state,
        action="written_contract_signed",
        new_annual_fee_yuan="9000",
        recovered_yuan="10",
        terminated_on=TODAY,
        new_ends_on="2040-12-31",
    )
    assert (
        event.new_annual_fee_yuan,
        event.recovered_yuan,
        event.terminated_on,
        event.new_ends_on,
    ) == (
        None,
        None,
        None,
        None,
    )
    assert c.evolve(state, event).annual_fee == Decimal("1000.00")


def test_a_contract_reviewed_with_no_findings_clears_at_once() -> None:
    state = c.fold([_registered(annual_fee_yuan="1000.00", area_mu="20.00"), _reviewed()])
    assert state.status == "reviewed"
    with pytest.raises(IllegalTransitionError):
        _rectify(state, action="written_contract_signed")
    assert _clear(state) == ContractCleared(
        contract_id="c-1",
        campaign_id=CAMPAIGN,
        area_mu=Decimal("20.00"),
        annual_fee_yuan=Decimal("1000.00"),
        previous_annual_fee_yuan=Decimal("1000.00"),
        arrears_recovered_yuan=Decimal("0"),
        fee_increase_yuan=Decimal("0"),
        recovered_income_yuan=Decimal("0"),
        cleared_on=TODAY,
    )


def test_clearing_records_what_it_brought_the_collective() -> None:
    state = c.fold(
        [
            _registered(annual_fee_yuan="1000.00", area_mu="12.34"),
            _reviewed("below_market_price", "fee_arrears", arrears="300.50", market_fee="1500.00"),
        ]
    )
    state = c.evolve(
        state,
        _rectify(
            state,
            PASSED,
            action="renegotiated",
            new_annual_fee_yuan="1600.00",
            deliberation_id="d-7",
        ),
    )
    state = c.evolve(state, _rectify(state, action="arrears_recovered", recovered_yuan="300.50"))
    cleared = _clear(state, cleared_on=date(2026, 11, 1))
    assert cleared.area_mu == Decimal("12.34")
    assert cleared.annual_fee_yuan == Decimal("1600.00")
    assert cleared.previous_annual_fee_yuan == Decimal("1000.00")
    assert cleared.arrears_recovered_yuan == Decimal("300.50")
    assert cleared.fee_increase_yuan == Decimal("600.00")
    assert cleared.recovered_income_yuan == Decimal("900.50")
    assert cleared.cleared_on == date(2026, 11, 1)
    assert cleared.terminated is False
    assert c.evolve(state, cleared).status == "cleared"


def test_a_lower_fee_is_no_negative_increase() -> None:
    state = c.fold(
        [_registered(annual_fee_yuan="1000.00", ends_on=date(2025, 12, 31)), _reviewed("expired")]
    )
    state = c.evolve(
        state,
        _rectify(
            state,
            PASSED,
            action="renegotiated",
            new_annual_fee_yuan="800.00",
            new_ends_on="2030-12-31",
            deliberation_id="d-7",
        ),
    )
    cleared = _clear(state)
    assert cleared.annual_fee_yuan == Decimal("800.00")
    assert cleared.previous_annual_fee_yuan == Decimal("1000.00")
    assert cleared.fee_increase_yuan == Decimal("0")
    assert cleared.recovered_income_yuan == Decimal("0")


def test_a_terminated_contract_clears_with_no_fee() -> None:
    state = c.fold(
        [
            _registered(annual_fee_yuan="1000.00"),
            _reviewed("unauthorised_use", "fee_arrears", arrears="250.00"),
        ]
    )
    state = c.evolve(state, _rectify(state, action="terminated", terminated_on=date(2026, 6, 30)))
    state = c.evolve(state, _rectify(state, action="arrears_recovered", recovered_yuan="250.00"))
    cleared = _clear(state)
    assert cleared.terminated is True
    assert cleared.annual_fee_yuan == Decimal("0")
    assert cleared.previous_annual_fee_yuan == Decimal("1000.00")
    assert cleared.fee_increase_yuan == Decimal("0")
    assert cleared.recovered_income_yuan == Decimal("250.00")


def test_a_contract_is_cleared_once_and_only_after_a_review() -> None:
    with pytest.raises(IllegalTransitionError) as refused:
        c.clear(c.fold([_registered()]), Clear(), today=TODAY)
    assert refused.value.current_state == "registered"
    with pytest.raises(IllegalTransitionError):
        c.clear(c.Contract(), Clear(), today=TODAY)
    state = c.fold([_registered(), _reviewed()])
    state = c.evolve(state, _clear(state))
    with pytest.raises(IllegalTransitionError) as refused:
        c.clear(state, Clear(), today=TODAY)
    assert refused.value.status == 409
    assert refused.value.current_state == "cleared"
    with pytest.raises(IllegalTransitionError):  # and nothing is put right after it
        _rectify(state, action="written_contract_signed")


def test_a_contract_is_not_cleared_on_a_day_to_come() -> None:
    state = c.fold([_registered(), _reviewed()])
    with pytest.raises(DomainError) as refused:
        c.clear(state, Clear(cleared_on=date(2026, 11, 30)), today=TODAY)
    assert refused.value.extensions["field"] == "cleared_on"


def test_a_second_campaign_reviews_a_contract_cleared_in_the_first() -> None:
    state = c.fold(
        [
            _registered(annual_fee_yuan="1000.00"),
            _reviewed("below_market_price", market_fee="1500.00", campaign_id="qingli-2025"),
        ]
    )
    state = c.evolve(
        state,
        _rectify(
            state,
            PASSED,
            action="renegotiated",
            new_annual_fee_yuan="1500.00",
            deliberation_id="d-7",
        ),
    )
    state = c.evolve(state, _clear(state))
    [again] = c.review(
        state, _review_cmd("fee_arrears", arrears_yuan="100.00"), campaign_open=True, today=TODAY
    )
    assert again.campaign_id == CAMPAIGN
    state = c.evolve(state, again)
    assert state.status == "rectifying"
    state = c.evolve(state, _rectify(state, action="arrears_recovered", recovered_yuan="100.00"))
    cleared = _clear(state)
    assert cleared.campaign_id == CAMPAIGN
    assert cleared.previous_annual_fee_yuan == Decimal("1500.00")  # the fee at this review
    assert cleared.fee_increase_yuan == Decimal("0")
    assert cleared.recovered_income_yuan == Decimal("100.00")


def test_a_terminated_contract_is_never_stuck_in_a_later_campaign() -> None:
    state = c.fold([_registered(), _reviewed("unauthorised_use", campaign_id="qingli-2025")])
    state = c.evolve(state, _rectify(state, action="terminated", terminated_on=date(2026, 6, 30)))
    state = c.evolve(state, _clear(state))
    try:
        [again] = c.review(state, _review_cmd("unauthorised_use"), campaign_open=True, today=TODAY)
    except DomainError:
        return  # refusing such a review keeps the contract out of the dead end
    state = c.evolve(state, again)
    ways_out = [
        {"action": "terminated", "terminated_on": TODAY},
        {"action": "renegotiated", "new_annual_fee_yuan": "1000", "deliberation_id": "d-7"},
        {
            "action": "re_tendered",
            "new_annual_fee_yuan": "1000",
            "new_ends_on": "2035-12-31",
            "deliberation_id": "d-7",
        },
    ]
    put_right = []
    for fields in ways_out:
        try:
            put_right.append(_rectify(state, PASSED, **fields))
        except DomainError:
            continue
    assert put_right, "no action puts the finding right, and the contract cannot be cleared"
