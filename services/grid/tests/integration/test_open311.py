"""Open311 GeoReport v2, as the specification's examples drive it, on a real HTTP server.

Following requests goes through ``georeport``, an existing Open311 client (requests + JSON or
XML); raising one is the specification's own form-encoded POST, which that client lacks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from georeport import GeoReport
from grid_testing import DONGZHUANG, SIGNER, GridService, establish_grid
from xiangzhi.testing.servers import serve

# What the gateway sends for a client's API key: a token of an API client of the village.
API_CLIENT = SIGNER.headers("api_client", villages=[DONGZHUANG], person_id="apikey:test")


@pytest.fixture
async def served(grid_service: GridService) -> AsyncIterator[tuple[str, GridService]]:
    """The running service behind a real uvicorn on loopback."""
    async with serve(grid_service.app) as base:
        yield base, grid_service


async def test_an_open311_client_raises_and_follows_an_issue(
    served: tuple[str, GridService],
) -> None:
    base, svc = served
    established = await establish_grid(svc)
    # Open311 requests land in the intake grid, which is found in the read model.
    await svc.read(f"/villages/{DONGZHUANG}/grids", established["consistency_token"])
    root = f"{base}/open311/v2/villages/{DONGZHUANG}"
    json_client, xml_client = GeoReport(root), GeoReport(root, output_format="xml")

    services = await asyncio.to_thread(json_client.get_service_list)
    codes = {s["service_code"]: s for s in services}
    assert codes["drainage"]["service_name"] == "下水排水"
    assert codes["water_leak"]["type"] == "realtime"
    xml_services = await asyncio.to_thread(xml_client.get_service_list)
    assert {s["service_code"] for s in xml_services} == set(codes)
    definition = await asyncio.to_thread(json_client.get_service_definition, "drainage")
    assert definition["attributes"][0]["code"] == "grid_id"

    # POST /requests.json, form-encoded, as in the specification (with "long").
    async with httpx.AsyncClient(headers=API_CLIENT) as http:
        created = await http.post(f"{root}/requests.json", data={
            "api_key": "ignored-by-the-service", "service_code": "water_leak",
            "lat": "37.4367000", "long": "112.0293000", "address_string": "正街12号",
            "description": "自来水管漏水", "email": "villager@example.org",
        })  # fmt: skip
        assert created.status_code == 200, created.text
        [receipt] = created.json()
        request_id = receipt["service_request_id"]
        assert "48" in receipt["service_notice"]
        by_lon = await http.post(f"{root}/requests.xml", data={
            "service_code": "road", "lat": "37.5", "lon": "112.1", "description": "路面坑洼",
        })  # fmt: skip
        assert by_lon.status_code == 200
        assert "<service_request_id>" in by_lon.text

    async def followed() -> dict:
        return await asyncio.to_thread(json_client.get_service_request, request_id)

    for _ in range(200):
        try:
            request = await followed()
            break
        except Exception:  # not projected yet: 404
            await asyncio.sleep(0.05)
    assert request["status"] == "open"
    assert request["service_code"] == "water_leak"
    assert request["lat"] == "37.4367000"
    assert request["long"] == "112.0293000"
    assert "raised_by" not in request and "email" not in request

    open_ones = await asyncio.to_thread(
        json_client.get_service_requests, status="open", service_code="water_leak"
    )
    assert [r["service_request_id"] for r in open_ones] == [request_id]
    as_xml = await asyncio.to_thread(xml_client.get_service_request, request_id)
    assert as_xml["status"] == "open"

    # Handled in the village: the Open311 client sees it closed, with the notes.
    base_cmd = f"/villages/{DONGZHUANG}/issues/{request_id}"
    await svc.command(
        f"{base_cmd}/assign", {"assignee_kind": "team", "assignee_id": "repair"}, status=200
    )
    done = await svc.command(f"{base_cmd}/resolve", {"resolution": "已更换水管"}, status=200)
    await svc.read(f"/villages/{DONGZHUANG}/issues/{request_id}", done["consistency_token"])
    closed = await asyncio.to_thread(
        json_client.get_service_requests, service_request_id=request_id
    )
    assert closed[0]["status"] == "closed"
    assert closed[0]["status_notes"] == "已更换水管"
    assert (
        await asyncio.to_thread(
            json_client.get_service_requests, status="open", service_code="water_leak"
        )
        == []
    )


async def test_open311_errors_name_the_field(served: tuple[str, GridService]) -> None:
    base, svc = served
    await establish_grid(svc)
    root = f"{base}/open311/v2/villages/{DONGZHUANG}"
    async with httpx.AsyncClient(headers=API_CLIENT) as http:
        missing = await http.post(f"{root}/requests.json", data={"service_code": "drainage"})
        assert missing.status_code == 400
        assert "address_string" in missing.json()[0]["description"]
        unknown = await http.post(
            f"{root}/requests.json", data={"service_code": "ufo", "lat": "1", "long": "1"}
        )
        assert unknown.json() == [{"code": 400, "description": "service_code ufo is not provided"}]
        bad_lat = await http.post(
            f"{root}/requests.xml", data={"service_code": "road", "lat": "north", "long": "1"}
        )
        assert bad_lat.status_code == 400
        assert "<errors><error><code>400</code>" in bad_lat.text
        nothing = await http.get(f"{root}/requests/no-such-id.json")
        assert nothing.status_code == 404
        span = await http.get(
            f"{root}/requests.json",
            params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        )
        assert span.status_code == 400
