"""The county's read of several villages' party figures at once, on the real Kafka and
PostgreSQL with grid as the real producer of the micro-grids: each village's figures are
exactly its own ``/statistics`` (a village with nothing recorded has the zero figures), and
the read is refused whole for a village outside the caller's scope."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from grid import handlers as grid_handlers
from grid.app import create_app as grid_app
from grid.domain import commands as grid_commands
from grid.domain.actor import Actor
from grid.settings import GridSettings
from party.app import create_app as party_app
from party.settings import PartySettings
from party_testing import SIGNER
from xiangzhi.store import EventMeta

A, B, EMPTY = "141121100201", "141121100202", "141121101201"
COUNTY = SIGNER.headers("county_admin", county="141121", person_id="county")
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
YEAR = datetime.now(UTC).year
# Micro-grids by village, as grid establishes them: A has three, B one, EMPTY none.
MICRO_GRIDS = {A: (f"{A}101", f"{A}102", f"{A}103"), B: (f"{B}101",)}


def _secretary(village: str) -> dict[str, str]:
    return SIGNER.headers("village_secretary", villages=[village], person_id=f"sec-{village}")


@pytest.fixture
async def party(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> AsyncIterator[httpx.AsyncClient]:
    grid_topic = await make_topic("grid.events")
    grid = grid_app(GridSettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=grid_topic, livelihood_topic=await make_topic("livelihood.events"),
        party_topic=await make_topic("party.events"), auth_public_key=SIGNER.public_pem,
    ))  # fmt: skip
    service = party_app(PartySettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("party.events"), grid_topic=grid_topic,
        consistency_timeout=20, auth_public_key=SIGNER.public_pem,
    ))  # fmt: skip
    async with (
        grid.router.lifespan_context(grid),
        service.router.lifespan_context(service),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service), base_url="http://party"
        ) as http,
    ):
        for village, micro_grids in MICRO_GRIDS.items():
            ctx = grid_handlers.Context(
                store=grid.state.runtime.store, village=village,
                meta=EventMeta(correlation_id=f"grids-{village}"),
                actor=Actor("clerk", role="village_staff"),
            )  # fmt: skip
            await grid_handlers.establish_grid(ctx, grid_commands.EstablishGrid(
                grid_id=f"{village}001", name="片区", level="grid", households=0,
            ))  # fmt: skip
            for grid_id in micro_grids:
                await grid_handlers.establish_grid(ctx, grid_commands.EstablishGrid(
                    grid_id=grid_id, name="微网格", level="micro_grid",
                    parent_id=f"{village}001", households=30,
                ))  # fmt: skip
        yield http


async def _post(http: httpx.AsyncClient, village: str, path: str, body: dict) -> str:
    response = await http.post(f"/villages/{village}{path}", json=body, headers=_secretary(village))
    assert response.status_code == 201, response.text
    return str(response.json()["consistency_token"])


async def _record(http: httpx.AsyncClient) -> str:
    """A: three members scored 3, 1 and 0 times, party groups over two of its three
    micro-grids. B: one member scored twice, a party group over its one micro-grid. EMPTY:
    nothing. Returns the consistency token of both villages, once party's copy of grid's
    directory has every micro-grid."""
    last = {}
    for village, members in ((A, ("a1", "a2", "a3")), (B, ("b1",))):
        await _post(http, village, "/organizations", {
            "org_id": "gb", "name": "党总支", "kind": "general_branch",
        })  # fmt: skip
        for member in members:
            await _post(http, village, "/members", {
                "member_id": f"pm-{member}", "name": member, "org_id": "gb", "status": "full",
                "joined_on": "2001-07-01",
            })  # fmt: skip
        covered = MICRO_GRIDS[village][:2]
        for n, grid_id in enumerate(covered):
            last[village] = await _post(http, village, "/organizations", {
                "org_id": f"g{n}", "name": f"第{n}党小组", "kind": "party_group",
                "parent_id": "gb", "grid_id": grid_id,
            })  # fmt: skip
    for village, member, times in ((A, "a1", 3), (A, "a2", 1), (B, "b1", 2)):
        for n in range(times):
            last[village] = await _post(http, village, f"/members/pm-{member}/scores", {
                "rule_id": "attended_study", "period": YEAR, "reason": f"#{n}",
            })  # fmt: skip
    for village, micro_grids in MICRO_GRIDS.items():  # grid's events reach party's copy
        for _ in range(400):
            answer = await http.get(f"/villages/{village}/coverage", headers=COUNTY)
            if answer.json()["grids"] == len(micro_grids):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"party's copy of grid's directory never had {village}'s grids")
    return ",".join(last.values())


async def test_each_village_has_its_own_figures_read_together(party: httpx.AsyncClient) -> None:
    token = await _record(party)
    answer = await party.get(
        "/counties/141121/statistics",
        params=[("villages", B), ("villages", EMPTY), ("villages", A)],
        headers={**COUNTY, "X-Consistency-Token": token},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Consistency"] == "caught-up"
    county = answer.json()
    assert set(county) == {A, B, EMPTY}
    for village in (A, B, EMPTY):
        own = await party.get(f"/villages/{village}/statistics", headers=COUNTY)
        assert own.status_code == 200, own.text
        assert county[village] == own.json(), village

    a, b = county[A], county[B]
    assert (a["period"], a["members_scored"], a["points_total"]) == (YEAR, 2, "4.00")
    assert sum(a["stars"].values()) == 2
    assert a["coverage"] == {"grids": 3, "covered": 2, "complete": False}
    assert (b["members_scored"], b["points_total"]) == (1, "2.00")
    assert b["coverage"] == {"grids": 1, "covered": 1, "complete": True}
    assert county[EMPTY] == {
        "village": EMPTY, "period": YEAR, "members_scored": 0, "points_total": "0",
        "stars": {str(n): 0 for n in range(6)},
        "coverage": {"grids": 0, "covered": 0, "complete": True},
    }  # fmt: skip
    last_year = await party.get(
        "/counties/141121/statistics",
        params={"villages": [A, B], "period": YEAR - 1},
        headers=COUNTY,
    )
    assert {v: f["members_scored"] for v, f in last_year.json().items()} == {A: 0, B: 0}


async def test_a_village_outside_the_callers_scope_refuses_the_whole_read(
    party: httpx.AsyncClient,
) -> None:
    await _record(party)
    for headers, villages in (
        (_secretary(A), [A, B]),
        (SIGNER.headers("township_officer", township="141121100"), [A, EMPTY]),
        (SIGNER.headers("resident", villages=[B], person_id="r"), [A]),
    ):
        answer = await party.get(
            "/counties/141121/statistics",
            params=[("villages", v) for v in villages],
            headers=headers,
        )
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert set(answer.json()) <= PROBLEM_KEYS, answer.json()
    assert (
        await party.get("/counties/141121/statistics", params={"villages": [A]})
    ).status_code == 401
    bad = await party.get(
        "/counties/141121/statistics", params={"villages": [A, "1411211002011"]}, headers=COUNTY
    )
    assert bad.status_code == 422
    assert "query.villages.1" in {e["field"] for e in bad.json()["errors"]}
