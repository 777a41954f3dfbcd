"""Livelihood through the gateway, on the platform as ``make run`` starts it, with real logins:
Dongzhuang's public works, environment remediation and practical things (domain.md §4) from
commands only — the public-works deliberation passed in party and cited across the broker,
every works item proposed, approved, funded, started, reported on, completed and accepted;
the "six disorders" campaign with its partner; 22 practical things done, one acknowledged by
the resident who asked — then the figures read back exactly, the county summary showing
livelihood beside grid, party and economy, and bad input refused naming the field with
nothing stored.

Every id here starts with ``dz-lh-``: other tests share the session's platform, so figures
that count the whole village are checked against this file's own items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.people import (
    DONGZHUANG,
    XIZHUANG,
    CountyPeople,
    assert_problem,
    chain_head,
    passed_deliberation,
    post_ok,
)
from tests.e2e.running import RunningPlatform

pytestmark = pytest.mark.integration

V = DONGZHUANG
LIVELIHOOD = f"/api/v1/villages/{V}/livelihood"
TOKEN = "X-Consistency-Token"
DELIBERATION = "dz-lh-works-2026"
CAMPAIGN = "dz-lh-liuluan-2026"
CONTRACTOR = {"contractor_id": "builder-1", "contractor": "东庄建筑队"}
FUNDING = ["collective", "county"]

# The works of the article: id, category, title, quantity, unit, budget, cost (yuan). The field
# roads were levelled in three sections and the leaks repaired in two batches.
WORKS: list[tuple[str, str, str, str, str, str, str]] = [
    ("dz-lh-service-centre", "service_centre", "党群服务中心提标改造", "400", "m2",
     "680000.00", "652300.00"),
    ("dz-lh-elderly-care", "elderly_care", "老年人日间照料中心", "300", "m2",
     "450000.00", "438150.50"),
    ("dz-lh-drainage", "drainage", "正街下水", "300", "m", "360000.00", "351200.00"),
    ("dz-lh-entry-road", "road", "入村主干道拓宽", "800", "m", "1200000.00", "1185000.00"),
    ("dz-lh-field-road-north", "field_road", "田间道路平整拓宽（北片）", "3500", "m",
     "420000.00", "411800.00"),
    ("dz-lh-field-road-south", "field_road", "田间道路平整拓宽（南片）", "3000", "m",
     "360000.00", "352400.00"),
    ("dz-lh-field-road-west", "field_road", "田间道路平整拓宽（西片）", "2800", "m",
     "336000.00", "329990.00"),
    ("dz-lh-leaks-1", "leak_repair", "自来水管网漏水点维修（一期）", "30", "spot",
     "45000.00", "43800.00"),
    ("dz-lh-leaks-2", "leak_repair", "自来水管网漏水点维修（二期）", "22", "spot",
     "33000.00", "31950.00"),
]  # fmt: skip
# What domain.md §4 reports, per category: the accepted works add up to exactly this.
ACCEPTED = {
    "service_centre": (Decimal("400"), "m2"),
    "elderly_care": (Decimal("300"), "m2"),
    "drainage": (Decimal("300"), "m"),
    "road": (Decimal("800"), "m"),
    "field_road": (Decimal("9300"), "m"),
    "leak_repair": (Decimal("52"), "spot"),  # more than 50
}

# 六乱治理, with the village's enterprise (村企联建): id, kind, count, quantity, partner.
ACTIONS: list[tuple[str, str, int, str | None, str | None]] = [
    ("dz-lh-garbage-points", "garbage_point_removed", 10, None, None),
    ("dz-lh-garbage", "garbage_cleared", 1, "8200", "新光华铸管"),
    ("dz-lh-weeds", "weeds_cleared", 720, None, None),
    ("dz-lh-illegal-buildings", "illegal_building_demolished", 43, "1320", "新光华铸管"),
    ("dz-lh-park", "park_built", 1, "2500", None),
    ("dz-lh-square", "square_built", 1, "1000", None),
    ("dz-lh-walls", "wall_painted", 1, "5670", None),
    ("dz-lh-murals", "mural_painted", 1, "480", None),
    ("dz-lh-ruined-walls", "ruined_wall_removed", 1, "500", None),
]
# kind → (count, quantity, unit), as the article has them.
REMEDIATED = {
    "garbage_point_removed": (10, None, None),
    "garbage_cleared": (1, Decimal("8200"), "m3"),  # more than 8,000 m³
    "weeds_cleared": (720, None, None),  # more than 700 spots
    "illegal_building_demolished": (43, Decimal("1320"), "m2"),  # 43, more than 1,300 m²
    "park_built": (1, Decimal("2500"), "m2"),
    "square_built": (1, Decimal("1000"), "m2"),
    "wall_painted": (1, Decimal("5670"), "m2"),
    "mural_painted": (1, Decimal("480"), "m2"),
    "ruined_wall_removed": (1, Decimal("500"), "m2"),
}

# 为民办实事: more than 20 since the election; the first half asked for by a resident.
THINGS = [
    "村口路灯维修", "独居老人家中安装扶手", "小学门口增设减速带", "东街排水沟清淤",
    "卫生室配备血压计", "北街破损井盖更换", "老年活动室添置桌椅", "困难户冬季取暖补助",
    "村委会便民服务代办点", "南街积水点整治", "广场健身器材维修", "田间机井电路检修",
    "幼儿园周边安全护栏", "垃圾桶增设50个", "村内公交站点遮雨棚", "农家书屋图书更新",
    "残疾人家庭无障碍改造", "自来水水压改善", "西街危墙拆除", "留守儿童暑期托管",
    "村史馆展板更新", "主干道绿化补植",
]  # fmt: skip
SHARED = len(THINGS) // 2  # the first half: a resident's requests


def _get(http: httpx.Client, path: str, token: str, **params: Any) -> Any:
    response = http.get(path, params=params, headers={TOKEN: token})
    assert response.status_code == 200, (path, response.text)
    assert response.headers.get("X-Consistency") == "caught-up", path
    return response.json()


def _chain(platform: RunningPlatform) -> int:
    return chain_head(platform, "livelihood", V)


def _passed_public_works(http: httpx.Client, village: str, deliberation_id: str) -> str:
    """A public-works deliberation through party's meetings; party's consistency token."""
    return passed_deliberation(
        http, village, deliberation_id, matter="public_works", votes=(43, 2),
        topic="民生工程：党群服务中心、照料中心、下水、道路与漏水点",
    )  # fmt: skip


def _proposal(works_id: str, category: str = "other", **change: Any) -> dict[str, Any]:
    return {
        "works_id": works_id, "category": category, "title": "测试工程",
        "planned_quantity": "10", "unit": "m" if category != "leak_repair" else "spot",
        "budget_yuan": "10000.00", **change,
    }  # fmt: skip


def _approved(
    staff: httpx.Client, secretary: httpx.Client, works_id: str, cited: tuple[str, str]
) -> None:
    """A works item proposed by the staff and approved by the secretary on ``cited``
    (the deliberation and party's token)."""
    post_ok(staff, f"{LIVELIHOOD}/works", _proposal(works_id, "road"))
    post_ok(secretary, f"{LIVELIHOOD}/works/{works_id}/approval",
          {"deliberation_id": cited[0], "funding": FUNDING}, **{TOKEN: cited[1]})  # fmt: skip


# ------------------------------------------------------------------ the scenario


def test_dongzhuang_livelihood_from_commands_to_the_county_summary(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    people = county.villages[V]
    resident = people.residents[0]
    with platform.client(people.staff) as staff, platform.client(people.secretary) as secretary:
        # 四议两公开 on the works in party; livelihood learns it from party's events.
        party_token = _passed_public_works(secretary, V, DELIBERATION)
        _works(staff, secretary, party_token)
        _remediation(staff)
        _practical(staff, secretary, str(people.secretary.person_id), resident.person_id)

    with platform.client(resident) as asker:
        # The resident who asked says it is done; the token covers every command before it.
        thing = f"{LIVELIHOOD}/practical-things/dz-lh-thing-00"
        acknowledged = post_ok(asker, f"{thing}/acknowledgement", {"satisfied": True})
        last = acknowledged["consistency_token"]

    with platform.client(people.secretary) as secretary:
        _check_works(secretary, last)
        _check_remediation(secretary, last)
        _check_practical(secretary, last, resident.person_id)

    # The county sees livelihood beside grid, party and economy.
    with platform.client(county.admin) as admin:
        response = admin.get(f"/api/v1/counties/{county.county}/summary")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["partial"] is False, summary
    village = next(v for v in summary["villages"] if v["code"] == V)
    assert {"grid", "party", "economy", "livelihood"} <= set(village["services"]), village
    figures = village["services"]["livelihood"]
    assert figures["village"] == V
    accepted = _accepted(figures["works"])
    for category, (done, _) in ACCEPTED.items():
        assert Decimal(accepted[category]["done"]) >= done, (category, accepted[category])
    remediated = {r["kind"]: r for r in figures["remediation"]}
    for kind, (count, measured, _) in REMEDIATED.items():
        assert remediated[kind]["count"] >= count
        if measured is not None:
            assert Decimal(remediated[kind]["quantity"]) >= measured
    assert figures["practical_things"]["done"] >= len(THINGS)


def _works(staff: httpx.Client, secretary: httpx.Client, party_token: str) -> None:
    """Every works item of the article from proposal to acceptance."""
    for n, (works_id, category, title, quantity, unit, budget, cost) in enumerate(WORKS):
        path = f"{LIVELIHOOD}/works/{works_id}"
        post_ok(staff, f"{LIVELIHOOD}/works", {
            "works_id": works_id, "category": category, "title": title,
            "planned_quantity": quantity, "unit": unit, "budget_yuan": budget,
            "deliberation_id": DELIBERATION,
        })  # fmt: skip
        approval = {"deliberation_id": DELIBERATION, "funding": FUNDING}
        post_ok(secretary, f"{path}/approval", approval, **{TOKEN: party_token})
        county_share = (Decimal(budget) * Decimal("0.6")).quantize(Decimal("0.01"))
        post_ok(staff, f"{path}/funding", {"source": "county", "amount_yuan": str(county_share)})
        collective_share = Decimal(budget) - county_share
        post_ok(
            staff, f"{path}/funding", {"source": "collective", "amount_yuan": str(collective_share)}
        )
        post_ok(staff, f"{path}/start", {"started_on": f"2026-04-{n + 1:02d}", **CONTRACTOR})
        post_ok(staff, f"{path}/progress", {
            "quantity_done": str(Decimal(quantity) // 2), "note": "完成过半",
            "photos": [f"photos/{works_id}/half.jpg"],
        })  # fmt: skip
        completed_on = f"2026-10-{n + 10:02d}"
        post_ok(staff, f"{path}/completion",
              {"quantity": quantity, "cost_yuan": cost, "completed_on": completed_on})  # fmt: skip
        post_ok(secretary, f"{path}/acceptance", {"passed": True, "note": "验收合格"})


def _remediation(staff: httpx.Client) -> None:
    post_ok(staff, f"{LIVELIHOOD}/remediation/campaigns", {
        "campaign_id": CAMPAIGN, "name": "东庄村人居环境整治（六乱治理）",
        "starts_on": "2026-03-01", "partners": ["新光华铸管"],
    })  # fmt: skip
    for n, (action_id, kind, count, quantity, partner) in enumerate(ACTIONS):
        body: dict[str, Any] = {
            "action_id": action_id, "kind": kind, "count": count,
            "done_on": f"2026-0{3 + n % 6}-{10 + n:02d}",
        }  # fmt: skip
        if quantity is not None:
            body["quantity"] = quantity
        if partner is not None:
            body["partner"] = partner
        post_ok(staff, f"{LIVELIHOOD}/remediation/campaigns/{CAMPAIGN}/actions", body)


def _practical(staff: httpx.Client, secretary: httpx.Client, owner: str, resident: Any) -> None:
    """22 practical things: half a resident's requests, half the deliberation's; all done."""
    for n, title in enumerate(THINGS):
        item_id = f"dz-lh-thing-{n:02d}"
        body: dict[str, Any] = {
            "item_id": item_id, "title": title, "owner_id": owner, "deadline": "2027-06-30",
        }  # fmt: skip
        if n < SHARED:
            body |= {"resident_id": resident, "words": f"请村里帮忙：{title}"}
        else:
            body["deliberation_id"] = DELIBERATION
        post_ok(staff, f"{LIVELIHOOD}/practical-things", body)
        post_ok(secretary, f"{LIVELIHOOD}/practical-things/{item_id}/done",
              {"done_on": f"2026-{5 + n % 6:02d}-15", "beneficiaries": 10 + n})  # fmt: skip


def _accepted(figures: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The accepted works' row of each of the article's categories, in its unit (a row is a
    stage, a category and a unit)."""
    rows = {(f["category"], f["unit"]): f for f in figures if f["stage"] == "accepted"}
    return {category: rows[category, unit] for category, (_, unit) in ACCEPTED.items()}


def _check_works(http: httpx.Client, token: str) -> None:
    # Each item exactly as recorded.
    for works_id, category, _, quantity, unit, budget, cost in WORKS:
        works = _get(http, f"{LIVELIHOOD}/works/{works_id}", token)
        assert (works["stage"], works["category"], works["unit"]) == ("accepted", category, unit)
        assert Decimal(works["planned_quantity"]) == Decimal(quantity)
        assert Decimal(works["quantity_done"]) == Decimal(quantity)
        assert Decimal(works["budget_yuan"]) == Decimal(budget)
        assert Decimal(works["funded_yuan"]) == Decimal(budget)
        assert Decimal(works["cost_yuan"]) == Decimal(cost)
        assert works["deliberation_id"] == DELIBERATION and works["funding"] == FUNDING
        assert works["contractor"] == CONTRACTOR["contractor"]
        assert works["started_on"].startswith("2026-04-")
        assert works["completed_on"].startswith("2026-10-")
        log = [entry["what"] for entry in works["log"]]
        assert log == [
            "proposed", "approved", "funded:county", "funded:collective", "started", "progress",
            "completed", "accepted",
        ], log  # fmt: skip
        half = next(e for e in works["log"] if e["what"] == "progress")
        assert half["photos"] == [f"photos/{works_id}/half.jpg"]

    # The village's statistics: the accepted works by category, to the unit. Other tests'
    # accepted works (if any) are taken out by the list of accepted works read at the same point.
    stats = _get(http, f"{LIVELIHOOD}/statistics", token)
    assert stats["village"] == V
    page = _get(http, f"{LIVELIHOOD}/works", token, stage="accepted", limit=500)
    assert page["total"] == len(page["items"]), "more accepted works than one page"
    ours = {w[0] for w in WORKS}
    accepted = _accepted(stats["works"])
    for category, (total, unit) in ACCEPTED.items():
        figure = accepted[category]
        same = [w for w in page["items"] if (w["category"], w["unit"]) == (category, unit)]
        mine = [w for w in same if w["works_id"] in ours]
        others = [w for w in same if w["works_id"] not in ours]
        assert sum(Decimal(w["quantity_done"]) for w in mine) == total, category
        assert figure["works"] == len(same), (category, figure)
        theirs = sum(Decimal(w["quantity_done"]) for w in others)
        assert Decimal(figure["done"]) - theirs == total, (category, figure)
        assert Decimal(figure["done"]) >= total
    assert accepted["field_road"]["works"] >= 3 and accepted["leak_repair"]["works"] >= 2


def _check_remediation(http: httpx.Client, token: str) -> None:
    actions = _get(http, f"{LIVELIHOOD}/remediation/campaigns/{CAMPAIGN}/actions", token)
    assert {a["action_id"] for a in actions} == {a[0] for a in ACTIONS}
    by_kind = {a["kind"]: a for a in actions}
    assert set(by_kind) == set(REMEDIATED)
    for kind, (count, quantity, unit) in REMEDIATED.items():
        action = by_kind[kind]
        assert action["count"] == count, action
        assert (None if action["quantity"] is None else Decimal(action["quantity"])) == quantity
        assert action["unit"] == unit, action
    assert by_kind["garbage_cleared"]["partner"] == "新光华铸管"

    totals = {t["kind"]: t for t in _get(http, f"{LIVELIHOOD}/remediation", token)}
    stats = _get(http, f"{LIVELIHOOD}/statistics", token)
    assert {t["kind"]: t for t in stats["remediation"]} == totals
    for kind, (count, quantity, unit) in REMEDIATED.items():
        assert totals[kind]["count"] >= count and totals[kind]["unit"] == unit
        if quantity is not None:
            assert Decimal(totals[kind]["quantity"]) >= quantity
    assert Decimal(totals["garbage_cleared"]["quantity"]) > 8000
    assert totals["weeds_cleared"]["count"] > 700
    assert Decimal(totals["illegal_building_demolished"]["quantity"]) > 1300


def _check_practical(http: httpx.Client, token: str, resident: Any) -> None:
    page = _get(http, f"{LIVELIHOOD}/practical-things", token, limit=500)
    mine = {p["item_id"]: p for p in page["items"] if p["item_id"].startswith("dz-lh-thing-")}
    assert len(mine) == len(THINGS) > 20
    assert all(p["done_on"] is not None for p in mine.values())
    asked = {k for k, p in mine.items() if p["resident_id"] == resident}
    assert asked == {f"dz-lh-thing-{n:02d}" for n in range(SHARED)}
    assert all(p["deliberation_id"] == DELIBERATION for k, p in mine.items() if k not in asked)
    assert mine["dz-lh-thing-00"]["satisfied"] is True
    assert mine["dz-lh-thing-00"]["words"] == f"请村里帮忙：{THINGS[0]}"
    assert all(p["satisfied"] is None for k, p in mine.items() if k != "dz-lh-thing-00")
    stats = _get(http, f"{LIVELIHOOD}/statistics", token)
    assert stats["practical_things"]["done"] >= len(THINGS)
    done = sum(1 for p in page["items"] if p["done_on"] is not None)
    assert page["total"] == len(page["items"]) and stats["practical_things"]["done"] == done
    overdue = _get(http, f"{LIVELIHOOD}/practical-things", token, overdue="true", limit=500)
    assert not {p["item_id"] for p in overdue["items"]} & set(mine)


# ------------------------------------------------------------------ bad input


@pytest.fixture(scope="module")
def cited(platform: RunningPlatform, county: CountyPeople) -> tuple[str, str]:
    """A passed public-works deliberation of Dongzhuang for the refusals below, and party's
    token; and a remediation campaign to record bad actions in."""
    with platform.client(county.villages[V].secretary) as secretary:
        token = _passed_public_works(secretary, V, "dz-lh-bad-2026")
        campaign = {"campaign_id": "dz-lh-bad-campaign", "name": "整治", "starts_on": "2026-03-01"}
        post_ok(secretary, f"{LIVELIHOOD}/remediation/campaigns", campaign)
    return "dz-lh-bad-2026", token


BAD: list[tuple[str, str, dict[str, Any], str]] = [
    ("drainage in square metres", "works",
     _proposal("dz-lh-bad-1", "drainage", unit="m2"), "unit"),
    ("a centre in metres", "works",
     _proposal("dz-lh-bad-2", "service_centre", unit="m"), "unit"),
    ("a negative quantity", "works",
     _proposal("dz-lh-bad-3", "road", planned_quantity="-5"), "planned_quantity"),
    ("nothing planned", "works",
     _proposal("dz-lh-bad-4", "road", planned_quantity="0"), "planned_quantity"),
    ("half a leak", "works",
     _proposal("dz-lh-bad-5", "leak_repair", planned_quantity="2.5"), "planned_quantity"),
    ("a quantity of four places", "works",
     _proposal("dz-lh-bad-6", "road", planned_quantity="1.2345"), "planned_quantity"),
    ("a budget as a float", "works",
     _proposal("dz-lh-bad-7", "road", budget_yuan=1000.5), "budget_yuan"),
    ("an unknown category", "works", _proposal("dz-lh-bad-8", "bridge"), "category"),
    ("garbage without its m3", "remediation/campaigns/dz-lh-bad-campaign/actions",
     {"action_id": "dz-lh-bad-9", "kind": "garbage_cleared", "count": 1,
      "done_on": "2026-04-01"}, "quantity"),
    ("weeds measured in m2", "remediation/campaigns/dz-lh-bad-campaign/actions",
     {"action_id": "dz-lh-bad-10", "kind": "weeds_cleared", "count": 700, "quantity": "30",
      "done_on": "2026-04-01"}, "quantity"),
    ("remediation before its campaign", "remediation/campaigns/dz-lh-bad-campaign/actions",
     {"action_id": "dz-lh-bad-11", "kind": "weeds_cleared", "count": 7,
      "done_on": "2026-01-01"}, "done_on"),
    ("a deadline that has passed", "practical-things",
     {"item_id": "dz-lh-bad-12", "title": "修路灯", "owner_id": "p-owner",
      "deadline": "2026-01-31", "deliberation_id": "dz-lh-bad-2026"}, "deadline"),
    ("nobody asked and nothing decided", "practical-things",
     {"item_id": "dz-lh-bad-13", "title": "修路灯", "owner_id": "p-owner",
      "deadline": "2027-01-31"}, "resident_id"),
]  # fmt: skip


def _named(problem: httpx.Response) -> str:
    body = problem.json()
    return str(body.get("field") or " ".join(e["field"] for e in body.get("errors", [])))


@pytest.mark.parametrize(("case", "path", "body", "field"), BAD, ids=[c[0] for c in BAD])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    platform: RunningPlatform,
    county: CountyPeople,
    cited: tuple[str, str],
    case: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    with platform.client(county.villages[V].staff) as http:
        before = _chain(platform)
        problem = http.post(f"{LIVELIHOOD}/{path}", json=body)
        assert problem.status_code == 422, problem.text
        assert field in _named(problem), problem.text
        assert _chain(platform) == before


def test_completion_before_the_start_is_refused(
    platform: RunningPlatform, county: CountyPeople, cited: tuple[str, str]
) -> None:
    people = county.villages[V]
    with platform.client(people.staff) as staff, platform.client(people.secretary) as secretary:
        _approved(staff, secretary, "dz-lh-early", cited)
        post_ok(staff, f"{LIVELIHOOD}/works/dz-lh-early/start",
              {"started_on": "2026-06-01", **CONTRACTOR})  # fmt: skip
        before = _chain(platform)
        early = {"quantity": "10", "cost_yuan": "9000.00", "completed_on": "2026-05-31"}
        problem = assert_problem(staff.post(f"{LIVELIHOOD}/works/dz-lh-early/completion",
                                            json=early), 422)  # fmt: skip
        assert problem["field"] == "completed_on" and "2026-06-01" in problem["detail"]
        # Nor more than planned, nor over the budget without an approved change.
        more = assert_problem(staff.post(f"{LIVELIHOOD}/works/dz-lh-early/completion",
                                         json={**early, "completed_on": "2026-06-30",
                                               "quantity": "11"}), 422)  # fmt: skip
        assert more["field"] == "quantity"
        over = assert_problem(staff.post(f"{LIVELIHOOD}/works/dz-lh-early/completion",
                                         json={**early, "completed_on": "2026-06-30",
                                               "cost_yuan": "10000.01"}), 422)  # fmt: skip
        assert over["field"] == "cost_yuan"
        assert _chain(platform) == before
        done = post_ok(staff, f"{LIVELIHOOD}/works/dz-lh-early/completion",
                     {**early, "completed_on": "2026-06-30"})  # fmt: skip
        works = _get(staff, f"{LIVELIHOOD}/works/dz-lh-early", done["consistency_token"])
        assert (works["stage"], works["completed_on"]) == ("completed", "2026-06-30")


def test_the_contractor_does_not_accept_their_own_works(
    platform: RunningPlatform, county: CountyPeople, cited: tuple[str, str]
) -> None:
    people = county.villages[V]
    with platform.client(people.staff) as staff, platform.client(people.secretary) as secretary:
        _approved(staff, secretary, "dz-lh-own", cited)
        path = f"{LIVELIHOOD}/works/dz-lh-own"
        post_ok(staff, f"{path}/start", {
            "started_on": "2026-06-01", "contractor_id": people.staff.person_id,
            "contractor": "村两委自建",
        })  # fmt: skip
        post_ok(staff, f"{path}/completion",
              {"quantity": "10", "cost_yuan": "9000.00", "completed_on": "2026-07-01"})  # fmt: skip
        before = _chain(platform)
        problem = assert_problem(staff.post(f"{path}/acceptance", json={"passed": True}), 403)
        assert problem["field"] == "accepted_by", problem
        assert _chain(platform) == before
        # Somebody else inspects it.
        passed = post_ok(secretary, f"{path}/acceptance", {"passed": True})
        works = _get(secretary, path, passed["consistency_token"])
        assert works["stage"] == "accepted"


def test_works_citing_another_villages_deliberation_are_refused(
    platform: RunningPlatform, county: CountyPeople, cited: tuple[str, str]
) -> None:
    people = county.villages[V]
    with platform.client(county.villages[XIZHUANG].secretary) as xizhuang:
        # Passed in Xizhuang, and known there: Xizhuang's own works may cite it.
        token = _passed_public_works(xizhuang, XIZHUANG, "dz-lh-xizhuang-2026")
        theirs = f"/api/v1/villages/{XIZHUANG}/livelihood/works"
        post_ok(xizhuang, theirs, _proposal("dz-lh-xizhuang-road", "road"))
        post_ok(xizhuang, f"{theirs}/dz-lh-xizhuang-road/approval",
              {"deliberation_id": "dz-lh-xizhuang-2026", "funding": ["county"]},
              **{TOKEN: token})  # fmt: skip
    with platform.client(people.staff) as staff, platform.client(people.secretary) as secretary:
        post_ok(staff, f"{LIVELIHOOD}/works", _proposal("dz-lh-borrowed", "road"))
        before = _chain(platform)
        problem = assert_problem(
            secretary.post(
                f"{LIVELIHOOD}/works/dz-lh-borrowed/approval",
                json={"deliberation_id": "dz-lh-xizhuang-2026", "funding": FUNDING},
                headers={TOKEN: token},
            ),
            422,
        )
        assert problem["field"] == "deliberation_id"
        assert "dz-lh-xizhuang-2026" in problem["detail"], problem
        assert _chain(platform) == before
        # Without any deliberation at all, approval is refused too.
        bare = assert_problem(
            secretary.post(f"{LIVELIHOOD}/works/dz-lh-borrowed/approval",
                           json={"funding": FUNDING}), 422,
        )  # fmt: skip
        assert bare["field"] == "deliberation_id"
        assert _chain(platform) == before
        # Its own village's deliberation: approved.
        post_ok(secretary, f"{LIVELIHOOD}/works/dz-lh-borrowed/approval",
              {"deliberation_id": cited[0], "funding": FUNDING}, **{TOKEN: cited[1]})  # fmt: skip
