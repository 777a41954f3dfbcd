"""Request and correlation ids, access logs and Prometheus metrics for every service."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUEST_ID = "X-Request-ID"
CORRELATION_ID = "X-Correlation-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

REQUESTS = Counter(
    "xiangzhi_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "xiangzhi_http_request_seconds", "HTTP request duration", ["service", "method", "route"]
)

log = structlog.get_logger("xiangzhi.access")


def safe_id(value: str | None) -> str | None:
    """An id from outside goes into logs and events: only a plain token is taken."""
    return value if value and _SAFE_ID.match(value) else None


def _incoming_id(request: Request, header: str) -> str | None:
    return safe_id(request.headers.get(header))


def install(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def ids_logs_metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = _incoming_id(request, REQUEST_ID) or str(uuid.uuid4())
        correlation_id = _incoming_id(request, CORRELATION_ID) or request_id
        request.state.request_id = request_id
        request.state.correlation_id = correlation_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", "unmatched")
        REQUESTS.labels(service, request.method, route, str(response.status_code)).inc()
        LATENCY.labels(service, request.method, route).observe(elapsed)
        response.headers[REQUEST_ID] = request_id
        response.headers[CORRELATION_ID] = correlation_id
        if route not in ("/health", "/metrics"):
            log.info(
                "request",
                method=request.method,
                path=request.url.path,
                status=response.status_code,
                ms=round(elapsed * 1000, 2),
            )
        return response

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
