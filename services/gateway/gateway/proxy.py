"""Routing to the services: pooled clients, timeouts, retries for idempotent reads only, ids
passed on, and an upstream's failure answered as 502, 503 or 504 problem+json."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
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


def upstream_session(*, timeout_seconds: float) -> aiohttp.ClientSession:
    """The pooled keep-alive client the gateway forwards with (one per app, in its lifespan).

    aiohttp, not httpx: forwarding is the gateway's whole cost per request, and httpx's
    transport spent most of it in its own machinery (measured in issue 15: over half of the
    gateway's time, a fifth in an import attempted on every request)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30, ttl_dns_cache=300),
        timeout=aiohttp.ClientTimeout(total=timeout_seconds, sock_connect=2.0),
        # Bodies are passed through as they came: nothing is decoded or re-encoded here.
        auto_decompress=False,
        skip_auto_headers=("User-Agent", "Accept-Encoding"),
    )


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
    http: aiohttp.ClientSession = request.app.state.upstream
    headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARD_REQUEST}
    headers["X-Request-ID"] = request.state.request_id
    headers["X-Correlation-ID"] = request.state.correlation_id
    if token:
        headers["Authorization"] = f"Bearer {token}"
    content = await request.body() if body is None else body
    if params is None and request.url.query:
        # The caller's query string as it came: not parsed and encoded again.
        url = f"{url}?{request.url.query}"
    attempts = 2 if request.method in READS else 1  # a command is never sent twice
    for attempt in range(1, attempts + 1):
        try:
            async with http.request(
                request.method,
                url,
                data=content or None,
                headers=headers,
                params=params,
                timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=2.0) if timeout else None,
            ) as upstream:
                payload = await upstream.read()
                status = upstream.status
                answer = {
                    k: v for k, v in upstream.headers.items() if k.lower() in FORWARD_RESPONSE
                }
            break
        except aiohttp.ClientConnectorError as exc:
            if attempt == attempts:
                raise UpstreamError(
                    503, "Service unavailable", f"{service} is not reachable", service
                ) from exc
        except TimeoutError as exc:
            if attempt == attempts:
                raise UpstreamError(
                    504, "Service timed out", f"{service} did not answer in time", service
                ) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamError(
                502, "Bad gateway", f"{service} failed: {type(exc).__name__}", service
            ) from exc
    if status >= 500:
        raise UpstreamError(502, "Bad gateway", f"{service} answered {status}", service)
    return Response(payload, status_code=status, headers=answer)
