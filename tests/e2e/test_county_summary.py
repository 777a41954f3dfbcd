"""The county summary (issue 15) on the platform as `make run` starts it, with `make demo`'s
villages and real logins: each village's figures in the summary are that village's own
``/statistics`` through the gateway, service by service (a village with nothing recorded
included); a township officer's summary holds their township alone; and a service's county
read, called directly, refuses a village outside the caller's scope with 403 and no figures."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.people import COUNTY, DONGZHUANG, assert_problem
from tests.e2e.running import RunningPlatform

pytestmark = pytest.mark.integration

SERVICES = ("grid", "party", "economy", "livelihood")
OTHER_TOWNSHIP = "141121101"  # a township of the demo without Dongzhuang
NOTHING_YET = "141121300299"  # the tests' own township (the demo has none there): no records


def _login(platform: RunningPlatform, demo: dict[str, Any], username: str) -> dict[str, str]:
    user = next(u for u in demo["users"] if u["username"] == username)
    return {"Authorization": f"Bearer {platform.login(user['username'], user['password'])}"}


def _without_time(figures: dict[str, Any]) -> dict[str, Any]:
    """A service's figures but grid's ``as_of``, the moment each answer was computed."""
    return {k: v for k, v in figures.items() if k != "as_of"}


def _summary(http: httpx.Client) -> dict[str, Any]:
    answer = http.get(f"/api/v1/counties/{COUNTY}/summary")
    assert answer.status_code == 200, answer.text
    summary: dict[str, Any] = answer.json()
    return summary


def _comparable(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        v["code"]: {s: _without_time(f) for s, f in v["services"].items()}
        for v in summary["villages"]
    }


def _settled_summary(http: httpx.Client) -> dict[str, Any]:
    """The summary once it has stood still for 3 s: the demo's last events (economy's income
    from its clearings) may still be reaching the read models."""
    summary = _summary(http)
    since, deadline = time.monotonic(), time.monotonic() + 90
    while time.monotonic() - since < 3:
        assert time.monotonic() < deadline, "the county's figures did not settle in 90 s"
        time.sleep(0.5)
        again = _summary(http)
        if _comparable(again) != _comparable(summary):
            since = time.monotonic()
        summary = again
    return summary


def _assert_own_figures(http: httpx.Client, summary: dict[str, Any]) -> None:
    """Every village's figures, service by service, equal what the village's own route says."""
    for village in summary["villages"]:
        code = village["code"]
        assert set(village["services"]) == set(SERVICES), (code, village["services"].keys())
        for service in SERVICES:
            own = http.get(f"/api/v1/villages/{code}/{service}/statistics")
            assert own.status_code == 200, (code, service, own.text)
            assert _without_time(village["services"][service]) == _without_time(own.json()), (
                code,
                service,
            )


def test_each_villages_figures_are_its_own_statistics(
    platform: RunningPlatform, demo: dict[str, Any]
) -> None:
    admin = _login(platform, demo, "demo-admin")
    with httpx.Client(base_url=platform.gateway_url, headers=admin, timeout=60) as http:
        registered = http.post(
            f"/api/v1/counties/{COUNTY}/villages", json={"code": NOTHING_YET, "name": "新村"}
        )
        assert registered.status_code == 201, registered.text
        summary = _settled_summary(http)
        assert summary["partial"] is False and summary["unavailable"] == [], summary["unavailable"]
        listed = http.get(f"/api/v1/counties/{COUNTY}/villages").json()
        assert [v["code"] for v in summary["villages"]] == [v["code"] for v in listed]
        assert set(demo["villages"]) | {NOTHING_YET} <= {v["code"] for v in summary["villages"]}
        _assert_own_figures(http, summary)

    by_code = {v["code"]: v["services"] for v in summary["villages"]}
    # The figures differ from village to village: no village got another's.
    assert len({str(_comparable(summary)[code]) for code in demo["villages"]}) == len(
        demo["villages"]
    )
    assert by_code[DONGZHUANG]["economy"]["contracts"]["cleared"] >= 98
    empty = by_code[NOTHING_YET]
    assert empty["grid"]["issues"]["raised"] == 0 and empty["grid"]["micro_grids"] == 0
    assert empty["party"]["members_scored"] == 0 and empty["economy"]["income_by_year"] == []
    assert empty["livelihood"]["works"] == [] and empty["livelihood"]["remediation"] == []


def test_a_township_officer_sees_their_township_alone(
    platform: RunningPlatform, demo: dict[str, Any]
) -> None:
    officer = _login(platform, demo, f"demo-township-{OTHER_TOWNSHIP}")
    with httpx.Client(base_url=platform.gateway_url, headers=officer, timeout=60) as http:
        summary = _settled_summary(http)
        codes = [v["code"] for v in summary["villages"]]
        ours = sorted(c for c in demo["villages"] if c.startswith(OTHER_TOWNSHIP))
        assert ours and codes == ours, (codes, ours)
        assert summary["partial"] is False
        _assert_own_figures(http, summary)


def test_a_services_county_read_refuses_a_village_outside_the_callers_scope(
    platform: RunningPlatform, demo: dict[str, Any]
) -> None:
    elsewhere = next(c for c in demo["villages"] if c.startswith(OTHER_TOWNSHIP))
    secretary = _login(platform, demo, f"demo-{DONGZHUANG}-secretary")
    officer = _login(platform, demo, f"demo-township-{OTHER_TOWNSHIP}")
    for service in SERVICES:
        url = f"{platform.service_urls[service]}/counties/{COUNTY}/statistics"
        for headers, villages in ((secretary, [DONGZHUANG, elsewhere]), (officer, [DONGZHUANG])):
            refused = httpx.get(url, params={"villages": villages}, headers=headers, timeout=30)
            problem = assert_problem(refused, 403)
            assert "outside your scope" in problem["detail"], (service, problem)
        mine = httpx.get(url, params={"villages": [DONGZHUANG]}, headers=secretary, timeout=30)
        assert mine.status_code == 200, (service, mine.text)
        assert list(mine.json()) == [DONGZHUANG]
        bad = httpx.get(url, params={"villages": ["1411211002"]}, headers=secretary, timeout=30)
        assert bad.status_code == 422, (service, bad.text)
        assert bad.headers["content-type"] == "application/problem+json"
        assert bad.json()["detail"] == "Invalid: query.villages.0", (service, bad.json())

    # Through the gateway, the secretary's summary is their village alone.
    with httpx.Client(base_url=platform.gateway_url, headers=secretary, timeout=60) as http:
        summary = _summary(http)
    assert [v["code"] for v in summary["villages"]] == [DONGZHUANG]
    assert set(summary["villages"][0]["services"]) == set(SERVICES)
