"""Who is calling the gateway: a bearer token, or an API key; rate-limited either way."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from xiangzhi.auth import Principal, TokenIssuer, TokenVerifier
from xiangzhi.errors import DomainError, UnauthenticatedError
from xiangzhi.guard import PERMISSION_ATTRIBUTE, bearer_principal, bearer_token
from xiangzhi.permissions import Permission

from . import identity
from .ratelimit import RateLimiter


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
    """The caller behind ``Authorization: Bearer`` or ``X-API-Key`` (or an explicit key); the
    token is checked as the services check it (``xiangzhi.guard``)."""
    verifier: TokenVerifier = request.app.state.own_verifier
    key = api_key or request.headers.get("x-api-key")
    principal = bearer_principal(request, verifier)
    if principal is not None:
        request.state.caller_token = bearer_token(request)
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
