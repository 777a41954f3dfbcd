"""`make demo` against the platform as `make run` starts it: ``xiangzhi-stack demo`` (the
session's ``demo`` fixture) loads Dongzhuang (every figure of domain.md) and 20 more villages of
Wenshui county through the gateway, as the users it creates; the county summary shows them; a
second run creates nothing and no village's record moves.

The demo keeps to its own usernames (``demo-…``) and ids (``dz-demo-…``, ``demo-…``,
``DEMO-HT-…``), so it shares Dongzhuang with the other e2e tests of the session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from xiangzhi_stack import demo_data

from tests.e2e.people import DONGZHUANG, chain_head, eventually
from tests.e2e.running import CLI, RunningPlatform, run_demo
from tests.private_stack import ROOT, private_env

pytestmark = pytest.mark.integration

SERVICES = ("grid", "party", "economy", "livelihood")
# domain.md §4: the accepted works per category (at least), and the remediation totals.
WORKS = {
    ("service_centre", "m2"): 400, ("elderly_care", "m2"): 300, ("drainage", "m"): 300,
    ("road", "m"): 800, ("field_road", "m"): 9300, ("leak_repair", "spot"): 50,
}  # fmt: skip
REMEDIATION = {
    "garbage_point_removed": (10, None), "garbage_cleared": (1, 8000),
    "weeds_cleared": (700, None), "illegal_building_demolished": (43, 1300),
    "park_built": (1, 2500), "square_built": (1, 1000), "wall_painted": (1, 5670),
    "mural_painted": (1, 480), "ruined_wall_removed": (1, 500),
}  # fmt: skip


def _heads(platform: RunningPlatform, villages: list[str]) -> dict[tuple[str, str], int]:
    return {(s, v): chain_head(platform, s, v) for s in SERVICES for v in villages}


def _settled(platform: RunningPlatform, villages: list[str]) -> dict[tuple[str, str], int]:
    """The villages' chain heads once the services' policies have done what the run set off
    (economy records the income of each clearing from its events): still for 3 seconds."""
    heads, since, deadline = _heads(platform, villages), time.monotonic(), time.monotonic() + 90
    while time.monotonic() - since < 3:
        assert time.monotonic() < deadline, "the villages' records did not settle in 90 s"
        time.sleep(0.5)
        now = _heads(platform, villages)
        if now != heads:
            heads, since = now, time.monotonic()
    return heads


def _login(platform: RunningPlatform, report: dict[str, Any], username: str) -> dict[str, str]:
    user = next(u for u in report["users"] if u["username"] == username)
    return {"Authorization": f"Bearer {platform.login(username, user['password'])}"}


def test_the_plan_has_the_articles_figures() -> None:
    """What the demo sends for Dongzhuang adds up to domain.md, and the plans are the same
    every time (the second run must find what the first made)."""
    today = date(2026, 11, 29)
    dz = demo_data.dongzhuang(today)
    assert dz.code == DONGZHUANG
    assert len([g for g in dz.grids if g.level == "grid"]) == 4
    assert len(dz.micro_grids) == 40
    assert all(len({c.role for c in g.chiefs}) == 3 for g in dz.micro_grids)
    assert len(dz.teams) == 7
    groups = {o.grid_id for o in dz.orgs if o.kind == "party_group"}
    assert groups == {g.grid_id for g in dz.micro_grids}
    tours = {a.destination for a in dz.activities if a.kind == "study_tour"}
    assert tours == {"山东", "房山", "祁县", "平遥", "汾阳"}
    assert any(a.kind == "party_lesson" for a in dz.activities)
    economy = dz.economy
    assert economy is not None and len(economy.contracts) == 98
    assert sum(k.area_mu for k in economy.contracts) == Decimal("624.16")
    assert demo_data.dz_recovered() > Decimal("630000")
    assert {c.name for c in economy.coops} == {"田园薯业专业合作社"}
    assert set(economy.coops[0].crops) == {"马铃薯", "西兰花"}
    assert {"新光华铸管", "东庄铸造产业园区"} <= {e.name for e in economy.enterprises}
    done: dict[tuple[str, str], Decimal] = {}
    for w in dz.works:
        done[w.category, w.unit] = done.get((w.category, w.unit), Decimal(0)) + w.quantity
    assert all(done[key] >= figure for key, figure in WORKS.items())
    assert len(dz.things) > 20
    assert demo_data.plan(30, today)[1:] == demo_data.plan(30, today)[1:]
    codes = [v.code for v in demo_data.plan(300, today)]
    assert len(set(codes)) == 301 and all(c.startswith("141121") for c in codes)
    assert not any(c[6:9] == "300" for c in codes)  # the tests' own township


def test_make_demo_loads_dongzhuang_and_a_second_run_adds_nothing(
    platform: RunningPlatform, demo: dict[str, Any]
) -> None:
    first = demo
    villages = first["villages"]
    wanted = int(os.environ.get("XZ_DEMO_VILLAGES", "20"))
    assert villages[0] == DONGZHUANG and len(villages) == 1 + wanted, villages
    assert first["created"] > 1000, first["kinds"]
    assert {"demo-admin", f"demo-{DONGZHUANG}-secretary"} <= {u["username"] for u in first["users"]}

    admin = _login(platform, first, "demo-admin")
    with httpx.Client(base_url=platform.gateway_url, headers=admin, timeout=60) as http:
        answer = http.get("/api/v1/counties/141121/summary")
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["partial"] is False, summary
    by_code = {v["code"]: v for v in summary["villages"]}
    assert set(villages) <= set(by_code)

    dz = by_code[DONGZHUANG]["services"]
    assert set(SERVICES) <= set(dz), dz
    assert dz["grid"]["micro_grids"] == 40, dz["grid"]
    assert dz["grid"]["grids_with_three_chiefs"] >= 40 and dz["grid"]["volunteer_teams"] >= 7
    assert dz["party"]["members_scored"] >= 44, dz["party"]
    contracts = dz["economy"]["contracts"]
    assert contracts["cleared"] >= 98, contracts
    assert Decimal(contracts["cleared_area_mu"]) >= Decimal("624.16")
    assert Decimal(contracts["recovered_income_yuan"]) > Decimal("630000")
    assert dz["economy"]["cooperatives"] >= 1 and dz["economy"]["villagers_employed"] >= 455
    livelihood = dz["livelihood"]
    accepted = {
        (f["category"], f["unit"]): Decimal(f["done"])
        for f in livelihood["works"]
        if f["stage"] == "accepted"
    }
    for key, figure in WORKS.items():
        assert accepted.get(key, Decimal(0)) >= figure, (key, accepted)
    remediated = {r["kind"]: r for r in livelihood["remediation"]}
    for kind, (count, quantity) in REMEDIATION.items():
        assert remediated[kind]["count"] >= count, remediated[kind]
        if quantity is not None:
            assert Decimal(remediated[kind]["quantity"]) >= quantity, remediated[kind]
    assert livelihood["practical_things"]["done"] > 20
    for code in villages[1:]:
        other = by_code[code]["services"]
        assert set(SERVICES) <= set(other), (code, other)
        assert other["grid"]["micro_grids"] >= 4 and other["grid"]["issues"]["raised"] >= 4
        assert other["economy"]["contracts"]["registered"] >= 4

    # Dongzhuang's own campaign and party side, as its secretary reads them.
    secretary = _login(platform, first, f"demo-{DONGZHUANG}-secretary")
    api = f"/api/v1/villages/{DONGZHUANG}"
    with httpx.Client(base_url=platform.gateway_url, headers=secretary, timeout=60) as http:
        campaign = http.get(f"{api}/economy/campaigns/dz-demo-qingli-2026").json()
        coverage = http.get(f"{api}/party/coverage").json()
        announced = http.get(f"/api/v1/public/villages/{DONGZHUANG}/party/announcements").json()
    assert (campaign["reviewed"], campaign["cleared"]) == (98, 98), campaign
    assert Decimal(campaign["cleared_area_mu"]) == Decimal("624.16")
    assert Decimal(campaign["recovered_income_yuan"]) > Decimal("630000")
    # The income ledger has what the clearings brought, recorded by economy's policy.
    with httpx.Client(base_url=platform.gateway_url, headers=secretary, timeout=60) as http:

        def recovered() -> Decimal | None:
            page = http.get(f"{api}/economy/income", params={"year": 2026, "limit": 500}).json()
            ours = [
                Decimal(e["amount_yuan"])
                for e in page["entries"]
                if e["reference"].startswith("合同清理 dz-demo-qingli-2026")
            ]
            return sum(ours, Decimal(0)) if sum(ours) == demo_data.dz_recovered() else None

        assert eventually(recovered, timeout=60) > Decimal("630000")
    micro = {g.grid_id for g in demo_data.dongzhuang(date.today()).micro_grids}
    assert micro <= set(coverage["covered"]), coverage
    ours = {a["deliberation_id"] for a in announced if a["deliberation_id"].startswith("dz-demo-")}
    assert ours == {"dz-demo-land-2026", "dz-demo-works-2026", "dz-demo-minqing-2026",
                    "dz-demo-women-2026"}  # fmt: skip

    # Again: nothing new, and no village's record moves (economy's Dongzhuang included).
    before = _settled(platform, villages)
    second = run_demo(platform, len(villages) - 1)
    assert second["villages"] == villages
    assert second["created"] == 0, {k: v for k, v in second["kinds"].items() if v["created"]}
    assert second["existing"] >= 1000, second["kinds"]
    assert second["admin_created"] is False
    after = _settled(platform, villages)
    assert after == before
    assert after["economy", DONGZHUANG] == before["economy", DONGZHUANG] > 0


def test_make_demo_with_no_platform_running_starts_one_and_leaves_it_up(
    tmp_path: Path,
) -> None:
    """`make demo` on a machine where nothing runs yet: it starts the platform as `make run`
    would (here in a state folder of its own, on free ports), loads Dongzhuang, and the
    platform stays up for the browser until `make stop`."""
    state_dir = tmp_path / "stack"
    env = private_env(state_dir)
    gateway = f"http://127.0.0.1:{env['XZ_STACK_GATEWAY_PORT']}"
    try:
        done = subprocess.run(
            [*CLI, "demo", "--villages", "0", "--json"], env=env, cwd=ROOT,
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-4000:]
        assert f"no platform answers at {gateway}: starting one" in done.stderr
        assert "Xiangzhi is up" in (state_dir / "logs" / "platform.log").read_text()
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["villages"] == [DONGZHUANG] and report["created"] > 1000
        # The demo has ended; the platform it started has not.
        assert httpx.get(f"{gateway}/ready", timeout=10).status_code == 200
        assert '<html lang="zh-CN">' in httpx.get(f"{gateway}/login", timeout=10).text
    finally:
        stopped = subprocess.run(
            [*CLI, "stop"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        pointer = state_dir / "postgres" / "location"
        if pointer.exists():
            shutil.rmtree(pointer.read_text().strip(), ignore_errors=True)
    assert stopped.returncode == 0, stopped.stderr
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{gateway}/ready", timeout=5)
