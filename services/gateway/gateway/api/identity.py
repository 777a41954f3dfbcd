"""Tokens, users and API keys: the OAuth2 token endpoint, logout, and administration within
one's own scope. The store behind them is ``gateway.identity``."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel, Field
from xiangzhi.auth import Principal, TokenIssuer
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.errors import DomainError, NotFoundError

from .. import identity
from .. import permissions as perm
from ..callers import limit, permitted
from .deps import PREFIX, client, settings

router = APIRouter(prefix=PREFIX, tags=["identity"])


# ------------------------------------------------------------------ tokens


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 type name, not a secret
    expires_in: int
    refresh_token: str


@router.post("/auth/token")
async def token(
    request: Request,
    grant_type: Annotated[Literal["password", "refresh_token"], Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
) -> TokenResponse:
    """OAuth2 token endpoint: the password grant, and the refresh grant (rotating)."""
    pool = request.app.state.runtime.pool
    config = settings(request)
    ttl = timedelta(days=config.refresh_token_days)
    limit(request, f"login:{client(request)}")
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
        expires_in=config.access_token_seconds,
        refresh_token=refresh,
    )


@router.post("/auth/revoke", status_code=204)
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


@router.post("/users", status_code=201)
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
            user.username,
            user.password,
            user.role,
            user.county,
            user.township,
            tuple(user.villages),
            user.person_id,
        ),
    )
    return {"user_id": str(user_id)}


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    villages: list[Annotated[str, Field(pattern=VILLAGE_PATTERN)]] = Field(min_length=1)
    scopes: list[Literal["read", "write"]] = ["read"]


class ApiKeyOut(BaseModel):
    key_id: str
    api_key: str = Field(description="shown this once; only its hash is kept")


@router.post("/api-keys", status_code=201)
async def create_api_key(
    body: ApiKeyIn, request: Request, who: Annotated[Principal, permitted(perm.CREATE_API_KEY)]
) -> ApiKeyOut:
    """An API key for a machine client, for villages you administer."""
    rule = perm.rule_of(perm.CREATE_API_KEY, who)
    outside = [v for v in body.villages if not perm.administers(who, v)]
    if outside:
        raise perm.CREATE_API_KEY.refuse(rule, f"{', '.join(outside)}: outside what you administer")
    issued = await identity.create_api_key(
        request.app.state.runtime.pool,
        name=body.name,
        villages=body.villages,
        scopes=list(body.scopes),
        created_by=who.subject,
    )
    return ApiKeyOut(key_id=str(issued.key_id), api_key=issued.api_key)


@router.delete("/api-keys/{key_id}", status_code=204)
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
