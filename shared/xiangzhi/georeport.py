"""Errors in Open311 GeoReport v2's own shape: a list of ``{code, description}``.

Open311 clients parse no other error body, so every error on an Open311 route — a field the
service refuses, a missing API key, a village outside the key's scope, a service down behind
the gateway — answers in it, as XML when the path ends in ``.xml``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

PATH = re.compile(r"/open311/v2/")


class GeoReportError(BaseModel):
    """One error as GeoReport v2 answers it (a list of these)."""

    code: int
    description: str


# For an Open311 router's OpenAPI: the errors it answers, in the specification's shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": list[GeoReportError], "description": text}
    for status, text in (
        (400, "The request is not valid (the description names the field)"),
        (401, "An API key (or token) is required"),
        (403, "Outside the key's villages, or not permitted"),
        (404, "No such jurisdiction, service or request"),
        (429, "Too many requests"),
    )
}


def is_open311(path: str) -> bool:
    return PATH.search(path) is not None


def error(status: int, description: str, *, xml: bool) -> Response:
    # GeoReport v2 has no 422: a request it cannot take is a 400.
    status = 400 if status == 422 else status
    if xml:
        top = ET.Element("errors")
        node = ET.SubElement(top, "error")
        ET.SubElement(node, "code").text = str(status)
        ET.SubElement(node, "description").text = description
        body = ET.tostring(top, encoding="unicode", xml_declaration=True)
        return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
    return JSONResponse([{"code": status, "description": description}], status_code=status)
