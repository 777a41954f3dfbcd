"""The public API: tokens, users and keys, routing to the services, Open311, county views."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Form, Path, Request, Response
from pydantic import BaseModel, Field
from xiangzhi.auth import Principal, TokenIssuer
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.errors import DomainError, NotFoundError
from xiangzhi.permissions import ROLE_NAMES, RULES
from xiangzhi.services import UPSTREAM_NAMES

from . import identity
from . import permissions as perm
from .callers import Caller, authenticate, limit, permitted, require_village, upstream_token
from .proxy import UpstreamError, relay
from .settings import GatewaySettings

router = APIRouter(prefix="/api/v1")
Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]
County = Annotated[str, Path(pattern=r"^\d{6}$", description="6-digit county code")]
if TYPE_CHECKING:
    # mypy accepts only literal strings inside Literal[...]; to it a service is a str.
    Service = str
else:
    # The services the gateway fronts, from the kit's list: FastAPI refuses any other name in
    # the path (422) before anything is forwarded.
    Service = Literal[UPSTREAM_NAMES]


def _settings(request: Request) -> GatewaySettings:
    return request.app.state.settings  # type: ignore[no-any-return]


# ------------------------------------------------------------------ tokens


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 type name, not a secret
    expires_in: int
    refresh_token: str


@router.post("/auth/token", tags=["identity"])
async def token(
    request: Request,
    grant_type: Annotated[Literal["password", "refresh_token"], Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
) -> TokenResponse:
    """OAuth2 token endpoint: the password grant, and the refresh grant (rotating)."""
    pool = request.app.state.runtime.pool
    settings = _settings(request)
    ttl = timedelta(days=settings.refresh_token_days)
    limit(request, f"login:{request.client.host if request.client else '?'}")
    if grant_type == "password":
        if not username or not password:
            raise DomainError("username and password are required", field="password")
        principal = await identity.authenticate(pool, username, password)
        refresh = await identity.issue_refresh(pool, uuid.UUID(principal.subject), ttl)
    else:
        if not refresh_token:
            raise DomainError("refresh_token is required", field="refresh_token")
        principal, refresh = await identity.rotate_refresh(pool, refresh_token, ttl)
    issuer: TokenIssuer = request.app.state.issuer
    return TokenResponse(
        access_token=issuer.issue(principal),
        expires_in=settings.access_token_seconds,
        refresh_token=refresh,
    )


@router.post("/auth/revoke", status_code=204, tags=["identity"])
async def revoke(request: Request, refresh_token: Annotated[str, Form()]) -> Response:
    """Log out: the refresh token and every token of its family stop working."""
    await identity.revoke_refresh(request.app.state.runtime.pool, refresh_token)
    return Response(status_code=204)


# ------------------------------------------------------------------ users and API keys


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=12, max_length=256)
    role: str
    county: str | None = Field(None, pattern=r"^\d{6}$")
    township: str | None = Field(None, pattern=r"^\d{9}$")
    villages: list[Annotated[str, Field(pattern=VILLAGE_PATTERN)]] = []
    person_id: str | None = Field(None, min_length=1, max_length=64)


@router.post("/users", status_code=201, tags=["identity"])
async def create_user(
    user: UserIn, request: Request, who: Annotated[Principal, permitted(perm.CREATE_USER)]
) -> dict[str, str]:
    """Create a user within your own scope: a county administrator creates the county's
    township officers and village secretaries; a village secretary, the village's staff, grid
    workers and residents."""
    if user.role not in perm.CREATES[who.role]:
        raise perm.CREATE_USER.refuse("appoints", f"a {who.role} does not create a {user.role}")
    places = [p for p in (user.county, user.township, *user.villages) if p]
    if not places or not perm.administers_all(who, places):
        raise perm.CREATE_USER.refuse(
            "appoints", f"{', '.join(places) or 'no place'} is outside what you administer"
        )
    user_id = await identity.create_user(
        request.app.state.runtime.pool,
        identity.NewUser(
            user.username, user.password, user.role, user.county, user.township,
            tuple(user.villages), user.person_id,
        ),
    )  # fmt: skip
    return {"user_id": str(user_id)}


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    villages: list[Annotated[str, Field(pattern=VILLAGE_PATTERN)]] = Field(min_length=1)
    scopes: list[Literal["read", "write"]] = ["read"]


class ApiKeyOut(BaseModel):
    key_id: str
    api_key: str = Field(description="shown this once; only its hash is kept")


@router.post("/api-keys", status_code=201, tags=["identity"])
async def create_api_key(
    body: ApiKeyIn, request: Request, who: Annotated[Principal, permitted(perm.CREATE_API_KEY)]
) -> ApiKeyOut:
    """An API key for a machine client, for villages you administer."""
    rule = perm.rule_of(perm.CREATE_API_KEY, who)
    outside = [v for v in body.villages if not perm.administers(who, v)]
    if outside:
        raise perm.CREATE_API_KEY.refuse(rule, f"{', '.join(outside)}: outside what you administer")
    issued = await identity.create_api_key(
        request.app.state.runtime.pool, name=body.name, villages=body.villages,
        scopes=list(body.scopes), created_by=who.subject,
    )  # fmt: skip
    return ApiKeyOut(key_id=str(issued.key_id), api_key=issued.api_key)


@router.delete("/api-keys/{key_id}", status_code=204, tags=["identity"])
async def revoke_api_key(
    key_id: uuid.UUID,
    request: Request,
    who: Annotated[Principal, permitted(perm.REVOKE_API_KEY)],
) -> Response:
    """Revoke an API key of villages you administer; it is refused from the next request on."""
    rule = perm.rule_of(perm.REVOKE_API_KEY, who)
    pool = request.app.state.runtime.pool
    villages = await identity.api_key_villages(pool, key_id)
    if villages is None:
        raise NotFoundError(f"no active API key {key_id}")
    if not perm.administers_all(who, villages):
        raise perm.REVOKE_API_KEY.refuse(
            rule, f"API key {key_id} is for villages you do not administer"
        )
    if not await identity.revoke_api_key(pool, key_id):
        raise NotFoundError(f"no active API key {key_id}")
    return Response(status_code=204)


# ------------------------------------------------------------------ routing


@router.api_route(
    "/villages/{village}/{service}/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    tags=["routing"],
    include_in_schema=False,  # the services' own operations appear in the merged document
)
async def forward(
    village: Village, service: Service, path: str, request: Request, who: Caller
) -> Response:
    require_village(who, village, request.method)
    base = _settings(request).upstreams()[service]
    return await relay(
        request,
        service,
        f"{base}/villages/{village}/{quote(path)}",
        token=upstream_token(request, who),
    )


@router.api_route(
    "/open311/v2/villages/{village}/{path:path}",
    methods=["GET", "POST"],
    tags=["Open311 GeoReport v2"],
    include_in_schema=False,
)
async def open311(village: Village, path: str, request: Request) -> Response:
    """Open311 at a stable public URL; reads are public, a POST carries ``api_key``."""
    base = f"{_settings(request).grid_url}/open311/v2/villages/{village}/{quote(path)}"
    if request.method == "GET":
        limit(request, f"open311:{request.client.host if request.client else '?'}")
        return await relay(request, "grid", base, token=None)
    fields = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    api_key = next((v for k, v in fields if k == "api_key"), None)
    who = await authenticate(request, api_key=api_key)
    require_village(who, village, "POST")
    # The key stays here: the service behind sees a token, never the caller's secret.
    body = urlencode([(k, v) for k, v in fields if k != "api_key"]).encode()
    return await relay(request, "grid", base, token=upstream_token(request, who), body=body)


# ------------------------------------------------------------------ the permission table


@router.get("/permissions", tags=["identity"])
async def permissions(request: Request) -> dict[str, Any]:
    """Who may issue each command of the platform (权限表): the gateway's and every service's
    own table, as each service serves and enforces it. Public: the rules are no secret."""
    limit(request, f"permissions:{request.client.host if request.client else '?'}")
    http = request.app.state.http

    async def one(service: str, base: str) -> tuple[str, list[dict[str, Any]] | None]:
        try:
            response = await http.get(f"{base}/permissions")
            response.raise_for_status()
        except Exception:  # down or refusing: its part of the table is missing this time
            return service, None
        return service, response.json()

    results = await asyncio.gather(*(one(s, b) for s, b in _settings(request).upstreams().items()))
    tables = {"gateway": perm.PERMISSIONS.as_json()}
    tables.update({service: table for service, table in results if table is not None})
    missing = sorted(service for service, table in results if table is None)
    return {
        "roles": dict(ROLE_NAMES),
        "rules": dict(RULES),
        "services": tables,
        "partial": bool(missing),
        "missing": missing,
    }


# ------------------------------------------------------------------ county views


class VillageIn(BaseModel):
    code: str = Field(pattern=VILLAGE_PATTERN)
    name: str = Field(min_length=1, max_length=50)


@router.post("/counties/{county}/villages", status_code=201, tags=["county"])
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


@router.get("/counties/{county}/villages", tags=["county"])
async def county_villages(county: County, request: Request, who: Caller) -> list[dict[str, str]]:
    """The county's villages that you may see."""
    return await _visible_villages(request, county, who)


