"""Request and correlation ids, access logs and Prometheus metrics for every service."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class RequestIds:
    """Request and correlation ids, the access log line and the request metrics, as plain ASGI
    middleware (Starlette's ``BaseHTTPMiddleware`` runs every request through a task group and
    memory streams: a large share of a small request's cost)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = {k: v for k, v in scope["headers"] if k in _ID_HEADERS}
        request_id = safe_id(_text(incoming.get(b"x-request-id"))) or str(uuid.uuid4())
        correlation_id = safe_id(_text(incoming.get(b"x-correlation-id"))) or request_id
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["correlation_id"] = correlation_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        ids = [
            (b"x-request-id", request_id.encode()),
            (b"x-correlation-id", correlation_id.encode()),
        ]
        status = 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *ids]}
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            REQUESTS.labels(self.service, method, route, str(status)).inc()
            LATENCY.labels(self.service, method, route).observe(elapsed)
            if route not in ("/health", "/metrics"):
                log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    status=status,
                    ms=round(elapsed * 1000, 2),
                )


_ID_HEADERS = (b"x-request-id", b"x-correlation-id")


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None


def install(app: FastAPI, service: str) -> None:
    app.add_middleware(RequestIds, service=service)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
