"""Party groups over all 40 of Dongzhuang's micro-grids, measured against grid's directory as
grid's own events on the real broker told it."""

from __future__ import annotations

import asyncio

import httpx
from grid import demo
from grid.app import create_app as grid_app
from grid.settings import GridSettings
from party.app import create_app as party_app
from party.settings import PartySettings
from party_testing import SECRETARY, SIGNER

DONGZHUANG = demo.DONGZHUANG


async def test_party_groups_cover_all_forty_micro_grids(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> None:
    grid_topic = await make_topic("grid.events")
    grid = grid_app(GridSettings(
        **key_service,
        postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap, events_topic=grid_topic,
        livelihood_topic=await make_topic("livelihood.events"),
        party_topic=await make_topic("party.events"), auth_public_key=SIGNER.public_pem,
    ))  # fmt: skip
    party = party_app(PartySettings(
        **key_service,
        postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("party.events"), grid_topic=grid_topic, consistency_timeout=20,
        auth_public_key=SIGNER.public_pem,
    ))  # fmt: skip
    transport = httpx.ASGITransport(app=party)
    async with (
        grid.router.lifespan_context(grid),
        party.router.lifespan_context(party),
        httpx.AsyncClient(transport=transport, base_url="http://party", headers=SECRETARY) as http,
    ):
        await demo.load(grid.state.runtime.store, DONGZHUANG)
        url = f"/villages/{DONGZHUANG}"

        async def post(path: str, body: dict) -> dict:
            response = await http.post(f"{url}{path}", json=body)
            assert response.status_code == 201, response.text
            return response.json()

        await post(
            "/organizations", {"org_id": "gb", "name": "东庄村党总支", "kind": "general_branch"}
        )
        for a, area in enumerate(demo.AREAS, start=1):
            await post(
                "/organizations",
                {"org_id": f"b{a}", "name": f"{area}支部", "kind": "branch", "parent_id": "gb"},
            )
            for m in range(1, demo.MICRO_GRIDS_PER_AREA + (0 if a == 4 else 1)):
                last = await post("/organizations", {
                    "org_id": f"g{a}{m:02d}", "name": f"{area}第{m}党小组", "kind": "party_group",
                    "parent_id": f"b{a}", "grid_id": f"{DONGZHUANG}{a * 100 + m:03d}",
                })  # fmt: skip

        async def report() -> dict:
            response = await http.get(
                f"{url}/coverage", headers={"X-Consistency-Token": last["consistency_token"]}
            )
            return response.json()

        for _ in range(200):  # grid's 40 micro-grids arrive through Kafka
            state = await report()
            if state["grids"] == 40:
                break
            await asyncio.sleep(0.05)
        assert state["grids"] == 40
        assert state["uncovered"] == [f"{DONGZHUANG}410"]
        assert not state["complete"]

        final = await post("/organizations", {"org_id": "g410", "name": "北片第10党小组", "kind": "party_group",
                                              "parent_id": "b4", "grid_id": f"{DONGZHUANG}410"})  # fmt: skip
        last = final
        state = await report()
        assert state["complete"]
        assert len(state["covered"]) == 40

        member = await post("/members", {"member_id": "pm-1", "name": "王老党员", "org_id": "g101",
                                         "status": "full", "joined_on": "1978-07-01", "veteran": True})  # fmt: skip
        moved = await http.post(f"{url}/members/pm-1/transfer", json={"to_org_id": "g102"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["version"] == member["version"] + 1
