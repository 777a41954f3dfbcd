"""Open311 GeoReport v2 for each village (the village is the jurisdiction).

    GET  /open311/v2/villages/{village}/services.{json|xml}
    GET  /open311/v2/villages/{village}/services/{service_code}.{json|xml}
    POST /open311/v2/villages/{village}/requests.{json|xml}     (form-encoded)
    GET  /open311/v2/villages/{village}/requests.{json|xml}
    GET  /open311/v2/villages/{village}/requests/{service_request_id}.{json|xml}

Errors answer in the specification's own shape (a list of ``{code, description}``), which is
what Open311 clients parse; the description names the field.

An Open311 request does not name a grid: it goes to the village's intake grid (the grid with
the lowest code), or to ``attribute[grid_id]`` when the client sends one; staff reassign.
Reporters stay anonymous to the public: Open311 answers never carry who raised an issue, nor
the citizen's contact details (``first_name``, ``last_name``, ``email``, ``phone``), which are
kept for the village's staff only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from xiangzhi import georeport
from xiangzhi.deps import event_meta, event_store
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.errors import DomainError
from xiangzhi.guard import requires
from xiangzhi.ids import ID_PATTERN

from .. import handlers, queries
from ..domain import commands as c
from ..domain import permissions as perm
from ..domain.catalogue import CATEGORIES
from ..domain.events import Location
from ..domain.issue import OPEN
from .deps import ActorDep, RuntimeDep

router = APIRouter(
    prefix="/open311/v2/villages/{village}",
    tags=["Open311 GeoReport v2"],
    responses=georeport.ERRORS,
)
Format = Literal["json", "xml"]
CLOSED = {"resolved", "confirmed", "closed"}
ID = re.compile(ID_PATTERN)


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _render(
    fmt: Format, root: str, item: str, items: list[dict[str, Any]], status: int = 200
) -> Response:
    if fmt == "json":
        return JSONResponse(items, status_code=status)
    top = ET.Element(root)
    for entry in items:
        node = ET.SubElement(top, item)
        for key, value in entry.items():
            child = ET.SubElement(node, key)
            if isinstance(value, list):
                for v in value:
                    ET.SubElement(child, "keyword" if key == "keywords" else "value").text = str(v)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    body = ET.tostring(top, encoding="unicode", xml_declaration=True)
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")


def _error(fmt: Format, exc: Open311Error) -> Response:
    return georeport.error(exc.status, exc.description, xml=fmt == "xml")


def _village(village: str) -> None:
    if not re.fullmatch(VILLAGE_PATTERN, village):
        raise Open311Error(404, f"jurisdiction {village} is not a 12-digit village code")


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _service(code: str) -> dict[str, Any]:
    category = CATEGORIES[code]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.name_en}; handled within {category.sla_hours} hours",
        "metadata": True,
        "type": "realtime",
        "keywords": list(category.keywords),
        "group": category.group,
    }


def _request_view(row: dict[str, Any]) -> dict[str, Any]:
    category = CATEGORIES.get(row["category"])
    return {
        "service_request_id": row["issue_id"],
        "status": "closed" if row["status"] in CLOSED else "open",
        "status_notes": row["resolution"],
        "service_name": category.name if category else row["category"],
        "service_code": row["category"],
        "description": row["description"],
        "agency_responsible": row["assignee_id"] or "村委会",
        "service_notice": f"承诺 {category.sla_hours} 小时内处理" if category else None,
        "requested_datetime": _time(row["raised_at"]),
        "updated_datetime": _time(row["updated_at"]),
        "expected_datetime": _time(row["due_at"]),
        "address": row["address"],
        "address_id": None,
        "zipcode": None,
        "lat": str(row["lat"]) if row["lat"] is not None else None,
        "long": str(row["lon"]) if row["lon"] is not None else None,
        "media_url": None,
    }


@router.get("/services.{fmt}")
async def service_list(village: str, fmt: Format) -> Response:
    """GET Service List: the category catalogue."""
    try:
        _village(village)
    except Open311Error as exc:
        return _error(fmt, exc)
    return _render(fmt, "services", "service", [_service(code) for code in CATEGORIES])


@router.get("/services/{service_code}.{fmt}")
async def service_definition(village: str, service_code: str, fmt: Format) -> Response:
    """GET Service Definition: the optional attributes a request may carry."""
    if service_code not in CATEGORIES:  # also refuses any code that is not plain text
        return _error(fmt, Open311Error(404, f"service_code {service_code} is not provided"))
    attributes: list[dict[str, Any]] = [
        {
            "variable": True,
            "code": "grid_id",
            "datatype": "string",
            "required": False,
            "datatype_description": "15-digit grid code",
            "order": 1,
            "description": "网格 (defaults to the village's intake grid)",
        }
    ]
    definition = {"service_code": service_code, "attributes": attributes}
    if fmt == "json":
        return JSONResponse(definition)
    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = service_code
    attrs = ET.SubElement(top, "attributes")
    for attribute in attributes:
        node = ET.SubElement(attrs, "attribute")
        for key, value in attribute.items():
            ET.SubElement(node, key).text = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    return Response(
        ET.tostring(top, encoding="unicode", xml_declaration=True), media_type="text/xml"
    )


@router.post("/requests.{fmt}", dependencies=[requires(perm.RAISE_ISSUE)])
async def create_request(
    request: Request,
    village: str,
    fmt: Format,
    rt: RuntimeDep,
    who: ActorDep,
    service_code: Annotated[str | None, Form()] = None,
    lat: Annotated[str | None, Form()] = None,
    long: Annotated[str | None, Form()] = None,
    lon: Annotated[str | None, Form()] = None,
    address_string: Annotated[str | None, Form()] = None,
    description: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
    device_id: Annotated[str | None, Form()] = None,
    account_id: Annotated[str | None, Form()] = None,
    first_name: Annotated[str | None, Form()] = None,
    last_name: Annotated[str | None, Form()] = None,
    phone: Annotated[str | None, Form()] = None,
) -> Response:
    """POST Service Request: ``lat`` + ``long`` (``lon`` accepted) or ``address_string``."""
    try:
        _village(village)
        if not service_code:
            raise Open311Error(400, "service_code is required")
        if service_code not in CATEGORIES:
            raise Open311Error(400, f"service_code {service_code} is not provided")
        location = _location(lat, long if long is not None else lon)
        if location is None and not address_string:
            raise Open311Error(400, "lat and long, or address_string, is required")
        form = await request.form()
        grid_id = form.get("attribute[grid_id]") or await queries.intake_grid(rt.pool, village)
        if not isinstance(grid_id, str):
            raise Open311Error(400, f"attribute[grid_id]: village {village} has no grid yet")
        # The client that posts is the reporter of record (from its token, never the form). The
        # citizen's contact details are kept as the issue's contact: the kit's event store
        # encrypts them under the citizen's own key (by email, else phone), so forgetting the
        # citizen erases them from the log that is kept forever. Staff (and the client, as the
        # reporter of record) see them in the issue's detail; Open311 answers never carry them.
        reporter = who.person_id
        text = (description or "").strip() or CATEGORIES[service_code].name
        contact = c.ContactDetails(
            first_name=first_name, last_name=last_name, email=email, phone=phone
        )
        cmd = c.RaiseIssue(
            grid_id=grid_id,
            category=service_code,
            title=text[:40],
            description=text,
            location=location,
            address=address_string,
            raised_by=reporter,
            anonymous=True,
            channel="open311",
            contact=contact if contact.given else None,
        )
    except Open311Error as exc:
        return _error(fmt, exc)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        return _error(fmt, Open311Error(400, f"{field}: {first['msg']}"))
    ctx = handlers.Context(
        store=event_store(request),
        village=village,
        meta=event_meta(request),
        actor=who,
    )
    try:
        outcome = await handlers.raise_issue(ctx, cmd)
    except DomainError as exc:
        named = exc.extensions.get("field")
        status = exc.status if exc.status in (401, 403, 404, 409) else 400
        return _error(fmt, Open311Error(status, f"{named}: {exc.detail}" if named else exc.detail))
    issue_id = outcome.aggregate_id
    notice = f"已受理，承诺 {CATEGORIES[service_code].sla_hours} 小时内处理"
    return _render(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": issue_id, "service_notice": notice, "account_id": None}],
    )


def _location(lat: str | None, lon: str | None) -> Location | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise Open311Error(400, "lat and long go together")
    try:
        return Location(
            lat=Decimal(lat).quantize(Decimal("0.0000001")),
            lon=Decimal(lon).quantize(Decimal("0.0000001")),
        )
    except (InvalidOperation, ValidationError) as exc:
        raise Open311Error(400, f"lat/long: not a position ({lat}, {lon})") from exc


@router.get("/requests.{fmt}")
async def get_requests(
    village: str,
    fmt: Format,
    rt: RuntimeDep,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: str | None = None,
) -> Response:
    """GET Service Requests, with the specification's filters (90 days by default)."""
    try:
        _village(village)
        statuses: list[str] | None = None
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status: open, closed or both")
            statuses = sorted(
                (OPEN if "open" in wanted else set()) | (CLOSED if "closed" in wanted else set())
            )
        if service_request_id:
            ids = [i.strip() for i in service_request_id.split(",")]
            if not all(ID.fullmatch(i) for i in ids):
                raise Open311Error(400, "service_request_id: ids of letters, digits and -")
            filters = queries.IssueFilter(ids=ids)
        else:
            end = end_date or datetime.now(UTC)
            start = start_date or end - timedelta(days=90)
            if end - start > timedelta(days=90):
                raise Open311Error(400, "start_date to end_date may not span more than 90 days")
            filters = queries.IssueFilter(
                status=statuses,
                category=[s.strip() for s in service_code.split(",")] if service_code else None,
                raised_after=start,
                raised_before=end,
            )
    except Open311Error as exc:
        return _error(fmt, exc)
    rows, _ = await queries.issues(
        rt.pool, village, filters, limit=1000, offset=0, now=datetime.now(UTC)
    )
    return _render(fmt, "service_requests", "request", [_request_view(r) for r in rows])


@router.get("/requests/{service_request_id}.{fmt}")
async def get_request(
    village: str, service_request_id: str, fmt: Format, rt: RuntimeDep
) -> Response:
    """GET Service Request: one request, as a list of one (as the specification has it)."""
    if not ID.fullmatch(service_request_id):
        return _error(
            fmt, Open311Error(404, f"service_request_id {service_request_id!r} not found")
        )
    row = await queries.issue(rt.pool, village, service_request_id)
    if row is None:
        return _error(fmt, Open311Error(404, f"service_request_id {service_request_id} not found"))
    return _render(fmt, "service_requests", "request", [_request_view(row)])
