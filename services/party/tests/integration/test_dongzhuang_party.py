"""Dongzhuang's party side over HTTP: a year of study days with the five study-tour
destinations, one deliberation through all six steps with 四议两公开, the announcement public
without a login, and the rankings with stars."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from party.app import create_app
from party.settings import PartySettings
from party_testing import DONGZHUANG, SECRETARY, SIGNER, register_members

AUTH = SECRETARY
DESTINATIONS = ("山东", "房山", "祁县", "平遥", "汾阳")
MEMBERS = [f"pm-{n}" for n in range(1, 11)]


@pytest.fixture
async def http(
    pg_dsn: str, kafka_bootstrap: str, make_topic, key_service
) -> AsyncIterator[httpx.AsyncClient]:
    settings = PartySettings(
        **key_service,
        postgres_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, auth_public_key=SIGNER.public_pem,
        events_topic=await make_topic("party.events"), grid_topic=await make_topic("grid.events"),
        consistency_timeout=20,
    )  # fmt: skip
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://party") as client,
    ):
        yield client


async def _post(http: httpx.AsyncClient, path: str, body: dict, status: int = 201) -> dict:
    response = await http.post(f"/villages/{DONGZHUANG}{path}", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    return response.json()


async def test_a_year_of_study_days_and_one_deliberation(http: httpx.AsyncClient) -> None:
    await register_members(http, *MEMBERS)
    # Twelve theme party days (the first of each month), attendance varying by member.
    for month in range(1, 13):
        await _post(http, "/activities", {"activity_id": f"day-{month}", "kind": "theme_party_day",
                                          "title": f"{month}月主题党日", "date": f"2025-{month:02d}-01"})  # fmt: skip
        for n, member in enumerate(MEMBERS, start=1):
            if month % n == 0 or n <= 3:
                await _post(http, f"/activities/day-{month}/attendance", {"member_id": member})
    # Party lessons by veterans, and the five study tours.
    for q in range(1, 5):
        await _post(http, "/activities", {"activity_id": f"lesson-{q}", "kind": "party_lesson",
                                          "title": f"第{q}季度党课", "date": f"2025-{q * 3:02d}-15",
                                          "lecturer_member_id": "pm-1"})  # fmt: skip
    for n, place in enumerate(DESTINATIONS, start=1):
        await _post(http, "/activities", {"activity_id": f"tour-{n}", "kind": "study_tour",
                                          "title": f"赴{place}观摩学习", "date": f"2025-0{n + 3}-20",
                                          "destination": place})  # fmt: skip
        last = await _post(http, f"/activities/tour-{n}/attendance", {"member_id": "pm-2"})

    # 百姓议事 on a public-works matter, through all six steps.
    base = "/deliberations/main-street-drain"
    await _post(http, "/deliberations", {"deliberation_id": "main-street-drain", "kind": "villager_deliberation",
                                         "topic": "正街下水改造", "matter": "public_works"})  # fmt: skip
    await _post(
        http, f"{base}/steps/collect_opinions", {"summary": "入户收集意见 46 条"}, status=200
    )
    await _post(
        http, f"{base}/steps/set_agenda", {"summary": "确定议题：正街下水300米"}, status=200
    )
    unanswered = await http.post(f"/villages/{DONGZHUANG}{base}/steps/consult", headers=AUTH,
                                 json={"summary": "协商", "questions": [{"question": "占道怎么办？", "asked_by": "村民"}]})  # fmt: skip
    assert unanswered.status_code == 422
    await _post(http, f"{base}/steps/consult", {"summary": "协商会", "questions": [
        {"question": "占道怎么办？", "asked_by": "村民", "answer": "分段施工，每段三天"},
    ]}, status=200)  # fmt: skip
    await _post(http, f"{base}/steps/report", {"summary": "向村民通报协商情况"}, status=200)
    too_soon = await http.post(f"/villages/{DONGZHUANG}{base}/steps/make_plan", headers=AUTH,
                               json={"summary": "方案", "plan_items": ["新建下水300米"]})  # fmt: skip
    assert too_soon.status_code == 409
    assert too_soon.json()["missing"] == ["party members' meeting", "villagers' meeting resolution"]
    await _post(
        http,
        f"{base}/party-meeting",
        {"members_total": 30, "attending": 24, "agreeing": 22},
        status=200,
    )
    await _post(
        http,
        f"{base}/villagers-resolution",
        {"representatives": True, "votes_for": 31, "votes_against": 2},
        status=200,
    )
    await _post(http, f"{base}/steps/make_plan", {"summary": "施工方案", "plan_items": ["新建正街下水300米"],
                                                  "works_items": ["drainage:300m"]}, status=200)  # fmt: skip
    announced = await _post(
        http, f"{base}/announcement", {"text": "关于正街下水改造的公告：……"}, status=200
    )

    # Anyone in the village reads the announcement, without logging in.
    public = await http.get(f"/villages/{DONGZHUANG}/announcements",
                            headers={"X-Consistency-Token": announced["consistency_token"]})  # fmt: skip
    assert public.status_code == 200
    assert [a["topic"] for a in public.json()] == ["正街下水改造"]
    assert (await http.post(f"/villages/{DONGZHUANG}/deliberations", json={})).status_code == 401

    ranked = (await http.get(f"/villages/{DONGZHUANG}/points/rankings", params={"period": 2025},
                             headers={**AUTH, "X-Consistency-Token": last["consistency_token"]})).json()  # fmt: skip
    by_member = {r["member_id"]: r for r in ranked}
    # pm-1: 12 days (12) + four lessons (3 each, capped at 12) = 24.
    assert by_member["pm-1"]["total"] == "24.00"
    # pm-2: 12 days + 5 tours = 17 attended, 17 points.
    assert by_member["pm-2"]["total"] == "17.00"
    assert ranked[0]["member_id"] == "pm-1"
    assert ranked[0]["rank"] == 1
    assert all(r["stars"] == 0 for r in ranked)  # a study year alone does not reach 60
    tours = await http.get(
        f"/villages/{DONGZHUANG}/members/pm-2/points", params={"period": 2025}, headers=AUTH
    )
    assert sum(1 for e in tours.json()["entries"] if "tour" in e["reason"]) == 5
