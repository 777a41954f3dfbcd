"""The county's read of several villages' economy figures at once, on the real Kafka and
PostgreSQL: each village's figures are exactly its own ``/statistics`` (a village with nothing
recorded has the zero figures and every month at 0.00), and the read is refused whole for a
village outside the caller's scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from economy import queries
from economy.app import create_app as economy_app
from economy.settings import EconomySettings
from economy_testing import SIGNER, contract
from xiangzhi.db import Pool

A, B, EMPTY = "141121100201", "141121100202", "141121101201"
COUNTY = SIGNER.headers("county_admin", county="141121", person_id="county")
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
TODAY = datetime.now(UTC).date()


def _staff(village: str) -> dict[str, str]:
    return SIGNER.headers("village_secretary", villages=[village], person_id=f"sec-{village}")


@pytest.fixture
async def economy(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> AsyncIterator[tuple[httpx.AsyncClient, Pool]]:
    app = economy_app(EconomySettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("economy.events"),
        party_topic=await make_topic("party.events"), consistency_timeout=20,
        auth_public_key=SIGNER.public_pem,
    ))  # fmt: skip
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ec") as http,
    ):
        yield http, app.state.runtime.pool


async def _post(http: httpx.AsyncClient, village: str, path: str, body: dict[str, Any]) -> str:
    response = await http.post(f"/villages/{village}{path}", json=body, headers=_staff(village))
    assert response.status_code in (200, 201), response.text
    return str(response.json()["consistency_token"])


async def _record(http: httpx.AsyncClient) -> str:
    """A: three contracts (one cleared, one under rectification), income this year and last,
    a co-operative, two enterprises (one employing 12 then 15). B: one contract and one
    income entry. EMPTY: nothing. The consistency token of both villages."""
    for n, area in ((1, "6.37"), (2, "4.20"), (3, "2.05")):
        await _post(http, A, "/assets", {
            "asset_id": f"plot-{n}", "kind": "farmland", "name": f"地{n}", "area_mu": "10.00",
        })  # fmt: skip
        await _post(http, A, "/contracts", contract(
            f"c-{n}", f"plot-{n}", area=area, written=n != 2,
        ))  # fmt: skip
    await _post(http, A, "/campaigns", {
        "campaign_id": "qingli", "name": "合同清理", "year": TODAY.year,
        "starts_on": str(TODAY - timedelta(days=10)),
    })  # fmt: skip
    await _post(http, A, "/contracts/c-1/review", {"campaign_id": "qingli"})
    await _post(http, A, "/contracts/c-1/clear", {"cleared_on": str(TODAY)})
    await _post(http, A, "/contracts/c-2/review", {
        "campaign_id": "qingli", "findings": ["no_written_contract"],
    })  # fmt: skip
    first_of_month = TODAY.replace(day=1)
    for entry_id, source, amount, received, of in (
        ("i-1", "contract_fee", "3200.00", first_of_month, "c-3"),
        ("i-2", "tourism", "480.50", first_of_month, None),
        ("i-0", "contract_fee", "3000.00", date(TODAY.year - 1, 6, 30), "c-3"),
    ):
        await _post(http, A, "/income", {
            "entry_id": entry_id, "source": source, "amount_yuan": amount, "contract_id": of,
            "year": received.year, "received_on": str(received), "reference": entry_id,
        })  # fmt: skip
    await _post(http, A, "/cooperatives", {
        "coop_id": "potato", "name": "马铃薯合作社", "crops": ["马铃薯"], "members": 40,
        "registered_on": "2024-04-01",
    })  # fmt: skip
    for enterprise_id in ("cast", "mill"):
        await _post(http, A, "/enterprises", {
            "enterprise_id": enterprise_id, "name": enterprise_id, "sector": "制造",
        })  # fmt: skip
    for enterprise_id, employed, as_of in (("cast", 12, "2025-01-01"), ("cast", 15, "2026-01-01"),
                                           ("mill", 4, "2025-06-01")):  # fmt: skip
        last_a = await _post(http, A, f"/enterprises/{enterprise_id}/employment", {
            "villagers_employed": employed, "as_of": as_of,
        })  # fmt: skip
    await _post(http, B, "/assets", {"asset_id": "pond", "kind": "pond", "name": "鱼塘"})
    await _post(http, B, "/contracts", contract("b-1", "pond", area="3.00", fee="900.00"))
    last_b = await _post(http, B, "/income", {
        "entry_id": "b-i", "source": "other", "amount_yuan": "100.00", "year": TODAY.year,
        "received_on": str(TODAY), "reference": "b",
    })  # fmt: skip
    return f"{last_a},{last_b}"


async def test_each_village_has_its_own_figures_read_together(
    economy: tuple[httpx.AsyncClient, Pool],
) -> None:
    http, pool = economy
    token = await _record(http)
    answer = await http.get(
        "/counties/141121/statistics",
        params=[("villages", A), ("villages", EMPTY), ("villages", B)],
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

    a, b = county[A], county[B]
    assert a["contracts"] == {
        "registered": 3, "cleared": 1, "cleared_area_mu": "6.37",
        "recovered_income_yuan": "0.00", "in_rectification": 1,
    }  # fmt: skip
    assert [(y["year"], y["total_yuan"]) for y in a["income_by_year"]] == [
        (TODAY.year - 1, "3000.00"),
        (TODAY.year, "3680.50"),
    ]
    assert a["income_by_month"][-1] == {"month": TODAY.strftime("%Y-%m"), "amount_yuan": "3680.50"}
    assert (a["cooperatives"], a["enterprises"], a["villagers_employed"]) == (1, 2, 19)
    assert b["contracts"]["registered"] == 1 and b["contracts"]["cleared"] == 0
    assert [(y["year"], y["total_yuan"]) for y in b["income_by_year"]] == [(TODAY.year, "100.00")]
    months = [m["month"] for m in a["income_by_month"]]
    assert county[EMPTY] == {
        "village": EMPTY,
        "contracts": {
            "registered": 0, "cleared": 0, "cleared_area_mu": "0",
            "recovered_income_yuan": "0", "in_rectification": 0,
        },
        "income_by_year": [],
        "income_by_month": [{"month": m, "amount_yuan": "0.00"} for m in months],
        "cooperatives": 0, "enterprises": 0, "villagers_employed": 0,
    }  # fmt: skip

    # The twelve months end with the month of `today`, for every village alike.
    later = await queries.statistics(pool, [A, B, EMPTY], TODAY.replace(day=1) + timedelta(days=62))
    for figures in later.values():
        assert len(figures["income_by_month"]) == 12
    trend = [str(m["amount_yuan"]) for m in later[A]["income_by_month"]]
    assert trend[-3:] == ["3680.50", "0.00", "0.00"]


async def test_a_village_outside_the_callers_scope_refuses_the_whole_read(
    economy: tuple[httpx.AsyncClient, Pool],
) -> None:
    http, _ = economy
    await _record(http)
    for headers, villages in (
        (_staff(A), [A, B]),
        (SIGNER.headers("township_officer", township="141121100"), [EMPTY]),
        (SIGNER.headers("api_client", villages=[B], scopes=["read"]), [A, B]),
    ):
        answer = await http.get(
            "/counties/141121/statistics",
            params=[("villages", v) for v in villages],
            headers=headers,
        )
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert set(answer.json()) <= PROBLEM_KEYS, answer.json()
    reader = SIGNER.headers("api_client", villages=[B], scopes=["read"])
    mine = await http.get("/counties/141121/statistics", params={"villages": [B]}, headers=reader)
    assert mine.status_code == 200 and set(mine.json()) == {B}
    elsewhere = await http.get(
        "/counties/141121/statistics", params={"villages": [A, "141122100201"]}, headers=COUNTY
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["field"] == "query.villages"
