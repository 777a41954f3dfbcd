"""County views: the county's villages, and the villages side by side or ranked together,
composed from the services' answers for the villages the caller may see."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from pydantic_core import from_json
from xiangzhi.auth import Principal
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.errors import DomainError

from .. import permissions as perm
from ..callers import Caller, limit, permitted, upstream_token
from ..proxy import UpstreamError
from .deps import PREFIX, County, client, settings

router = APIRouter(prefix=f"{PREFIX}/counties/{{county}}", tags=["county"])
public = APIRouter(prefix=f"{PREFIX}/public", tags=["村务公开 (public)"])


class VillageOut(BaseModel):
    code: str
    name: str


@public.get("/villages")
async def public_villages(request: Request) -> list[VillageOut]:
    """Every village the platform serves, by code and name, without logging in: the notice
    board (村务公开) starts from this list. Codes and names are public administrative data."""
    limit(request, f"public:{client(request)}")
    pool = request.app.state.runtime.pool
    rows = await pool.fetch("select code, name from villages order by code")
    return [VillageOut(code=r["code"], name=r["name"]) for r in rows]


class VillageIn(BaseModel):
    code: str = Field(pattern=VILLAGE_PATTERN)
    name: str = Field(min_length=1, max_length=50)


@router.post("/villages", status_code=201)
async def register_village(
    county: County,
    body: VillageIn,
    request: Request,
    who: Annotated[Principal, permitted(perm.REGISTER_VILLAGE)],
) -> VillageIn:
    """Register a village of the county (county administrators)."""
    if who.county != county:
        raise perm.REGISTER_VILLAGE.refuse("county_villages", f"county {county} is not yours")
    if not body.code.startswith(county):
        raise DomainError(f"village {body.code} is not in county {county}", field="code")
    await request.app.state.runtime.pool.execute(
        "insert into villages (code, name) values ($1, $2) on conflict (code) do update "
        "set name = excluded.name",
        body.code,
        body.name,
    )
    return body


async def _visible_villages(request: Request, county: str, who: Principal) -> list[dict[str, str]]:
    rows = await request.app.state.runtime.pool.fetch(
        "select code, name from villages where code like $1 || '%' order by code", county
    )
    return [{"code": r["code"], "name": r["name"]} for r in rows if who.sees(r["code"])]


@router.get("/villages")
async def county_villages(county: County, request: Request, who: Caller) -> list[dict[str, str]]:
    """The county's villages that you may see."""
    return await _visible_villages(request, county, who)


# Villages per upstream call: 200 codes make a query string of about 4.5 kB, well inside what
# any HTTP server takes in a request line (h11, uvicorn's default, stops at 16 kB).
SUMMARY_CHUNK = 200


@router.get("/summary")
async def county_summary(county: County, request: Request, who: Caller) -> dict[str, Any]:
    """Every visible village side by side: each service's figures for all of them in one call
    (``/counties/{county}/statistics``, 200 villages a call, all calls concurrent); a service
    that is down leaves its figures out and marks the result partial."""
    villages = await _visible_villages(request, county, who)
    codes = [v["code"] for v in villages]
    chunks = [codes[i : i + SUMMARY_CHUNK] for i in range(0, len(codes), SUMMARY_CHUNK)]
    upstreams = settings(request).upstreams()
    headers = {"Authorization": f"Bearer {upstream_token(request, who)}"}
    http = request.app.state.http

    async def one(service: str, chunk: list[str]) -> tuple[str, Any]:
        try:
            response = await http.get(
                f"{upstreams[service]}/counties/{county}/statistics",
                params=[("villages", code) for code in chunk],
                headers=headers,
            )
        except Exception:  # down, refused, timed out: all mean "not this time"
            return service, UpstreamError
        if response.status_code == 404:
            return service, None  # the service keeps no statistics (yet)
        if response.status_code >= 400:
            return service, UpstreamError
        # pydantic-core's parser: about three times the standard library's on these answers
        # (~900 kB for 300 villages), the largest part of the gateway's own time here.
        return service, from_json(response.content)

    results = await asyncio.gather(*(one(s, chunk) for s in upstreams for chunk in chunks))
    by_village: dict[str, dict[str, Any]] = {v["code"]: {**v, "services": {}} for v in villages}
    unavailable: set[str] = set()
    for service, figures in results:
        if figures is UpstreamError:
            unavailable.add(service)
        elif figures is not None:
            for code, of in figures.items():
                if code in by_village:  # only what was asked for: the caller's villages
                    by_village[code]["services"][service] = of
    return {
        "county": county,
        "villages": list(by_village.values()),
        "partial": bool(unavailable),
        "unavailable": sorted(unavailable),
    }


@router.get("/party/rankings")
async def county_rankings(
    county: County, request: Request, who: Caller, period: int | None = None
) -> dict[str, Any]:
    """Party members of every visible village ranked together, by party's own ranking rule
    (equal totals share a rank) in one answer from party; each keeps their rank in their
    village. If party does not answer, every village is missing and the result partial."""
    codes = [v["code"] for v in await _visible_villages(request, county, who)]
    if not codes:
        return {"county": county, "members": [], "partial": False, "missing": []}
    params = [("villages", code) for code in codes]
    if period:
        params.append(("period", str(period)))
    try:
        response = await request.app.state.http.get(
            f"{settings(request).party_url}/counties/{county}/points/rankings",
            params=params,
            headers={"Authorization": f"Bearer {upstream_token(request, who)}"},
        )
        response.raise_for_status()
    except Exception:  # down, refused, refusing: the villages are missing from the result
        return {"county": county, "members": [], "partial": True, "missing": sorted(codes)}
    return {"county": county, "members": response.json(), "partial": False, "missing": []}
