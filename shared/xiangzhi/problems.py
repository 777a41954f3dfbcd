"""RFC 9457 problem details for every error a service answers with.

Validation failures name each field (``errors[].field`` as a dotted path); a version conflict
carries the stream's current version; nothing answers with a bare stack trace.
"""

from __future__ import annotations

import math
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from . import georeport
from .errors import DomainError
from .store import ConcurrencyError, StreamVillageError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://xiangzhi.org/problems/"

log = structlog.get_logger(__name__)


def problem(
    status: int, title: str, detail: str, *, kind: str, instance: str | None = None, **ext: Any
) -> JSONResponse:
    body = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(ext)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def answer(
    request: Request, status: int, title: str, detail: str, *, kind: str, **ext: Any
) -> Response:
    """A problem+json, or the GeoReport shape on Open311's routes."""
    if georeport.is_open311(request.url.path):
        return georeport.error(status, detail, xml=request.url.path.endswith(".xml"))
    return problem(status, title, detail, kind=kind, instance=request.url.path, **ext)


def field_errors(errors: Any) -> list[dict[str, str]]:
    """Pydantic's errors as ``{field, message, type}``, the field as a dotted path."""
    out = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        out.append(
            {
                "field": ".".join(location) or "body",
                "message": str(error.get("msg", "invalid")),
                "type": str(error.get("type", "value_error")),
            }
        )
    return out


def install(app: FastAPI) -> None:
    # A request FastAPI could not parse, and a payload a handler could not build: both name
    # each field that is wrong.
    @app.exception_handler(RequestValidationError)
    @app.exception_handler(ValidationError)
    async def invalid(request: Request, exc: RequestValidationError | ValidationError) -> Response:
        errors = field_errors(exc.errors())
        names = ", ".join(e["field"] for e in errors)
        return answer(
            request,
            422,
            "The request is not valid",
            f"Invalid: {names}",
            kind="validation",
            errors=errors,
        )

    @app.exception_handler(ConcurrencyError)
    async def conflict(request: Request, exc: ConcurrencyError) -> Response:
        return answer(
            request,
            409,
            "The record changed meanwhile",
            str(exc),
            kind="conflict",
            stream=exc.stream_id,
            expected_version=exc.expected,
            current_version=exc.actual,
        )

    @app.exception_handler(StreamVillageError)
    async def wrong_village(request: Request, exc: StreamVillageError) -> Response:
        return answer(request, 404, "Not found", str(exc), kind="not-found")

    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError) -> Response:
        kind = type(exc).__name__.removesuffix("Error").lower() or "domain"
        response = answer(request, exc.status, exc.title, exc.detail, kind=kind, **exc.extensions)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="xiangzhi"'
        if exc.status == 429:
            response.headers["Retry-After"] = str(math.ceil(exc.extensions.get("retry_after", 1)))
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Not authenticated"}
        response = answer(
            request,
            exc.status_code,
            titles.get(exc.status_code, "Request failed"),
            str(exc.detail),
            kind=f"http-{exc.status_code}",
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("request.failed", path=request.url.path)
        return answer(
            request,
            500,
            "Internal error",
            "The service failed; the request id names it in the logs.",
            kind="internal",
        )