@router.get("/counties/{county}/summary", tags=["county"])
async def county_summary(county: County, request: Request, who: Caller) -> dict[str, Any]:
    """Every visible village side by side, composed concurrently from the services' village
    statistics; a service that is down leaves its figures out and marks the result partial."""
    villages = await _visible_villages(request, county, who)
    settings = _settings(request)
    token = upstream_token(request, who)
    http = request.app.state.http

    async def one(service: str, village: str) -> tuple[str, str, Any]:
        url = f"{settings.upstreams()[service]}/villages/{village}/statistics"
        try:
            response = await http.get(url, headers={"Authorization": f"Bearer {token}"})
        except Exception:  # down, refused, timed out: all mean "not this time"
            return service, village, UpstreamError
        if response.status_code == 404:
            return service, village, None  # the service keeps no statistics (yet)
        if response.status_code >= 400:
            return service, village, UpstreamError
        return service, village, response.json()

    results = await asyncio.gather(
        *(one(s, v["code"]) for v in villages for s in settings.upstreams())
    )
    by_village: dict[str, dict[str, Any]] = {v["code"]: {**v, "services": {}} for v in villages}
    unavailable: set[str] = set()
    for service, village, figures in results:
        if figures is UpstreamError:
            unavailable.add(service)
        elif figures is not None:
            by_village[village]["services"][service] = figures
    return {
        "county": county,
        "villages": list(by_village.values()),
        "partial": bool(unavailable),
        "unavailable": sorted(unavailable),
    }


