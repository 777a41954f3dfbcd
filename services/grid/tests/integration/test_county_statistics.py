"""The county's read of several villages' grid figures at once, on the real Kafka and
PostgreSQL: each village's figures are exactly its own ``/statistics`` (a village with nothing
recorded has the zero figures), computed the same way over the same `now`, and the read is
refused whole for a village outside the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from grid import queries
from grid_testing import SIGNER, GridService, establish_grid

A, B, EMPTY = "141121100201", "141121100202", "141121101201"
COUNTY = SIGNER.headers("county_admin", county="141121", person_id="county")
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


async def _raise(svc: GridService, village: str, n: int) -> dict[str, Any]:
    return await svc.command(
        f"/villages/{village}/issues",
        {"grid_id": f"{village}101" if village == A else f"{village}001", "category": "drainage",
         "title": f"下水堵塞 {n}", "description": "雨后积水", "address": "正街",
         "raised_by": f"r-{village}-{n}"},
        actor=f"r-{village}-{n}", role="resident",
    )  # fmt: skip


async def _record(svc: GridService) -> str:
    """A: a grid, two micro-grids with their three chiefs, a team of two with 2.5 hours of
    service, three issues (one confirmed at 4, one resolved, one open). B: a grid with one
    chief and an open issue. EMPTY: nothing. The consistency token of both villages."""
    await establish_grid(svc, A, 1, micro=2)
    team = f"/villages/{A}/volunteer-teams"
    await svc.command(team, {"team_id": "t1", "name": "应急救助队", "kind": "emergency_rescue"})
    for person in ("v1", "v2"):
        await svc.command(
            f"{team}/t1/members", {"person_id": person, "name": person, "background": "youth"}
        )
    await svc.command(f"{team}/t1/service", {
        "person_id": "v1", "hours": "2.5", "description": "巡查",
        "served_on": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
    })  # fmt: skip
    issues = [await _raise(svc, A, n) for n in range(3)]
    for issue, confirm in ((issues[0], True), (issues[1], False)):
        base = f"/villages/{A}/issues/{issue['id']}"
        await svc.command(
            f"{base}/assign", {"assignee_kind": "chief", "assignee_id": "c"}, status=200
        )
        last_a = await svc.command(f"{base}/resolve", {"resolution": "已疏通"}, status=200)
        if confirm:
            last_a = await svc.command(
                f"{base}/confirm", {"satisfaction": 4}, actor=f"r-{A}-0", role="resident",
                status=200,
            )  # fmt: skip
    await establish_grid(svc, B, 1)
    chief = f"/villages/{B}/grids/{B}001/chiefs/grid_chief"
    response = await svc.http.put(
        chief, json={"person_id": "gc-b", "name": "王网格长"},
        headers=SIGNER.acting_on(chief, "village_staff", "clerk-b"),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    last_b = await _raise(svc, B, 0)
    return f"{last_a['consistency_token']},{last_b['consistency_token']}"


async def _caught_up(svc: GridService, token: str) -> None:
    answer = await svc.http.get(
        f"/villages/{A}/statistics", headers={**COUNTY, "X-Consistency-Token": token}
    )
    assert answer.headers["X-Consistency"] == "caught-up"


def _without_time(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if k != "as_of"}


async def test_each_village_has_its_own_figures_read_together(grid_service: GridService) -> None:
    svc = grid_service
    token = await _record(svc)
    answer = await svc.http.get(
        "/counties/141121/statistics",
        params=[("villages", EMPTY), ("villages", A), ("villages", B)],
        headers={**COUNTY, "X-Consistency-Token": token},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Consistency"] == "caught-up"
    county = answer.json()
    assert set(county) == {A, B, EMPTY}
    assert len({f["as_of"] for f in county.values()}) == 1  # one `now` for every village
    for village in (A, B, EMPTY):
        own = await svc.http.get(f"/villages/{village}/statistics", headers=COUNTY)
        assert own.status_code == 200, own.text
        assert _without_time(county[village]) == _without_time(own.json()), village

    a, b = county[A], county[B]
    assert (a["grids"], a["micro_grids"], a["households"]) == (1, 2, 63)
    assert (a["chiefs"], a["grids_with_three_chiefs"]) == (6, 2)
    assert (a["volunteer_teams"], a["volunteers"], a["volunteer_hours"]) == (1, 2, "2.50")
    issues = a["issues"]
    assert (issues["raised"], issues["resolved"], issues["open"], issues["confirmed"]) == (
        3,
        2,
        1,
        1,
    )
    assert (issues["resolution_rate"], issues["mean_satisfaction"]) == ("0.6667", "4.00")
    assert a["issues_by_month"][-1] == {
        "month": datetime.now(UTC).strftime("%Y-%m"), "raised": 3, "resolved": 2,
    }  # fmt: skip
    assert (b["grids"], b["micro_grids"], b["chiefs"], b["grids_with_three_chiefs"]) == (1, 0, 1, 0)
    assert (b["volunteer_teams"], b["volunteers"], b["issues"]["raised"]) == (0, 0, 1)
    assert b["issues"]["mean_satisfaction"] is None and b["issues"]["resolution_rate"] == "0.0000"
    months = [m["month"] for m in a["issues_by_month"]]
    assert _without_time(county[EMPTY]) == {
        "village": EMPTY, "grids": 0, "micro_grids": 0, "households": 0, "chiefs": 0,
        "grids_with_three_chiefs": 0, "volunteer_teams": 0, "volunteers": 0,
        "volunteer_hours": "0",
        "issues": {
            "raised": 0, "resolved": 0, "open": 0, "overdue": 0, "resolved_within_sla": 0,
            "resolution_rate": None, "median_response_hours": None,
            "median_resolution_hours": None, "mean_satisfaction": None, "confirmed": 0,
        },
        "issues_by_month": [{"month": m, "raised": 0, "resolved": 0} for m in months],
    }  # fmt: skip


async def test_overdue_and_the_months_follow_the_given_now(grid_service: GridService) -> None:
    svc = grid_service
    await _caught_up(svc, await _record(svc))
    month_on = datetime.now(UTC) + timedelta(days=40)
    later = await queries.statistics(svc.runtime.pool, [A, B, EMPTY], month_on)
    assert {v: f["issues"]["overdue"] for v, f in later.items()} == {A: 1, B: 1, EMPTY: 0}
    # The twelve months end with the month of `now`: this month's issues are one month back.
    trend = later[A]["issues_by_month"]
    assert len(trend) == 12 and trend[-1]["month"] == month_on.strftime("%Y-%m")
    assert sum(m["raised"] for m in trend) == 3 and sum(m["resolved"] for m in trend) == 2


async def test_a_village_outside_the_callers_scope_refuses_the_whole_read(
    grid_service: GridService,
) -> None:
    svc = grid_service
    await _record(svc)
    secretary = SIGNER.headers("village_secretary", villages=[A], person_id="sec-a")
    for headers, villages in (
        (secretary, [A, B]),
        (SIGNER.headers("township_officer", township="141121100"), [A, EMPTY]),
        (SIGNER.headers("county_admin", county="141122"), [A]),
    ):
        answer = await svc.http.get(
            "/counties/141121/statistics",
            params=[("villages", v) for v in villages],
            headers=headers,
        )
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert set(answer.json()) <= PROBLEM_KEYS, answer.json()  # no figures of any village
    mine = await svc.http.get(
        "/counties/141121/statistics", params=[("villages", A)], headers=secretary
    )
    assert mine.status_code == 200 and set(mine.json()) == {A}


async def test_a_bad_village_code_is_named(grid_service: GridService) -> None:
    for villages, field in (
        (["1411211002"], "query.villages.0"),
        ([A, "14112110020x"], "query.villages.1"),
        (["141122100201"], "query.villages"),
        ([], "query.villages"),
    ):
        answer = await grid_service.http.get(
            "/counties/141121/statistics",
            params=[("villages", v) for v in villages],
            headers=COUNTY,
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        fields = {e["field"] for e in problem.get("errors", [])} | {problem.get("field")}
        assert field in fields, problem
