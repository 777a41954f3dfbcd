"""The economy service on the real Kafka and PostgreSQL, with party as the real producer of the
deliberations a contract cites: register, overlap refused, an award citing 四议两公开 (refused
before the meetings pass, accepted after, learnt from party's events), a clearing campaign, and
the clearing → income policy redelivered and rebuilt without a second entry."""

from __future__ import annotations

from decimal import Decimal

import httpx
from economy.app import create_app as economy_app
from economy.settings import EconomySettings
from economy_testing import ACCOUNTANT, DONGZHUANG, SECRETARY, SIGNER, contract
from party.app import create_app as party_app
from party.settings import PartySettings

BASE = f"/villages/{DONGZHUANG}"


async def test_contracts_citations_clearing_and_income(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> None:
    party_topic = await make_topic("party.events")
    party = party_app(PartySettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=party_topic, grid_topic=await make_topic("grid.events"),
        auth_public_key=SIGNER.public_pem,
    ))  # fmt: skip
    economy = economy_app(EconomySettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("economy.events"), party_topic=party_topic,
        consistency_timeout=20, auth_public_key=SIGNER.public_pem,
    ))  # fmt: skip
    async with (
        party.router.lifespan_context(party),
        economy.router.lifespan_context(economy),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=party), base_url="http://party", headers=SECRETARY
        ) as p,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=economy), base_url="http://economy"
        ) as e,
    ):

        async def post(path: str, body: dict, headers=ACCOUNTANT, status: int = 201) -> dict:
            response = await e.post(f"{BASE}{path}", json=body, headers=headers)
            assert response.status_code == status, response.text
            return response.json()

        await post("/assets", {"asset_id": "plot-1", "kind": "farmland", "name": "东坡地",
                               "area_mu": "10.00"})  # fmt: skip
        await post("/assets", {"asset_id": "plot-2", "kind": "farmland", "name": "西洼地"})
        await post("/contracts", contract("c-1", "plot-1", area="6.37", fee="1800.00",
                                          written=False))  # fmt: skip

        # The parcel is let until 2028: another contract meeting that term is refused, named.
        overlap = await post(
            "/contracts", contract("c-2", "plot-1", starts_on="2028-12-31", ends_on="2030-12-31"),
            status=409,
        )  # fmt: skip
        assert overlap["other_contract_id"] == "c-1"
        # A JSON number with a fraction never becomes money: refused, naming the field.
        floaty = await e.post(
            f"{BASE}/contracts",
            json={**contract("c-3", "plot-2"), "annual_fee_yuan": 1234.56},
            headers=ACCOUNTANT,
        )
        assert floaty.status_code == 422
        assert "annual_fee_yuan" in floaty.text

        # An award cites a deliberation: unknown first, then known but not passed, then passed —
        # economy learns each from party's events on the broker.
        award = contract("c-3", "plot-2", origin="award", deliberation_id="d-land",
                         starts_on="2026-01-01", ends_on="2035-12-31")  # fmt: skip
        unknown = await post("/contracts", award, status=422)
        assert "d-land" in unknown["detail"] and unknown["field"] == "deliberation_id"
        opened = await p.post(f"{BASE}/deliberations", json={
            "deliberation_id": "d-land", "kind": "villager_deliberation",
            "topic": "西洼地重新发包", "matter": "land_contracting"})  # fmt: skip
        assert opened.status_code == 201, opened.text
        token = {"X-Consistency-Token": opened.json()["consistency_token"]}
        not_passed = await post("/contracts", award, headers={**ACCOUNTANT, **token}, status=422)
        assert "has not passed" in not_passed["detail"]
        assert len(not_passed["missing"]) == 2
        meeting = await p.post(f"{BASE}/deliberations/d-land/party-meeting",
                               json={"members_total": 60, "attending": 45, "agreeing": 40})  # fmt: skip
        assert meeting.status_code in (200, 201), meeting.text
        resolved = await p.post(f"{BASE}/deliberations/d-land/villagers-resolution",
                                json={"representatives": True, "votes_for": 31,
                                      "votes_against": 2})  # fmt: skip
        assert resolved.status_code in (200, 201), resolved.text
        token = {"X-Consistency-Token": resolved.json()["consistency_token"]}
        awarded = await post("/contracts", award, headers={**ACCOUNTANT, **token})
        assert awarded["id"] == "c-3"

        # The clearing campaign: the secretary starts it; c-1 is reviewed with findings.
        await post("/campaigns", {"campaign_id": "qingli-2026", "name": "2026年合同清理",
                                  "year": 2026, "starts_on": "2026-03-01"}, headers=SECRETARY)  # fmt: skip
        await post(
            "/contracts/c-1/review",
            {"campaign_id": "qingli-2026", "findings": ["fee_arrears", "no_written_contract",
             "below_market_price"], "arrears_yuan": "5400.00", "market_fee_yuan": "2400.00"},
            status=200,
        )  # fmt: skip
        refused = await post("/contracts/c-1/clear", {}, status=409)
        assert sorted(refused["open_findings"]) == [
            "below_market_price", "fee_arrears", "no_written_contract"
        ]  # fmt: skip
        await post("/contracts/c-1/rectifications",
                   {"action": "arrears_recovered", "recovered_yuan": "5400.00"})  # fmt: skip
        await post(
            "/contracts/c-1/rectifications",
            {"action": "renegotiated", "new_annual_fee_yuan": "2400.00",
             "deliberation_id": "d-land"},
        )  # fmt: skip
        cleared = await post("/contracts/c-1/clear", {"cleared_on": "2026-05-20"}, status=200)

        # The policy records the arrears and the fee increase: 5400 + 600.
        income = await e.get(
            f"{BASE}/income",
            params={"year": 2026},
            headers={**ACCOUNTANT, "X-Consistency-Token": cleared["consistency_token"]},
        )
        assert income.status_code == 200, income.text
        await _until(e, lambda body: body["total_yuan"] == "6000.00", f"{BASE}/income?year=2026")

        # Redelivered and rebuilt: the policy finds its entries recorded; nothing twice.
        runners = economy.state.runtime.runners
        await runners["clearing_income"].rebuild()
        await runners["economy"].rebuild()
        body = await _until(e, lambda b: b["entries_total"] == 2, f"{BASE}/income?year=2026")
        assert body["total_yuan"] == "6000.00"
        by_source = {s["source"]: Decimal(s["amount_yuan"]) for s in body["by_source"]}
        assert by_source["arrears"] == Decimal("5400.00")
        assert by_source["contract_fee"] == Decimal("600.00")

        progress = (await e.get(f"{BASE}/campaigns/qingli-2026", headers=ACCOUNTANT)).json()
        assert progress["reviewed"] == 1 and progress["cleared"] == 1
        assert progress["cleared_area_mu"] == "6.37"
        assert progress["recovered_income_yuan"] == "6000.00"
        detail = (await e.get(f"{BASE}/contracts/c-1", headers=ACCOUNTANT)).json()
        assert detail["contractor_name"] == "承包户c-1"  # opened at the service's edge
        assert detail["annual_fee_yuan"] == "2400.00" and detail["written"] is True

        # The public statement of the quarter, without logging in.
        public = await e.get(f"{BASE}/finance/2026/2")
        assert public.status_code == 200, public.text
        assert public.json()["total_yuan"] == "6000.00"
        assert "承包户" not in public.text


async def _until(http: httpx.AsyncClient, done, url: str) -> dict:
    import asyncio

    body: dict = {}
    for _ in range(200):
        response = await http.get(url, headers=ACCOUNTANT)
        body = response.json()
        if response.status_code == 200 and done(body):
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true: {body}")