@router.get("/counties/{county}/party/rankings", tags=["county"])
async def county_rankings(
    county: County, request: Request, who: Caller, period: int | None = None
) -> dict[str, Any]:
    """Party members of every visible village ranked together, composed concurrently from the
    villages' rankings; a village whose answer is missing marks the result partial."""
    villages = await _visible_villages(request, county, who)
    settings = _settings(request)
    token = upstream_token(request, who)
    http = request.app.state.http
    params = {"period": str(period)} if period else {}

    async def one(village: str) -> tuple[str, list[dict[str, Any]] | None]:
        url = f"{settings.party_url}/villages/{village}/points/rankings"
        try:
            response = await http.get(
                url, params=params, headers={"Authorization": f"Bearer {token}"}
            )
            response.raise_for_status()
        except Exception:  # down, refused, refusing: this village is missing from the result
            return village, None
        return village, response.json()

    results = await asyncio.gather(*(one(v["code"]) for v in villages))
    entries = [
        {**entry, "village": village, "village_rank": entry["rank"]}
        for village, ranked in results
        if ranked is not None
        for entry in ranked
    ]
    entries.sort(key=lambda e: (-Decimal(e["total"]), e["village"], e["member_id"]))
    for position, entry in enumerate(entries, start=1):
        same = position > 1 and entries[position - 2]["total"] == entry["total"]
        entry["rank"] = entries[position - 2]["rank"] if same else position
    missing = sorted(village for village, ranked in results if ranked is None)
    return {"county": county, "members": entries, "partial": bool(missing), "missing": missing}
