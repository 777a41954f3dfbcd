"""The county summary asks each service once per 200 visible villages (its county read), not
once per village, and puts each village's figures beside it; a township officer's summary
holds their township alone. The grid is real (over real HTTP); the other services are down."""

from __future__ import annotations

import httpx
from gateway import identity
from gateway_testing import PASSWORD, Platform

# 450 villages of county 141121 in five townships of 90: three calls of ≤ 200 to each service.
VILLAGES = [f"141121{t:03d}{v:03d}" for t in range(100, 105) for v in range(201, 291)]
LATE = VILLAGES[-7]  # a village of the last call


async def test_the_summary_asks_each_service_once_per_200_villages(platform: Platform) -> None:
    await platform.gateway.pool.executemany(
        "insert into villages (code, name) values ($1, $2) on conflict do nothing",
        [(code, f"村{code[-3:]}") for code in VILLAGES],
    )
    await identity.create_user(
        platform.gateway.pool,
        identity.NewUser("secretary-late", PASSWORD, "village_secretary", villages=(LATE,)),
    )
    county = await platform.bearer("county")
    made = await platform.http.post(
        f"/api/v1/villages/{LATE}/grid/grids",
        json={"grid_id": f"{LATE}001", "name": "一组", "level": "grid", "households": 30},
        headers=await platform.bearer("secretary-late"),
    )
    assert made.status_code == 201, made.text
    await platform.http.get(  # until grid's read model has it
        f"/api/v1/villages/{LATE}/grid/grids",
        headers={**county, "X-Consistency-Token": made.json()["consistency_token"]},
    )

    sent: list[httpx.URL] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.url)

    upstream: httpx.AsyncClient = platform.app.state.http
    upstream.event_hooks["request"].append(record)
    try:
        answer = await platform.http.get("/api/v1/counties/141121/summary", headers=county)
    finally:
        upstream.event_hooks["request"].remove(record)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert [v["code"] for v in summary["villages"]] == VILLAGES
    assert summary["partial"] is True
    assert summary["unavailable"] == ["economy", "livelihood", "party"]

    to_grid = [url for url in sent if url.port == httpx.URL(platform.grid_url).port]
    assert len(to_grid) == 3, to_grid
    assert {url.path for url in sent} == {"/counties/141121/statistics"}
    asked = [code for url in to_grid for code in url.params.get_list("villages")]
    assert sorted(asked) == VILLAGES  # each village once
    assert max(len(str(url)) for url in to_grid) < 6000

    by_code = {v["code"]: v for v in summary["villages"]}
    assert all(set(v["services"]) == {"grid"} for v in summary["villages"])
    assert by_code[LATE]["services"]["grid"]["grids"] == 1
    assert by_code[VILLAGES[0]]["services"]["grid"]["grids"] == 0

    township = await platform.bearer("township")
    theirs = (await platform.http.get("/api/v1/counties/141121/summary", headers=township)).json()
    assert [v["code"] for v in theirs["villages"]] == [c for c in VILLAGES if c[:9] == "141121100"]
    assert theirs["unavailable"] == ["economy", "livelihood", "party"]


async def test_a_county_without_a_visible_village_asks_nobody(platform: Platform) -> None:
    other = await platform.bearer("other-county")
    answer = await platform.http.get("/api/v1/counties/141122/summary", headers=other)
    assert answer.json() == {
        "county": "141122",
        "villages": [],
        "partial": False,
        "unavailable": [],
    }
