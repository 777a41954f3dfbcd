"""County rankings of party members: the gateway asks party to rank the villages the caller may
see together (party owns the ranking rule); if party cannot answer, the result is partial."""

from __future__ import annotations

import httpx
from gateway import identity
from gateway.app import create_app as gateway_app
from gateway.settings import GatewaySettings
from gateway_testing import DONGZHUANG, PASSWORD, SAME_COUNTY, Platform, free_port, serve
from party.app import create_app as party_app
from party.settings import PartySettings
from xiangzhi.auth import Principal, TokenIssuer, generate_keypair

A, B, ELSEWHERE = "141121100201", "141121101201", "141122100201"


async def test_county_rankings_across_villages(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> None:
    private, public = generate_keypair()
    party = party_app(PartySettings(
        **key_service,
        postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap, auth_public_key=public,
        events_topic=await make_topic("party.events"), grid_topic=await make_topic("grid.events"),
        consistency_timeout=20,
    ))  # fmt: skip
    async with party.router.lifespan_context(party), serve(party, free_port()) as party_url:
        gateway = gateway_app(GatewaySettings(
        **key_service,
            postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap, signing_key=private,
            auth_public_key=public, party_url=party_url, grid_url=party_url, rate_limit_per_minute=100_000,
        ))  # fmt: skip
        transport = httpx.ASGITransport(app=gateway)
        async with (
            gateway.router.lifespan_context(gateway),
            httpx.AsyncClient(transport=transport, base_url="http://gw") as http,
        ):
            pool = gateway.state.runtime.pool
            await identity.create_user(
                pool, identity.NewUser("county", PASSWORD, "county_admin", county="141121")
            )
            login = await http.post(
                "/api/v1/auth/token",
                data={"grant_type": "password", "username": "county", "password": PASSWORD},
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for code in (A, B):
                await http.post(
                    "/api/v1/counties/141121/villages",
                    json={"code": code, "name": code},
                    headers=headers,
                )
            last = {}
            secretaries = {}
            for village in (A, B):
                # The county creates each village's secretary, who keeps the village's points.
                created = await http.post("/api/v1/users", json={
                    "username": f"sec-{village}", "password": PASSWORD, "role": "village_secretary",
                    "villages": [village], "person_id": f"sec-{village}",
                }, headers=headers)  # fmt: skip
                assert created.status_code == 201, created.text
                login = await http.post("/api/v1/auth/token", data={
                    "grant_type": "password", "username": f"sec-{village}", "password": PASSWORD,
                })  # fmt: skip
                secretaries[village] = {"Authorization": f"Bearer {login.json()['access_token']}"}
                base = f"/api/v1/villages/{village}/party"
                branch = await http.post(f"{base}/organizations", json={
                    "org_id": "branch", "name": "党支部", "kind": "general_branch",
                }, headers=secretaries[village])  # fmt: skip
                assert branch.status_code == 201, branch.text
            for village, member in ((A, "pm-a1"), (A, "pm-a2"), (B, "pm-b1")):
                registered = await http.post(f"/api/v1/villages/{village}/party/members", json={
                    "member_id": member, "name": member, "org_id": "branch", "status": "full",
                    "joined_on": "2001-07-01",
                }, headers=secretaries[village])  # fmt: skip
                assert registered.status_code == 201, registered.text
            for village, member, times in ((A, "pm-a1", 3), (A, "pm-a2", 1), (B, "pm-b1", 3)):
                for n in range(times):
                    response = await http.post(
                        f"/api/v1/villages/{village}/party/members/{member}/scores",
                        json={"rule_id": "attended_study", "period": 2026, "reason": f"#{n}"},
                        headers=secretaries[village],
                    )  # fmt: skip
                    assert response.status_code == 201, response.text
                    last[village] = response.json()["consistency_token"]
            for village, token in last.items():  # wait until each village's read model has them
                await http.get(f"/api/v1/villages/{village}/party/points/rankings",
                               params={"period": 2026, "consistency": token}, headers=headers)  # fmt: skip
            ranked = (
                await http.get(
                    "/api/v1/counties/141121/party/rankings",
                    params={"period": 2026},
                    headers=headers,
                )
            ).json()
            assert ranked["partial"] is False
            assert [
                (m["member_id"], m["village"], m["total"], m["rank"]) for m in ranked["members"]
            ] == [
                ("pm-a1", A, "3.00", 1),
                ("pm-b1", B, "3.00", 1),
                ("pm-a2", A, "1.00", 3),
            ]
            outsider = await http.get("/api/v1/counties/141122/party/rankings", headers=headers)
            assert outsider.json()["members"] == []


async def test_party_ranks_a_county_only_for_villages_of_it_the_caller_sees(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> None:
    """Called directly, bypassing the gateway: party's county ranking is scoped like its
    village routes."""
    private, public = generate_keypair()
    settings = PartySettings(
        **key_service,
        postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap, auth_public_key=public,
        events_topic=await make_topic("party.events"), grid_topic=await make_topic("grid.events"),
    )  # fmt: skip
    issue = TokenIssuer(
        private, issuer=settings.auth_issuer, audience=settings.auth_audience, ttl=60
    ).issue
    secretary = Principal("s", "village_secretary", villages=frozenset({A}))
    county = Principal("c", "county_admin", county="141121")
    party = party_app(settings)
    transport = httpx.ASGITransport(app=party)
    url = "/counties/141121/points/rankings"
    async with (
        party.router.lifespan_context(party),
        httpx.AsyncClient(transport=transport, base_url="http://party") as http,
    ):
        assert (await http.get(url, params={"villages": [A]})).status_code == 401
        refused = await http.get(
            url, params={"villages": [A, B]},
            headers={"Authorization": f"Bearer {issue(secretary)}"},
        )  # fmt: skip
        assert refused.status_code == 403
        assert refused.json()["detail"] == f"village {B} is outside your scope"
        elsewhere = await http.get(
            url, params={"villages": [A, ELSEWHERE]},
            headers={"Authorization": f"Bearer {issue(county)}"},
        )  # fmt: skip
        assert elsewhere.status_code == 422
        answered = await http.get(
            url, params={"villages": [A, B], "period": 2026},
            headers={"Authorization": f"Bearer {issue(county)}"},
        )  # fmt: skip
        assert answered.status_code == 200, answered.text
        assert answered.json() == []


async def test_county_rankings_are_partial_when_party_is_down(platform: Platform) -> None:
    county = await platform.bearer("county")
    for code in (DONGZHUANG, SAME_COUNTY):
        registered = await platform.http.post(
            "/api/v1/counties/141121/villages", json={"code": code, "name": code}, headers=county
        )
        assert registered.status_code == 201
    ranked = (
        await platform.http.get("/api/v1/counties/141121/party/rankings", headers=county)
    ).json()
    assert ranked == {
        "county": "141121",
        "members": [],
        "partial": True,
        "missing": [DONGZHUANG, SAME_COUNTY],
    }
    township = await platform.bearer("township")  # sees one of the two villages
    ranked = (
        await platform.http.get("/api/v1/counties/141121/party/rankings", headers=township)
    ).json()
    assert ranked["missing"] == [DONGZHUANG]
    other = await platform.bearer("other-county")  # sees none of them: nothing to ask party
    ranked = (
        await platform.http.get("/api/v1/counties/141121/party/rankings", headers=other)
    ).json()
    assert ranked == {"county": "141121", "members": [], "partial": False, "missing": []}
