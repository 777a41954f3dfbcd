"""Village scoping on every route of a service: the one place it is enforced.

A route under ``/villages/{village}`` (or with a ``village`` path parameter) is answered only
for a caller whose token covers that village; a command also needs the write scope. Without a
configured public key (development and tests) the guard lets calls through unauthenticated.
"""

from __future__ import annotations

from fastapi import Request

from .auth import InvalidTokenError, Principal, TokenVerifier
from .errors import ForbiddenError, UnauthenticatedError

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def principal_of(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def _verify(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.verifier
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError("an access token is required (Authorization: Bearer …)")
    try:
        return verifier.verify(token.strip())
    except InvalidTokenError as exc:
        raise UnauthenticatedError(f"the access token is not valid: {exc}") from exc


async def village_scope(request: Request) -> None:
    """Every route: who is calling, and may they touch this village?"""
    request.state.principal = None
    if request.app.state.verifier is None:
        return
    principal = _verify(request)
    village = request.path_params.get("village")
    if village is not None:
        if not principal.sees(village):
            raise ForbiddenError(f"village {village} is outside your scope")
        if request.method not in READS and not principal.may_write(village):
            raise ForbiddenError(f"your access to village {village} is read-only")
    request.state.principal = principal


async def public_reads(request: Request) -> None:
    """Routes whose reads are public by their nature (Open311); their writes are scoped."""
    if request.method in READS:
        request.state.principal = None
        return
    await village_scope(request)
