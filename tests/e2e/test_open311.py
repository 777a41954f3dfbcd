"""Open311 GeoReport v2 at the gateway's public URL, with an unmodified Open311 client.

``georeport`` follows requests (JSON and XML) and has no POST; a request is raised with the
specification's own form-encoded POST, carrying the ``api_key`` a village secretary issued.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
import requests
from georeport import GeoReport

from tests.e2e.people import (
    DONGZHUANG,
    XIZHUANG,
    CountyPeople,
    create_api_key,
    eventually,
    revoke_api_key,
)
from tests.e2e.running import RunningPlatform

pytestmark = pytest.mark.integration

FORM = {
    "service_code": "water_leak", "lat": "37.4367000", "long": "112.0293000",
    "address_string": "正街12号", "description": "自来水管漏水", "email": "villager@example.org",
}  # fmt: skip


def _root(platform: RunningPlatform, village: str = DONGZHUANG) -> str:
    return f"{platform.gateway_url}/api/v1/open311/v2/villages/{village}/"


def _key(
    platform: RunningPlatform,
    county: CountyPeople,
    village: str,
    scopes: tuple[str, ...] = ("read", "write"),
) -> dict[str, str]:
    """An API key of ``village``, issued by its secretary: {key_id, api_key}."""
    made = create_api_key(platform, county.villages[village].secretary, [village], scopes)
    assert made.status_code == 201, made.text
    return made.json()


def test_an_open311_client_reads_without_a_token_and_posts_with_an_api_key(
    platform: RunningPlatform, county: CountyPeople, grids: dict[str, str]
) -> None:
    key = _key(platform, county, DONGZHUANG)["api_key"]
    root = _root(platform)
    json_client, xml_client = GeoReport(root), GeoReport(root, output_format="xml")

    services = {s["service_code"]: s for s in json_client.get_service_list()}
    assert services["water_leak"]["service_name"] == "漏水点"
    assert {s["service_code"] for s in xml_client.get_service_list()} == set(services)
    definition = json_client.get_service_definition("water_leak")
    assert definition["attributes"][0]["code"] == "grid_id"
    assert isinstance(json_client.get_service_requests(), list)

    # POST /requests.json, form-encoded as in the specification, no header but the form.
    created = httpx.post(f"{root}requests.json", data={**FORM, "api_key": key}, timeout=30)
    assert created.status_code == 200, created.text
    [receipt] = created.json()
    request_id = receipt["service_request_id"]
    assert "48" in receipt["service_notice"]

    def followed() -> dict | None:
        try:
            return json_client.get_service_request(request_id)
        except requests.HTTPError:  # 404 until grid's read model has it
            return None

    request = eventually(followed)
    assert request["status"] == "open"
    assert request["service_code"] == "water_leak"
    assert (request["lat"], request["long"]) == ("37.4367000", "112.0293000")
    assert "email" not in request and "raised_by" not in request
    assert [r["service_request_id"] for r in json_client.get_service_requests(
        service_request_id=request_id
    )] == [request_id]  # fmt: skip
    assert xml_client.get_service_request(request_id)["status"] == "open"
    # It is an issue of the village's intake grid, for the village's staff.
    with platform.client(county.villages[DONGZHUANG].staff) as http:
        issue = http.get(f"/api/v1/villages/{DONGZHUANG}/grid/issues/{request_id}")
    assert issue.status_code == 200, issue.text
    assert issue.json()["grid_id"] == grids[DONGZHUANG]


def _georeport_error(response: httpx.Response, status: int) -> str:
    """The GeoReport v2 error shape in JSON: [{code, description}]; the description."""
    assert response.status_code == status, (status, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert set(body[0]) == {"code", "description"}, body
    assert body[0]["code"] == status, body
    assert body[0]["description"], body
    return str(body[0]["description"])


def _georeport_xml_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, (status, response.status_code, response.text)
    assert "xml" in response.headers["content-type"], response.headers
    top = ET.fromstring(response.content)
    assert top.tag == "errors", response.text
    [error] = list(top)
    assert error.tag == "error", response.text
    assert error.findtext("code") == str(status), response.text
    description = error.findtext("description")
    assert description, response.text
    return description


def test_open311_errors_through_the_gateway_come_in_the_georeport_shape(
    platform: RunningPlatform, county: CountyPeople, grids: dict[str, str]
) -> None:
    own = _key(platform, county, DONGZHUANG)
    reader = _key(platform, county, DONGZHUANG, scopes=("read",))
    foreign = _key(platform, county, XIZHUANG)
    revoked = _key(platform, county, DONGZHUANG)
    gone = revoke_api_key(platform, county.villages[DONGZHUANG].secretary, revoked["key_id"])
    assert gone.status_code == 204, gone.text
    root = _root(platform)

    def post(fmt: str, **fields: str) -> httpx.Response:
        return httpx.post(f"{root}requests.{fmt}", data={**FORM, **fields}, timeout=30)

    for fmt, shape in (("json", _georeport_error), ("xml", _georeport_xml_error)):
        shape(post(fmt), 401)  # no api_key at all
        shape(post(fmt, api_key="xz_00000000_not-a-key"), 401)
        shape(post(fmt, api_key=revoked["api_key"]), 401)
        shape(post(fmt, api_key=foreign["api_key"]), 403)  # a key of the other village
        shape(post(fmt, api_key=reader["api_key"]), 403)  # a key that only reads
        # The service's own errors pass through in the same shape, naming the field.
        assert "service_code" in shape(post(fmt, api_key=own["api_key"], service_code="ufo"), 400)
        shape(httpx.get(f"{root}requests/no-such-request.{fmt}", timeout=30), 404)
    # And the key of the other village really is one: it works where it belongs.
    at_home = httpx.post(
        f"{_root(platform, XIZHUANG)}requests.json",
        data={**FORM, "api_key": foreign["api_key"]},
        timeout=30,
    )
    assert at_home.status_code == 200, at_home.text
