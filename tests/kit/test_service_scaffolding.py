"""The kit's app factory, on the real stack: lifespan, problem+json, ids, metrics, and a
command whose token makes the following read see it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from xiangzhi.settings import ServiceSettings
from xiangzhi.testing.tokens import Signer

from tests.kit.tally_service import build

DONGZHUANG = "141121100201"
SIGNER = Signer()


@pytest.fixture
async def client(pg_dsn: str, kafka_bootstrap: str, make_topic) -> AsyncIterator[httpx.AsyncClient]:
    topic = await make_topic("tally.events")
    settings = ServiceSettings(
        service_name="tally",
        postgres_dsn=pg_dsn,
        kafka_bootstrap=kafka_bootstrap,
        events_topic=topic,
        log_json=True,
        auth_public_key=SIGNER.public_pem,
    )
    app = build(settings)
    staff = SIGNER.headers("village_staff", villages=[DONGZHUANG], person_id="clerk-1")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://tally", headers=staff
        ) as client:
            yield client


async def test_command_then_consistent_read(client: httpx.AsyncClient) -> None:
    created = await client.post(
        f"/villages/{DONGZHUANG}/tallies/t1/counts", json={"amount": "12.34", "expected_version": 0}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["version"] == 1
    assert body["consistency_token"] == f"tally:{DONGZHUANG}:1"
    read = await client.get(
        f"/villages/{DONGZHUANG}/tallies/t1",
        headers={"X-Consistency-Token": body["consistency_token"]},
    )
    assert read.status_code == 200, read.text
    assert read.headers["X-Consistency"] == "caught-up"
    assert read.json() == {"tally_id": "t1", "village": DONGZHUANG, "total": "12.34", "counts": 1}


async def test_a_conflict_is_409_with_the_current_version(client: httpx.AsyncClient) -> None:
    url = f"/villages/{DONGZHUANG}/tallies/t2/counts"
    assert (await client.post(url, json={"amount": "1", "expected_version": 0})).status_code == 201
    stale = await client.post(url, json={"amount": "2", "expected_version": 0})
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    problem = stale.json()
    assert problem["current_version"] == 1
    assert problem["expected_version"] == 0
    assert problem["status"] == 409


async def test_bad_input_names_the_field_and_changes_nothing(client: httpx.AsyncClient) -> None:
    url = f"/villages/{DONGZHUANG}/tallies/t3/counts"
    bad = await client.post(url, json={"amount": "-5", "expected_version": 0})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in bad.json()["errors"]] == ["body.amount"]
    assert "body.amount" in bad.json()["detail"]
    wrong_village = await client.post(
        "/villages/14112110020X/tallies/t3/counts", json={"amount": "1", "expected_version": 0}
    )
    assert wrong_village.status_code == 422
    assert wrong_village.json()["errors"][0]["field"] == "path.village"
    assert (await client.get(f"/villages/{DONGZHUANG}/tallies/t3")).status_code == 404
    # The refused commands wrote nothing: the first real one is version 1.
    ok = await client.post(url, json={"amount": "1", "expected_version": 0})
    assert ok.json()["version"] == 1


async def test_unknown_resources_and_bad_tokens_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"/villages/{DONGZHUANG}/tallies/nobody")
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/notfound")
    nowhere = await client.get("/no/such/route")
    assert nowhere.status_code == 404
    assert nowhere.headers["content-type"] == "application/problem+json"
    bad_token = await client.get(
        f"/villages/{DONGZHUANG}/tallies/x", headers={"X-Consistency-Token": "nonsense"}
    )
    assert bad_token.status_code == 400
    assert bad_token.json()["field"] == "consistency"


async def test_ids_health_ready_and_metrics(client: httpx.AsyncClient) -> None:
    health = await client.get("/health", headers={"X-Request-ID": "req-42"})
    assert health.json() == {"status": "ok", "service": "tally"}
    assert health.headers["X-Request-ID"] == "req-42"
    assert health.headers["X-Correlation-ID"] == "req-42"
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {
        "database": "ok",
        "relay": "running",
        "projection:tallies": "running",
    }
    metrics = (await client.get("/metrics")).text
    assert "xiangzhi_http_requests_total" in metrics
    assert "xiangzhi_outbox_depth" in metrics
