"""Who is calling the gateway: a bearer token, or an API key; rate-limited either way."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from xiangzhi.auth import InvalidTokenError, Principal, TokenIssuer, TokenVerifier
from xiangzhi.errors import DomainError, ForbiddenError, UnauthenticatedError
from xiangzhi.guard import PERMISSION_ATTRIBUTE
from xiangzhi.permissions import Permission

from . import identity
from .ratelimit import RateLimiter

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class TooManyRequestsError(DomainError):
    status = 429
    title = "Too many requests"


def limit(request: Request, key: str) -> None:
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.take(key)
    if wait:
        raise TooManyRequestsError(
            f"rate limit of {limiter.per_minute} requests a minute reached",
            retry_after=wait,
        )


async def authenticate(request: Request, api_key: str | None = None) -> Principal:
    """The caller behind ``Authorization: Bearer`` or ``X-API-Key`` (or an explicit key)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    key = api_key or request.headers.get("x-api-key")
    if scheme.lower() == "bearer" and token:
        verifier: TokenVerifier = request.app.state.own_verifier
        try:
            principal = verifier.verify(token.strip())
        except InvalidTokenError as exc:
            raise UnauthenticatedError(f"the access token is not valid: {exc}") from exc
        request.state.caller_token = token.strip()
    elif key:
        principal = await identity.authenticate_api_key(request.app.state.runtime.pool, key)
        request.state.caller_token = None
    else:
        raise UnauthenticatedError("log in (Authorization: Bearer …) or send an API key")
    limit(request, principal.subject)
    request.state.caller = principal
    return principal


Caller = Annotated[Principal, Depends(authenticate)]


def permitted(permission: Permission) -> Any:
    """The caller, once their role is granted ``permission`` (403 naming it otherwise); marked
    so that the app refuses to start with a gateway command that names no permission."""

    async def check(who: Caller) -> Principal:
        permission.authorize(who)
        return who

    setattr(check, PERMISSION_ATTRIBUTE, permission)
    return Depends(check)


def upstream_token(request: Request, principal: Principal) -> str:
    """The caller's own token when they sent one; a short-lived one minted for API keys."""
    token: str | None = getattr(request.state, "caller_token", None)
    if token:
        return token
    issuer: TokenIssuer = request.app.state.issuer
    return issuer.issue(principal, ttl=60)


def require_village(principal: Principal, village: str, method: str) -> None:
    """Refused before any upstream call: no data, no timing from the service behind."""
    if not principal.sees(village):
        raise ForbiddenError(f"village {village} is outside your scope")
    if method not in READS and not principal.may_write(village):
        raise ForbiddenError(f"your access to village {village} is read-only")
