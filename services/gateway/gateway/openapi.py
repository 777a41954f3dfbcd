"""One OpenAPI document for the platform, merged from the services' own documents.

Each service's ``/villages/{village}/…`` operations appear under
``/api/v1/villages/{village}/<service>/…`` (grid's Open311 under ``/api/v1/open311/…``), and
its component schemas are prefixed with the service's name so that two services' ``IssueView``
cannot collide. A service that does not answer is left out and named in ``x-unavailable``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx


def _rename_refs(node: Any, service: str) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if (
                key == "$ref"
                and isinstance(value, str)
                and value.startswith("#/components/schemas/")
            ):
                out[key] = "#/components/schemas/" + service + "." + value.rsplit("/", 1)[1]
            else:
                out[key] = _rename_refs(value, service)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, service) for v in node]
    return node


def _public_path(service: str, path: str) -> str | None:
    if path.startswith("/villages/{village}/"):
        return f"/api/v1/villages/{{village}}/{service}/" + path.removeprefix(
            "/villages/{village}/"
        )
    if service == "grid" and path.startswith("/open311/"):
        return "/api/v1" + path
    return None  # operations (health, metrics) are not published through the gateway


def merge(own: dict[str, Any], services: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    merged: dict[str, Any] = json.loads(json.dumps(own))
    merged["info"]["title"] = "Xiangzhi 乡治 API"
    paths = merged.setdefault("paths", {})
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    unavailable = []
    for service, document in sorted(services.items()):
        if document is None:
            unavailable.append(service)
            continue
        renamed = _rename_refs(document, service)
        for path, item in renamed.get("paths", {}).items():
            public = _public_path(service, path)
            if public is not None:
                for operation in item.values():
                    if isinstance(operation, dict) and "operationId" in operation:
                        operation["operationId"] = f"{service}_{operation['operationId']}"
                paths[public] = item
        for name, schema in renamed.get("components", {}).get("schemas", {}).items():
            schemas[f"{service}.{name}"] = schema
    if unavailable:
        merged["info"]["x-unavailable"] = unavailable
    return merged


async def fetch_all(
    http: httpx.AsyncClient, upstreams: dict[str, str]
) -> dict[str, dict[str, Any] | None]:
    async def one(url: str) -> dict[str, Any] | None:
        try:
            response = await http.get(f"{url}/openapi.json", timeout=5)
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]
        except (httpx.HTTPError, ValueError):
            return None

    documents = await asyncio.gather(*(one(url) for url in upstreams.values()))
    return dict(zip(upstreams, documents, strict=True))
