"""Dongzhuang's grid side built from events: 40 micro-grids with their three chiefs, 7 teams,
and residents' issues — and the statistics report them."""

from __future__ import annotations

from grid import demo
from grid_testing import DONGZHUANG, GridService


async def test_dongzhuang_grid_side_from_events(grid_service: GridService) -> None:
    svc = grid_service
    counts = await demo.load(svc.runtime.store)
    assert counts["micro_grids"] == 40

    # Residents raise issues; most are handled and confirmed, one is still open.
    tokens = []
    for n in range(5):
        raised = await svc.command(f"/villages/{DONGZHUANG}/issues", {
            "grid_id": f"{DONGZHUANG}{101 + n:03d}", "category": "water_leak",
            "title": f"漏水点{n + 1}", "description": "自来水管漏水", "address": f"东片{n + 1}巷",
            "raised_by": f"resident-{n}",
        }, actor=f"resident-{n}", role="resident")  # fmt: skip
        issue = f"/villages/{DONGZHUANG}/issues/{raised['id']}"
        if n < 4:
            await svc.command(
                f"{issue}/assign", {"assignee_kind": "team", "assignee_id": "team-2"}, status=200
            )
            await svc.command(
                f"{issue}/resolve", {"resolution": "已修复", "person_id": "v-2-1"}, status=200
            )
            done = await svc.command(
                f"{issue}/confirm",
                {"satisfaction": 5 - n % 2},
                actor=f"resident-{n}",
                role="resident",
                status=200,
            )
            tokens.append(done["consistency_token"])
        else:
            tokens.append(raised["consistency_token"])

    stats = (await svc.read(f"/villages/{DONGZHUANG}/statistics", tokens[-1])).json()
    assert stats["micro_grids"] == 40
    assert stats["grids"] == 4
    assert stats["chiefs"] == 120
    assert stats["grids_with_three_chiefs"] == 40
    assert stats["volunteer_teams"] == 7
    assert stats["volunteers"] == 35
    assert stats["volunteer_hours"] == "17.50"
    assert stats["issues"]["raised"] == 5
    assert stats["issues"]["resolved"] == 4
    assert stats["issues"]["open"] == 1
    assert stats["issues"]["resolution_rate"] == "0.8000"
    assert stats["issues"]["mean_satisfaction"] == "4.50"

    grids = (await svc.read(f"/villages/{DONGZHUANG}/grids", tokens[-1])).json()
    micro = [g for g in grids if g["level"] == "micro_grid"]
    assert len(micro) == 40
    assert all(len(g["chiefs"]) == 3 for g in micro)
    assert all(set(g["merged_from"]) == {"party", "governance", "sanitation"} for g in grids)
    teams = (await svc.read(f"/villages/{DONGZHUANG}/volunteer-teams", tokens[-1])).json()
    assert {t["name"] for t in teams} >= {"应急救助队", "日常服务队", "矛盾调解队"}
    assert all(t["member_count"] == 5 for t in teams)
    # The record of the village is intact.
    report = await svc.runtime.store.verify_village(DONGZHUANG)
    assert report.intact
    assert report.checked > 200
