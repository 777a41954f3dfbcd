"""The collective economy through the gateway, on the platform as ``make run`` starts it, with
real logins: Dongzhuang's contract clearing from commands and events only — 98 contracts
cleared covering 624.16 mu and more than 630,000 yuan for the collective — with party's
deliberation cited across the broker, the clearing → income policy replayed without a second
entry, the co-operative, the quarterly statement read without logging in (JSON, CSV, XLSX),
the county summary, and bad input refused with nothing stored."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
import openpyxl
import pytest

from tests.e2e.people import (
    DONGZHUANG,
    CountyPeople,
    assert_problem,
    chain_head,
    eventually,
    passed_deliberation,
    post_ok,
)
from tests.e2e.running import RunningPlatform
from tests.e2e.test_personal_data import _ops

pytestmark = pytest.mark.integration

V = DONGZHUANG
ECONOMY = f"/api/v1/villages/{V}/economy"
PARTY = f"/api/v1/villages/{V}/party"
CAMPAIGN = "dongzhuang-qingli-2026"
HEADER = (
    "合同编号,资产编号,资产类别,资产名称,承包方编号,承包方,承包面积(亩),年承包费(元),"
    "起始日期,终止日期,书面合同"
)


def _areas() -> list[Decimal]:
    """98 parcels whose areas add up to exactly 624.16 mu (as the article reports)."""
    areas = [Decimal("6.37") + Decimal("0.11") * ((i % 7) - 3) for i in range(98)]
    areas[0] -= Decimal("0.10")
    assert sum(areas) == Decimal("624.16")
    return areas


def _findings(i: int) -> dict[str, Any]:
    """What the review of contract i finds (a mix, as a real register has)."""
    if i % 3 == 0:
        return {"findings": ["fee_arrears"], "arrears_yuan": f"{11000 + 25 * i}.50"}
    if i % 3 == 1:
        return {"findings": ["below_market_price", "no_written_contract"],
                "market_fee_yuan": "4200.00"}  # fmt: skip
    return {"findings": ["fee_arrears", "below_market_price"],
            "arrears_yuan": f"{4000 + 10 * i}.00", "market_fee_yuan": "4500.00"}  # fmt: skip


def _register_csv(areas: list[Decimal]) -> bytes:
    rows = [HEADER]
    for i, area in enumerate(areas):
        written = "否" if i % 3 == 1 else "是"
        rows.append(
            f"DZ-HT-{i:03d},DZ-GD-{i:03d},耕地,东庄第{i % 40 + 1}网格承包地,DZ-CB-{i:03d},"
            f"承包户{i:03d},{area},3000.00,2019-01-01,2028-12-31,{written}"
        )
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


def _expected_recovered() -> Decimal:
    total = Decimal(0)
    for i in range(98):
        f = _findings(i)
        total += Decimal(f.get("arrears_yuan", "0"))
        if "market_fee_yuan" in f:
            total += Decimal(f["market_fee_yuan"]) - Decimal("3000.00")
    return total


def _chain(platform: RunningPlatform) -> int:
    return chain_head(platform, "economy", V)


def test_dongzhuang_clears_98_contracts_and_the_county_sees_it(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    people = county.villages[V]
    areas = _areas()
    with platform.client(people.staff) as staff, platform.client(people.secretary) as secretary:
        # The register from the accountant's spreadsheet, imported once.
        data = _register_csv(areas)
        imported = staff.post(
            f"{ECONOMY}/contracts/import", content=data,
            headers={"Content-Type": "text/csv"}, params={"filename": "东庄村承包合同台账.csv"},
        )  # fmt: skip
        assert imported.status_code == 201, imported.text
        assert imported.json()["contracts_added"] == 98
        assert imported.json()["assets_added"] == 98
        again = staff.post(
            f"{ECONOMY}/contracts/import", content=data, headers={"Content-Type": "text/csv"}
        )
        assert again.status_code == 201, again.text
        assert again.json()["already_imported"] is True and again.json()["contracts_added"] == 0

        # 四议两公开 in party, learnt by economy from party's events on the broker.
        party_token = passed_deliberation(
            secretary, V, "dz-land-2026", matter="land_contracting",
            topic="集体土地承包合同清理与重新议价",
        )  # fmt: skip

        post_ok(secretary, f"{ECONOMY}/campaigns", {
            "campaign_id": CAMPAIGN, "name": "东庄村2026年农村集体经济合同清理",
            "year": 2026, "starts_on": "2026-03-01",
        })  # fmt: skip
        last = ""
        for i in range(98):
            contract = f"{ECONOMY}/contracts/DZ-HT-{i:03d}"
            found = _findings(i)
            post_ok(staff, f"{contract}/review", {"campaign_id": CAMPAIGN, **found})
            if "arrears_yuan" in found:
                recovered = {"action": "arrears_recovered", "recovered_yuan": found["arrears_yuan"]}
                post_ok(staff, f"{contract}/rectifications", recovered)
            if "market_fee_yuan" in found:
                post_ok(
                    staff, f"{contract}/rectifications",
                    {"action": "renegotiated", "new_annual_fee_yuan": found["market_fee_yuan"],
                     "deliberation_id": "dz-land-2026", "note": "按市场价重新议价并签订书面合同"},
                    **{"X-Consistency-Token": party_token},
                )  # fmt: skip
            month = 7 + i % 3  # cleared through the third quarter
            cleared = post_ok(staff, f"{contract}/clear", {"cleared_on": f"2026-0{month}-15"})
            last = cleared["consistency_token"]

        expected = _expected_recovered()
        assert expected > Decimal("630000")
        progress = staff.get(
            f"{ECONOMY}/campaigns/{CAMPAIGN}", headers={"X-Consistency-Token": last}
        ).json()
        assert (progress["reviewed"], progress["with_findings"]) == (98, 98)
        assert (progress["rectified"], progress["cleared"]) == (98, 98)
        assert Decimal(progress["cleared_area_mu"]) == Decimal("624.16")
        assert Decimal(progress["recovered_income_yuan"]) == expected

        # The income the policy recorded from the clearings: to the fen.
        def ledger() -> dict[str, Any] | None:
            body = staff.get(f"{ECONOMY}/income", params={"year": 2026, "limit": 500}).json()
            ours = [e for e in body["entries"] if e["reference"].startswith(f"合同清理 {CAMPAIGN}")]
            return body if sum(Decimal(e["amount_yuan"]) for e in ours) == expected else None

        body = eventually(ledger, timeout=60)
        ours = [e for e in body["entries"] if e["reference"].startswith(f"合同清理 {CAMPAIGN}")]
        assert len(ours) == len({e["entry_id"] for e in ours})

        # Replayed from Kafka (the policy and the read model rebuilt): not one entry twice.
        for projection in ("clearing_income", "economy"):
            rebuilt = _ops(platform, "economy", "rebuild", projection)
            assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        after = eventually(ledger, timeout=60)
        assert after["total_yuan"] == body["total_yuan"]
        assert after["entries_total"] == body["entries_total"]
        recorded = platform.query(
            "economy",
            "select count(*) as n from events where type = 'economy.income.recorded.v1' "
            "and village = $1 and data->>'reference' like $2",
            V,
            f"合同清理 {CAMPAIGN}%",
        )
        assert recorded[0]["n"] == len(ours)

        _cooperative_and_enterprises(staff)

    # The quarter's statement, by anyone, without logging in: JSON, CSV and XLSX agree.
    with platform.client() as anyone:
        statement = anyone.get(f"/api/v1/public/villages/{V}/economy/finance/2026/3")
        assert statement.status_code == 200, statement.text
        figures = statement.json()
        ours = [k for k in figures["cleared"] if k["contract_id"].startswith("DZ-HT-")]
        assert len(ours) == 98
        assert sum(Decimal(k["area_mu"]) for k in ours) == Decimal("624.16")
        assert Decimal(figures["total_yuan"]) >= expected
        assert "承包户" not in statement.text  # contractors are not named in public
        as_csv = anyone.get(
            f"/api/v1/public/villages/{V}/economy/finance/2026/3", params={"format": "csv"}
        )
        assert as_csv.status_code == 200 and "attachment" in as_csv.headers["content-disposition"]
        text = as_csv.content.decode("utf-8-sig")
        assert figures["total_yuan"] in text
        assert any("DZ-HT-097" in row for row in csv.reader(io.StringIO(text)))
        as_xlsx = anyone.get(
            f"/api/v1/public/villages/{V}/economy/finance/2026/3", params={"format": "xlsx"}
        )
        assert as_xlsx.status_code == 200, as_xlsx.text
        book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                 for c in row]  # fmt: skip
        assert "DZ-HT-097" in cells
        assert Decimal(figures["total_yuan"]) in {
            Decimal(str(c)) for c in cells if isinstance(c, int | float | Decimal)
        }
        # Anything else of economy's still needs a login.
        assert_problem(anyone.get(f"/api/v1/public/villages/{V}/economy/contracts"), 401)

    # The county sees economy beside grid and party.
    with platform.client(county.admin) as admin:
        summary = admin.get(f"/api/v1/counties/{county.county}/summary").json()
    village = next(v for v in summary["villages"] if v["code"] == V)
    assert {"grid", "party", "economy"} <= set(village["services"]), village
    figures = village["services"]["economy"]
    assert figures["contracts"]["cleared"] >= 98
    assert Decimal(figures["contracts"]["cleared_area_mu"]) >= Decimal("624.16")
    assert figures["cooperatives"] >= 1 and figures["villagers_employed"] >= 1


def _cooperative_and_enterprises(http: httpx.Client) -> None:
    """田园薯业专业合作社 with its two crops; the casting park and the pipe maker employing."""
    post_ok(http, f"{ECONOMY}/cooperatives", {
        "coop_id": "tianyuan-shuye", "name": "田园薯业专业合作社", "crops": ["马铃薯", "西兰花"],
        "members": 126, "pooled_land_mu": "620.00", "brand": "东庄田园",
        "registered_on": "2017-03-15",
    })  # fmt: skip
    for crop, harvest, area, kg in (("马铃薯", "potato-2026", "420.00", "1260000"),
                                    ("西兰花", "broccoli-2026", "200.00", "300000.5")):  # fmt: skip
        post_ok(http, f"{ECONOMY}/cooperatives/tianyuan-shuye/harvests", {
            "harvest_id": harvest, "crop": crop, "area_mu": area, "output_kg": kg,
            "season": "2026-autumn", "harvested_on": "2026-09-25",
        })  # fmt: skip
    post_ok(http, f"{ECONOMY}/cooperatives/tianyuan-shuye/sales", {
        "sale_id": "broccoli-2026-1", "crop": "西兰花", "quantity_kg": "150000",
        "amount_yuan": "420000.00", "buyer": "太原河西农产品市场", "sold_on": "2026-10-03",
    })  # fmt: skip
    for enterprise_id, name, park, state, employed in (
        ("dz-casting-park", "东庄铸造产业园区", "东庄铸造产业园区", False, 310),
        ("xinguanghua", "新光华铸管", "东庄铸造产业园区", True, 145),
    ):
        post_ok(http, f"{ECONOMY}/enterprises", {
            "enterprise_id": enterprise_id, "name": name, "sector": "casting", "park": park,
            "state_owned": state,
        })  # fmt: skip
        post_ok(http, f"{ECONOMY}/enterprises/{enterprise_id}/employment",
              {"villagers_employed": employed, "as_of": "2026-10-31"})  # fmt: skip
    coop = eventually(lambda: _ready(http, f"{ECONOMY}/cooperatives/tianyuan-shuye", "sales"))
    assert coop["crops"] == ["马铃薯", "西兰花"]
    assert {h["crop"] for h in coop["harvests"]} == {"马铃薯", "西兰花"}
    assert coop["sales_yuan"] == "420000.00"


def _ready(http: httpx.Client, path: str, key: str) -> dict[str, Any] | None:
    response = http.get(path)
    if response.status_code != 200:
        return None
    body: dict[str, Any] = response.json()
    return body if body.get(key) else None


def test_a_contract_citing_a_deliberation_that_has_not_passed_is_refused(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    people = county.villages[V]
    with platform.client(people.secretary) as http:
        post_ok(http, f"{ECONOMY}/assets", {"asset_id": "dz-pond-1", "kind": "pond",
                                          "name": "村南坑塘", "area_mu": "8.40"})  # fmt: skip
        award = {
            "contract_id": "dz-pond-award", "asset_id": "dz-pond-1", "contractor_id": "p-yu",
            "contractor_name": "于承包", "area_mu": "8.40", "annual_fee_yuan": "5600.00",
            "starts_on": "2027-01-01", "ends_on": "2036-12-31", "origin": "award",
            "deliberation_id": "dz-pond-2026",
        }  # fmt: skip
        before = _chain(platform)
        unknown = assert_problem(http.post(f"{ECONOMY}/contracts", json=award), 422)
        assert unknown["field"] == "deliberation_id" and "dz-pond-2026" in unknown["detail"]
        post_ok(http, f"{PARTY}/deliberations", {
            "deliberation_id": "dz-pond-2026", "kind": "villager_deliberation",
            "topic": "村南坑塘发包", "matter": "collective_assets",
        })  # fmt: skip
        # The party members' meeting falls short of two thirds attending: not passed.
        meeting = post_ok(http, f"{PARTY}/deliberations/dz-pond-2026/party-meeting",
                        {"members_total": 90, "attending": 50, "agreeing": 50})  # fmt: skip
        refused = http.post(
            f"{ECONOMY}/contracts", json=award,
            headers={"X-Consistency-Token": meeting["consistency_token"]},
        )  # fmt: skip
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert "has not passed" in body["detail"] and body["field"] == "deliberation_id"
        assert _chain(platform) == before  # nothing stored

        post_ok(http, f"{PARTY}/deliberations/dz-pond-2026/party-meeting",
              {"members_total": 90, "attending": 80, "agreeing": 77})  # fmt: skip
        vote = {"representatives": False, "votes_for": 400, "votes_against": 35}
        token = post_ok(http, f"{PARTY}/deliberations/dz-pond-2026/villagers-resolution", vote)
        awarded = http.post(
            f"{ECONOMY}/contracts", json=award,
            headers={"X-Consistency-Token": token["consistency_token"]},
        )  # fmt: skip
        assert awarded.status_code == 201, awarded.text
        after = {"X-Consistency-Token": awarded.json()["consistency_token"]}
        shown = http.get(f"{ECONOMY}/contracts/dz-pond-award", headers=after)
        assert shown.json()["deliberation_id"] == "dz-pond-2026"
        assert shown.json()["origin"] == "award"
        # The same pond for a term that meets it: a conflict naming the contract.
        overlap = assert_problem(
            http.post(f"{ECONOMY}/contracts", json={
                **award, "contract_id": "dz-pond-2", "starts_on": "2036-12-31",
                "ends_on": "2040-12-31",
            }),
            409,
        )  # fmt: skip
        assert overlap["other_contract_id"] == "dz-pond-award"


BAD_CONTRACTS: list[tuple[str, dict[str, Any], str]] = [
    ("negative area", {"area_mu": "-5.00"}, "area_mu"),
    ("absurd area", {"area_mu": "1000000"}, "area_mu"),
    ("absurd fee", {"annual_fee_yuan": "99999999999"}, "annual_fee_yuan"),
    ("a fee of three places", {"annual_fee_yuan": "12.345"}, "annual_fee_yuan"),
    ("non-numeric money", {"annual_fee_yuan": "三千元"}, "annual_fee_yuan"),
    ("money as a float", {"annual_fee_yuan": 3200.5}, "annual_fee_yuan"),
    ("unknown asset", {"asset_id": "no-such-plot"}, "asset_id"),
    ("dates out of order", {"starts_on": "2028-01-01", "ends_on": "2020-12-31"}, "ends_on"),
]


@pytest.mark.parametrize(
    ("case", "change", "field"), BAD_CONTRACTS, ids=[c[0] for c in BAD_CONTRACTS]
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    platform: RunningPlatform, county: CountyPeople, case: str, change: dict[str, Any], field: str
) -> None:
    with platform.client(county.villages[V].staff) as http:
        asset = f"dz-bad-{abs(hash(case)) % 10**8}"
        http.post(f"{ECONOMY}/assets", json={"asset_id": asset, "kind": "farmland",
                                             "name": "试验地", "area_mu": "20.00"})  # fmt: skip
        before = _chain(platform)
        body = {
            "contract_id": f"{asset}-c", "asset_id": asset, "contractor_id": "p-bad",
            "contractor_name": "测试户", "area_mu": "5.00", "annual_fee_yuan": "3200.00",
            "starts_on": "2020-01-01", "ends_on": "2029-12-31", **change,
        }  # fmt: skip
        problem = http.post(f"{ECONOMY}/contracts", json=body)
        assert problem.status_code == 422, problem.text
        named = problem.json().get("field") or " ".join(
            e["field"] for e in problem.json().get("errors", [])
        )
        assert field in named, problem.text
        assert _chain(platform) == before


def test_an_import_with_one_bad_row_imports_nothing(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    rows = [
        HEADER,
        "IMP-1,IMP-A1,耕地,北洼,IMP-P1,张三,4.00,2000.00,2020-01-01,2029-12-31,是",
        "IMP-2,IMP-A2,耕地,南洼,IMP-P2,李四,-3.00,2000.00,2020-01-01,2029-12-31,是",
        "IMP-3,IMP-A3,耕地,西洼,IMP-P3,王五,3.00,2000.00,2020-01-01,2029-12-31,是",
    ]
    with platform.client(county.villages[V].staff) as http:
        before = _chain(platform)
        refused = http.post(
            f"{ECONOMY}/contracts/import",
            content="\n".join(rows).encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert refused.status_code == 422, refused.text
        errors = refused.json()["errors"]
        assert [(e["row"], e["column"]) for e in errors] == [(3, "area_mu")]
        assert _chain(platform) == before
        assert http.get(f"{ECONOMY}/contracts/IMP-1").status_code == 404

        # A spreadsheet with a formula: refused, naming the cell.
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER.split(","))
        sheet.append(["IMP-4", "IMP-A4", "耕地", "东洼", "IMP-P4", "赵六", "4.00", "=2000*2",
                      "2020-01-01", "2029-12-31", "是"])  # fmt: skip
        buffer = io.BytesIO()
        book.save(buffer)
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        formula = http.post(f"{ECONOMY}/contracts/import", content=buffer.getvalue(),
                            headers={"Content-Type": xlsx})  # fmt: skip
        assert formula.status_code == 422, formula.text
        assert [(e["row"], e["column"]) for e in formula.json()["errors"]] == [
            (2, "annual_fee_yuan")
        ]
        # Ten megabytes: refused before it is read.
        huge = http.post(f"{ECONOMY}/contracts/import", content=b"a" * (10 * 1024 * 1024),
                         headers={"Content-Type": "text/csv"})  # fmt: skip
        problem = assert_problem(huge, 413)
        assert problem["field"] == "file"
        assert _chain(platform) == before


BAD_OTHERS: list[tuple[str, str, dict[str, Any], str]] = [
    ("negative income", "income", {
        "entry_id": "bad-in-1", "source": "subsidy", "amount_yuan": "-100.00", "year": 2026,
        "received_on": "2026-05-01", "reference": "补助"}, "amount_yuan"),
    ("income received outside its year", "income", {
        "entry_id": "bad-in-2", "source": "subsidy", "amount_yuan": "100.00", "year": 2025,
        "received_on": "2026-05-01", "reference": "补助"}, "received_on"),
    ("income in the future", "income", {
        "entry_id": "bad-in-3", "source": "tourism", "amount_yuan": "100.00", "year": 2099,
        "received_on": "2099-05-01", "reference": "门票"}, "received_on"),
    ("a co-operative of no members", "cooperatives", {
        "coop_id": "bad-coop", "name": "空合作社", "crops": ["马铃薯"], "members": 0,
        "registered_on": "2020-01-01"}, "members"),
    ("a campaign year of 1900", "campaigns", {
        "campaign_id": "bad-year", "name": "清理", "year": 1900, "starts_on": "1900-01-01"},
     "year"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "path", "body", "field"), BAD_OTHERS, ids=[c[0] for c in BAD_OTHERS]
)
def test_bad_income_and_registrations_are_refused_naming_the_field(
    platform: RunningPlatform,
    county: CountyPeople,
    case: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    with platform.client(county.villages[V].secretary) as http:
        before = _chain(platform)
        problem = http.post(f"{ECONOMY}/{path}", json=body)
        assert problem.status_code == 422, problem.text
        named = problem.json().get("field") or " ".join(
            e["field"] for e in problem.json().get("errors", [])
        )
        assert field in named, problem.text
        assert _chain(platform) == before
