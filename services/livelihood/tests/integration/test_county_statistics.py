"""The county's read of several villages' livelihood figures at once, on the real Kafka and
PostgreSQL: each village's figures are exactly its own ``/statistics`` (a village with nothing
recorded has the zero figures), and the read is refused whole for a village outside the
caller's scope or not a village code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from livelihood import queries
from livelihood.app import create_app as livelihood_app
from livelihood.settings import LivelihoodSettings
from xiangzhi.db import Pool
from xiangzhi.testing.tokens import Signer

A, B, EMPTY = "141121100201", "141121100202", "141121101201"
SIGNER = Signer()
COUNTY = SIGNER.headers("county_admin", county="141121", person_id="county")
TODAY = datetime.now(UTC).date()
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _staff(village: str) -> dict[str, str]:
    return SIGNER.headers("village_staff", villages=[village], person_id=f"staff-{village}")


@pytest.fixture
async def service(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> AsyncIterator[tuple[httpx.AsyncClient, Pool]]:
    app = livelihood_app(LivelihoodSettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("livelihood.events"),
        grid_topic=await make_topic("grid.events"), party_topic=await make_topic("party.events"),
        auth_public_key=SIGNER.public_pem, consistency_timeout=20,
    ))  # fmt: skip
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://lh") as client,
    ):
        yield client, app.state.runtime.pool


async def _post(http: httpx.AsyncClient, village: str, path: str, body: dict[str, Any]) -> str:
    response = await http.post(f"/villages/{village}{path}", json=body, headers=_staff(village))
    assert response.status_code in (200, 201), response.text
    return str(response.json()["consistency_token"])


async def _record(http: httpx.AsyncClient) -> str:
    """Works, remediation and practical things in A; one practical thing in B; EMPTY nothing.
    The consistency token of the last command of each village."""
    for works_id, category, quantity, budget in (
        ("w-drain", "drainage", "300", "120000.00"),
        ("w-road", "road", "800", "560000.50"),
        ("w-road-2", "road", "200", "90000.00"),
    ):
        await _post(http, A, "/works", {
            "works_id": works_id, "category": category, "title": f"{works_id} 工程",
            "planned_quantity": quantity, "unit": "m", "budget_yuan": budget,
        })  # fmt: skip
    await _post(http, A, "/remediation/campaigns", {
        "campaign_id": "spring", "name": "春季整治", "starts_on": str(TODAY - timedelta(days=30)),
    })  # fmt: skip
    for action_id, kind, count, quantity in (
        ("a-1", "garbage_cleared", 3, "12.5"),
        ("a-2", "garbage_cleared", 1, "2"),
        ("a-3", "weeds_cleared", 2, None),
    ):
        await _post(http, A, "/remediation/campaigns/spring/actions", {
            "action_id": action_id, "kind": kind, "count": count, "quantity": quantity,
            "done_on": str(TODAY - timedelta(days=2)),
        })  # fmt: skip
    for item_id, deadline in (("t-done", 10), ("t-soon", 3), ("t-open", 20)):
        last_a = await _post(http, A, "/practical-things", {
            "item_id": item_id, "title": f"{item_id} 实事", "owner_id": "staff-a",
            "deadline": str(TODAY + timedelta(days=deadline)), "resident_id": "r-a",
            "words": "村民的请求",
        })  # fmt: skip
    last_a = await _post(http, A, "/practical-things/t-done/done", {
        "done_on": str(TODAY), "beneficiaries": 40,
    })  # fmt: skip
    last_b = await _post(http, B, "/practical-things", {
        "item_id": "t-b", "title": "路灯", "owner_id": "staff-b",
        "deadline": str(TODAY + timedelta(days=5)), "resident_id": "r-b", "words": "路灯不亮",
    })  # fmt: skip
    return f"{last_a},{last_b}"


async def test_each_village_has_its_own_figures_read_together(
    service: tuple[httpx.AsyncClient, Pool],
) -> None:
    http, pool = service
    token = await _record(http)
    answer = await http.get(
        "/counties/141121/statistics",
        params=[("villages", A), ("villages", B), ("villages", EMPTY), ("villages", A)],
        headers={**COUNTY, "X-Consistency-Token": token},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Consistency"] == "caught-up"
    county = answer.json()
    assert set(county) == {A, B, EMPTY}
    for village in (A, B, EMPTY):
        own = await http.get(f"/villages/{village}/statistics", headers=COUNTY)
        assert own.status_code == 200, own.text
        assert county[village] == own.json(), village

    a = county[A]
    assert [(w["stage"], w["category"], w["works"], w["planned"]) for w in a["works"]] == [
        ("proposed", "drainage", 1, "300.000"),
        ("proposed", "road", 2, "1000.000"),
    ]
    assert [(r["kind"], r["count"], r["quantity"]) for r in a["remediation"]] == [
        ("garbage_cleared", 4, "14.500"),
        ("weeds_cleared", 2, None),
    ]
    assert a["practical_things"] == {"done": 1, "overdue": 0, "open": 2}
    assert county[B] == {
        "village": B, "works": [], "remediation": [],
        "practical_things": {"done": 0, "overdue": 0, "open": 1},
    }  # fmt: skip
    assert county[EMPTY] == {
        "village": EMPTY, "works": [], "remediation": [],
        "practical_things": {"done": 0, "overdue": 0, "open": 0},
    }  # fmt: skip

    # Four days on, the thing due in three days is overdue (A's; B's is due in five).
    later = await queries.statistics(pool, [A, B, EMPTY], TODAY + timedelta(days=4))
    assert {v: f["practical_things"]["overdue"] for v, f in later.items()} == {A: 1, B: 0, EMPTY: 0}


async def test_a_village_outside_the_callers_scope_refuses_the_whole_read(
    service: tuple[httpx.AsyncClient, Pool],
) -> None:
    http, _ = service
    await _record(http)
    answer = await http.get(
        "/counties/141121/statistics", params=[("villages", A), ("villages", B)], headers=_staff(A)
    )
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert B in answer.json()["detail"]
    assert set(answer.json()) <= PROBLEM_KEYS  # the refusal and nothing of A's figures
    township = SIGNER.headers("township_officer", county="141121", township="141121100")
    refused = await http.get(
        "/counties/141121/statistics", params=[("villages", A), ("villages", EMPTY)],
        headers=township,
    )  # fmt: skip
    assert refused.status_code == 403, refused.text
    assert set(refused.json()) <= PROBLEM_KEYS


@pytest.mark.parametrize(
    ("villages", "status", "field"),
    [
        (["14112110020"], 422, "query.villages.0"),
        (["14112210020x"], 422, "query.villages.0"),
        (["141122100201"], 422, "query.villages"),  # a village of another county
        ([], 422, "query.villages"),
    ],
)
async def test_a_bad_village_code_is_named(
    service: tuple[httpx.AsyncClient, Pool], villages: list[str], status: int, field: str
) -> None:
    http, _ = service
    answer = await http.get(
        "/counties/141121/statistics", params=[("villages", v) for v in villages], headers=COUNTY
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    fields = {e["field"] for e in problem.get("errors", [])} | {problem.get("field")}
    assert field in fields, problem
