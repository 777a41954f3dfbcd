"""Routing to the services: pooled clients, timeouts, retries for idempotent reads only, ids
passed on, and an upstream's failure answered as 502, 503 or 504 problem+json."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from fastapi import Request, Response
from xiangzhi.errors import DomainError
from xiangzhi.guard import READS

FORWARD_REQUEST = ("content-type", "accept", "accept-language", "x-consistency-token")
FORWARD_RESPONSE = (
    "content-type",
    "content-disposition",
    "x-consistency",
    "location",
    "retry-after",
    "cache-control",
)


class UpstreamError(DomainError):
    def __init__(self, status: int, title: str, detail: str, service: str) -> None:
        super().__init__(detail, service=service)
        self.status = status
        self.title = title


async def relay(
    request: Request,
    service: str,
    url: str,
    *,
    token: str | None,
    body: bytes | None = None,
    params: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    http: httpx.AsyncClient = request.app.state.http
    headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARD_REQUEST}
    headers["X-Request-ID"] = request.state.request_id
    headers["X-Correlation-ID"] = request.state.correlation_id
    if token:
        headers["Authorization"] = f"Bearer {token}"
    content = await request.body() if body is None else body
    attempts = 2 if request.method in READS else 1  # a command is never sent twice
    for attempt in range(1, attempts + 1):
        try:
            upstream = await http.request(
                request.method,
                url,
                content=content,
                headers=headers,
                params=params if params is not None else request.query_params,
                timeout=httpx.Timeout(timeout, connect=2.0)
                if timeout
                else httpx.USE_CLIENT_DEFAULT,
            )
            break
        except httpx.ConnectError as exc:
            if attempt == attempts:
                raise UpstreamError(
                    503, "Service unavailable", f"{service} is not reachable", service
                ) from exc
        except httpx.TimeoutException as exc:
            if attempt == attempts:
                raise UpstreamError(
                    504, "Service timed out", f"{service} did not answer in time", service
                ) from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(
                502, "Bad gateway", f"{service} failed: {type(exc).__name__}", service
            ) from exc
    if upstream.status_code >= 500:
        raise UpstreamError(
            502, "Bad gateway", f"{service} answered {upstream.status_code}", service
        )
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        headers={k: v for k, v in upstream.headers.items() if k.lower() in FORWARD_RESPONSE},
    )
