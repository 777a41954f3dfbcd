"""Who is calling, and may they: village scoping and the permission table on every route.

A route under ``/villages/{village}`` (or with a ``village`` path parameter) is answered only
for a caller whose token covers that village; a command also needs the write scope, and the
permission of its command (``requires``). A service always verifies tokens: there is no
unauthenticated mode, in development or in tests, because nobody runs one in production.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from .auth import InvalidTokenError, Principal, TokenVerifier
from .envelope import VILLAGE_PATTERN
from .errors import DomainError, ForbiddenError, UnauthenticatedError
from .permissions import Grant, Permission

READS = frozenset({"GET", "HEAD", "OPTIONS"})
VILLAGE = re.compile(VILLAGE_PATTERN)
PERMISSION_ATTRIBUTE = "__xiangzhi_permission__"


def principal_of(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def caller(request: Request) -> Principal:
    """The verified caller of a guarded route (the guard has run before any route code)."""
    principal = principal_of(request)
    if principal is None:
        raise UnauthenticatedError("an access token is required (Authorization: Bearer …)")
    return principal


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer …``; None when the request carries none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


def bearer_principal(request: Request, verifier: TokenVerifier) -> Principal | None:
    """The caller of ``Authorization: Bearer …``, verified (401 when the token is not valid);
    None when the request carries no bearer token (each caller says what else it accepts)."""
    token = bearer_token(request)
    if token is None:
        return None
    try:
        return verifier.verify(token)
    except InvalidTokenError as exc:
        raise UnauthenticatedError(f"the access token is not valid: {exc}") from exc


def check_village(principal: Principal, village: str, method: str) -> None:
    """May ``principal`` touch ``village``: see it, and for a command (any ``method`` but a
    read) write to it; 403 otherwise. The services' guard and the gateway's routing both ask."""
    if not principal.sees(village):
        raise ForbiddenError(f"village {village} is outside your scope")
    if method not in READS and not principal.may_write(village):
        raise ForbiddenError(f"your access to village {village} is read-only")


def _verify(request: Request) -> Principal:
    principal = bearer_principal(request, request.app.state.verifier)
    if principal is None:
        raise UnauthenticatedError("an access token is required (Authorization: Bearer …)")
    return principal


async def village_scope(request: Request) -> None:
    """Every route: who is calling, and may they touch this village?"""
    principal = _verify(request)
    village = request.path_params.get("village")
    if village is not None:
        if not VILLAGE.fullmatch(village):
            # Bad input first: a malformed code is named as such, not answered as out of scope.
            message = f"{village!r} is not a 12-digit village code"
            raise DomainError(
                message,
                field="path.village",
                errors=[{"field": "path.village", "message": message, "type": "string_pattern"}],
            )
        check_village(principal, village, request.method)
    request.state.principal = principal


async def public_reads(request: Request) -> None:
    """Routes whose reads are public by their nature (Open311); their writes are scoped."""
    if request.method in READS:
        request.state.principal = None
        return
    await village_scope(request)


def requires(permission: Permission) -> Any:
    """A route's command permission: the caller's role must be granted it (403 naming it).

    The dependency yields the caller's ``Grant``, whose rule the domain then checks.
    """

    async def check(request: Request) -> Grant:
        grant = permission.authorize(caller(request))
        # For the command's context: the domain checks the grant's rule with the aggregate.
        request.state.grant = grant
        return grant

    setattr(check, PERMISSION_ATTRIBUTE, permission)
    return Depends(check)


def grant_of(request: Request) -> Grant | None:
    return getattr(request.state, "grant", None)


def permission_of(route: APIRoute) -> Permission | None:
    """The permission a route requires, found among its dependencies (at any depth)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        call: Callable[..., Any] | None = dependant.call
        found = getattr(call, PERMISSION_ATTRIBUTE, None)
        if isinstance(found, Permission):
            return found
        stack.extend(dependant.dependencies)
    return None
