"""Routing through the gateway: the tenant-isolation matrix, Open311 at its public URL, rate
limits, a service that is down, county views and the merged OpenAPI document."""

from __future__ import annotations

import asyncio

import httpx
from gateway_testing import DONGZHUANG, OTHER_COUNTY, SAME_COUNTY, Platform, free_port, serve
from georeport import GeoReport

VILLAGES = (DONGZHUANG, SAME_COUNTY, OTHER_COUNTY)
# Who sees which village (reads) and may write there, as the roles define it.
SCOPE = {
    "county": {DONGZHUANG, SAME_COUNTY},
    "other-county": {OTHER_COUNTY},
    "township": {DONGZHUANG},
    "secretary": {DONGZHUANG},
    "clerk": {DONGZHUANG},
    "worker": {DONGZHUANG},
    "resident": {DONGZHUANG},
}


async def _seed(platform: Platform) -> None:
    """A grid in each village, set up by its secretary."""
    for village, admin in (
        (DONGZHUANG, "secretary"),
        (SAME_COUNTY, "secretary-2"),
        (OTHER_COUNTY, "secretary-x"),
    ):
        headers = await platform.bearer(admin)
        response = await platform.http.post(
            f"/api/v1/villages/{village}/grid/grids",
            json={"grid_id": f"{village}001", "name": "一组", "level": "grid", "households": 30},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        token = response.json()["consistency_token"]
        read = await platform.http.get(
            f"/api/v1/villages/{village}/grid/grids",
            headers={**headers, "X-Consistency-Token": token},
        )
        assert read.status_code == 200


async def test_tenant_isolation_matrix(platform: Platform) -> None:
    await _seed(platform)
    secretary = await platform.bearer("secretary")
    key = (await platform.http.post(
        "/api/v1/api-keys", json={"name": "reader", "villages": [DONGZHUANG], "scopes": ["read"]}, headers=secretary
    )).json()["api_key"]  # fmt: skip
    callers = {user: await platform.bearer(user) for user in SCOPE} | {
        "api-reader": {"X-API-Key": key}
    }
    scope = SCOPE | {"api-reader": {DONGZHUANG}}
    # Forming a team is the secretary's and the village staff's (the permission table); the
    # county and township see the village but do not form its teams; the reader key writes nothing.
    writers = {"secretary", "clerk"}
    checked = 0
    for caller, headers in callers.items():
        for village in VILLAGES:
            sees = village in scope[caller]
            for route in ("grids", "issues", "statistics", "volunteer-teams"):
                response = await platform.http.get(
                    f"/api/v1/villages/{village}/grid/{route}", headers=headers
                )
                checked += 1
                if not sees:
                    assert response.status_code == 403, (caller, village, route, response.text)
                    assert response.headers["content-type"] == "application/problem+json"
                    # A problem and nothing else: no data of the village crosses.
                    assert set(response.json()) == {"type", "title", "status", "detail", "instance"}
                    continue
                assert response.status_code == 200, (caller, village, route, response.text)
                if route == "grids":
                    assert {g["grid_id"][:12] for g in response.json()} == {village}
                if route == "statistics":
                    assert response.json()["village"] == village
            command = await platform.http.post(
                f"/api/v1/villages/{village}/grid/volunteer-teams",
                json={"name": "应急救助队", "kind": "emergency_rescue"}, headers=headers,
            )  # fmt: skip
            checked += 1
            if sees and caller in writers:
                assert command.status_code == 201, (caller, village, command.text)
            else:
                assert command.status_code == 403, (caller, village, command.text)
    assert checked == len(callers) * len(VILLAGES) * 5


async def test_open311_through_the_gateway_with_an_api_key(platform: Platform) -> None:
    await _seed(platform)
    secretary = await platform.bearer("secretary")
    key = (await platform.http.post(
        "/api/v1/api-keys", json={"name": "311 app", "villages": [DONGZHUANG], "scopes": ["read", "write"]}, headers=secretary
    )).json()["api_key"]  # fmt: skip
    root = f"/api/v1/open311/v2/villages/{DONGZHUANG}"
    services = await platform.http.get(f"{root}/services.json")
    assert services.status_code == 200
    assert "drainage" in {s["service_code"] for s in services.json()}
    form = {
        "service_code": "garbage",
        "lat": "37.4367",
        "long": "112.0293",
        "description": "垃圾未清运",
    }
    anonymous = await platform.http.post(f"{root}/requests.json", data=form)
    assert anonymous.status_code == 401
    created = await platform.http.post(f"{root}/requests.json", data={**form, "api_key": key})
    assert created.status_code == 200, created.text
    request_id = created.json()[0]["service_request_id"]
    elsewhere = await platform.http.post(
        f"/api/v1/open311/v2/villages/{OTHER_COUNTY}/requests.json", data={**form, "api_key": key}
    )
    assert elsewhere.status_code == 403
    for _ in range(100):
        followed = await platform.http.get(f"{root}/requests/{request_id}.json")
        if followed.status_code == 200:
            break
    assert followed.json()[0]["status"] == "open"
    # An unmodified Open311 client follows it at the gateway's public URL, in JSON and XML.
    async with serve(platform.app, free_port()) as base:
        for output_format in ("json", "xml"):
            client = GeoReport(f"{base}{root}", output_format=output_format)
            request = await asyncio.to_thread(client.get_service_request, request_id)
            assert request["status"] == "open"
            assert request["service_code"] == "garbage"


async def test_rate_limit_answers_429_with_retry_after(platform: Platform) -> None:
    platform.app.state.limiter.per_minute = 3
    platform.app.state.limiter._buckets.clear()
    headers = {"X-API-Key": "xz_00000000_unknown"}
    statuses = [
        (
            await platform.http.get(f"/api/v1/villages/{DONGZHUANG}/grid/grids", headers=headers)
        ).status_code
        for _ in range(2)
    ]
    assert statuses == [401, 401]  # an unknown key is refused before it counts
    bearer = await platform.bearer("clerk")
    seen = [
        await platform.http.get(f"/api/v1/villages/{DONGZHUANG}/grid/grids", headers=bearer)
        for _ in range(5)
    ]
    assert [r.status_code for r in seen][:3] == [200, 200, 200]
    limited = seen[-1]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"


async def test_a_service_that_is_down_is_a_503_and_the_county_view_is_partial(
    platform: Platform,
) -> None:
    county = await platform.bearer("county")
    down = await platform.http.get(f"/api/v1/villages/{DONGZHUANG}/party/members", headers=county)
    assert down.status_code == 503
    assert down.json()["service"] == "party"
    for code, name in ((DONGZHUANG, "东庄村"), (SAME_COUNTY, "西庄村")):
        registered = await platform.http.post(
            "/api/v1/counties/141121/villages", json={"code": code, "name": name}, headers=county
        )
        assert registered.status_code == 201
    summary = (await platform.http.get("/api/v1/counties/141121/summary", headers=county)).json()
    assert [v["code"] for v in summary["villages"]] == [DONGZHUANG, SAME_COUNTY]
    assert all("grid" in v["services"] for v in summary["villages"])
    assert summary["partial"] is True
    assert set(summary["unavailable"]) == {"party", "economy", "livelihood"}
    township = await platform.bearer("township")
    assert [
        v["code"]
        for v in (
            await platform.http.get("/api/v1/counties/141121/villages", headers=township)
        ).json()
    ] == [DONGZHUANG]
    clerk = await platform.bearer("clerk")
    assert (
        await platform.http.post(
            "/api/v1/counties/141121/villages",
            json={"code": SAME_COUNTY, "name": "x"},
            headers=clerk,
        )
    ).status_code == 403


async def test_one_openapi_document_for_the_platform(platform: Platform) -> None:
    document = (await platform.http.get("/openapi.json")).json()
    paths = document["paths"]
    assert "/api/v1/villages/{village}/grid/issues" in paths
    assert "/api/v1/villages/{village}/grid/issues/{issue_id}/confirm" in paths
    assert "/api/v1/open311/v2/villages/{village}/requests.{fmt}" in paths
    assert "/api/v1/auth/token" in paths
    assert "grid.IssueView" in document["components"]["schemas"]
    refs = str(paths["/api/v1/villages/{village}/grid/issues"])
    assert "#/components/schemas/grid." in refs
    assert set(document["info"]["x-unavailable"]) == {"party", "economy", "livelihood"}
    async with httpx.AsyncClient() as direct:
        assert (await direct.get(f"{platform.grid_url}/openapi.json")).status_code == 200


async def test_every_village_route_for_every_caller_in_every_village(platform: Platform) -> None:
    """The whole matrix: every village-scoped operation of the merged document × every caller
    × own and foreign villages. Outside scope: 403 and a bare problem. Inside: reads never
    401/403; a command refused only by the permission table, naming it; never 5xx."""
    await _seed(platform)
    secretary = await platform.bearer("secretary")
    key = (await platform.http.post(
        "/api/v1/api-keys", json={"name": "reader", "villages": [DONGZHUANG], "scopes": ["read"]}, headers=secretary
    )).json()["api_key"]  # fmt: skip
    callers = {user: await platform.bearer(user) for user in SCOPE} | {
        "api-reader": {"X-API-Key": key}
    }
    scope = SCOPE | {"api-reader": {DONGZHUANG}}
    document = (await platform.http.get("/openapi.json")).json()
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/villages/{village}/")
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= 15
    seen = 0
    for caller, headers in callers.items():
        for village in VILLAGES:
            for method, path in operations:
                url = (
                    path.replace("{village}", village).replace("{grid_id}", f"{village}001")
                    .replace("{issue_id}", "issue-1").replace("{team_id}", "team-1")
                    .replace("{role}", "grid_chief")
                )  # fmt: skip
                assert "{" not in url, url
                response = await platform.http.request(
                    method, url, headers=headers, json=None if method == "GET" else {}
                )
                seen += 1
                where = (caller, village, method, path, response.status_code)
                assert response.status_code < 500, (*where, response.text)
                if village not in scope[caller]:
                    assert response.status_code == 403, where
                    assert set(response.json()) == {
                        "type",
                        "title",
                        "status",
                        "detail",
                        "instance",
                    }, where
                elif method != "GET" and caller == "api-reader":
                    assert response.status_code == 403, where
                elif method == "GET":
                    assert response.status_code not in (401, 403), (*where, response.text)
                else:
                    # Inside the village a command may still be refused by the permission
                    # table, and then the refusal names the permission.
                    assert response.status_code != 401, (*where, response.text)
                    if response.status_code == 403:
                        assert "permission" in response.json(), (*where, response.text)
    print(
        f"isolation matrix: {seen} requests ({len(callers)} callers × {len(VILLAGES)} villages × {len(operations)} operations)"
    )


async def test_a_resident_sees_only_their_own_issues_private_fields(platform: Platform) -> None:
    await _seed(platform)
    resident = await platform.bearer("resident")
    url = f"/api/v1/villages/{DONGZHUANG}/grid/issues"
    body = {"grid_id": f"{DONGZHUANG}001", "category": "dispute", "title": "邻里纠纷", "description": "围墙占地",
            "address": "北街3号", "raised_by": "resident-1", "anonymous": True}  # fmt: skip
    impostor = await platform.http.post(
        url, json={**body, "raised_by": "resident-2"}, headers=resident
    )
    assert impostor.status_code == 403  # the token says who raises, not the body
    raised = await platform.http.post(url, json=body, headers=resident)
    assert raised.status_code == 201, raised.text
    token = raised.json()["consistency_token"]
    issue = f"{url}/{raised.json()['id']}"
    own = await platform.http.get(issue, headers={**resident, "X-Consistency-Token": token})
    assert own.json()["raised_by"] == "resident-1"
    neighbour = await platform.http.get(issue, headers=await platform.bearer("neighbour"))
    assert neighbour.status_code == 200
    assert neighbour.json()["raised_by"] is None
    clerk = await platform.http.get(issue, headers=await platform.bearer("clerk"))
    assert clerk.json()["raised_by"] == "resident-1"
    # X-Actor cannot be used to pretend: the token decides.
    forged = await platform.http.get(
        issue, headers={**(await platform.bearer("neighbour")), "X-Actor": "resident-1"}
    )
    assert forged.json()["raised_by"] is None
