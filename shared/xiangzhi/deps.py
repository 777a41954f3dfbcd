"""FastAPI dependencies for routes: ``Annotated`` aliases, so routes say what they need."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request, Response
from pydantic import Field

from . import consistency
from .app import Runtime
from .auth import Principal
from .envelope import VILLAGE_PATTERN
from .errors import DomainError
from .guard import caller, check_village, principal_of
from .observability import safe_id
from .projection import wait_for
from .store import EventMeta, EventStore


def runtime(request: Request) -> Runtime[Any]:
    """The app's runtime; a service that needs its own settings' type names it:
    ``Annotated[Runtime[GridSettings], Depends(...)]`` with a coroutine returning this."""
    return request.app.state.runtime  # type: ignore[no-any-return]


def event_store(request: Request) -> EventStore:
    return runtime(request).store


def event_meta(request: Request) -> EventMeta:
    """Who and why, for the events a command appends (the actor from the verified token)."""
    principal = principal_of(request)
    return EventMeta(
        correlation_id=request.state.correlation_id,
        causation_id=safe_id(request.headers.get("X-Causation-ID")),
        actor=(principal.person_id or principal.subject) if principal else None,
        request_id=request.state.request_id,
    )


# Dependencies are coroutines: FastAPI runs a plain function in its thread pool, a thread hop
# per dependency per request (most of a command's overhead, measured in issue 15).
async def _runtime(request: Request) -> Runtime[Any]:
    return runtime(request)


async def _caller(request: Request) -> Principal:
    return caller(request)


async def _event_store(request: Request) -> EventStore:
    return event_store(request)


async def _event_meta(request: Request) -> EventMeta:
    return event_meta(request)


RuntimeDep = Annotated[Runtime[Any], Depends(_runtime)]
# The verified caller of a guarded route.
PrincipalDep = Annotated[Principal, Depends(_caller)]
StoreDep = Annotated[EventStore, Depends(_event_store)]
MetaDep = Annotated[EventMeta, Depends(_event_meta)]


County = Annotated[str, Path(pattern=r"^\d{6}$", description="6-digit county code")]
Villages = Annotated[
    list[Annotated[str, Field(pattern=VILLAGE_PATTERN)]],
    Query(
        min_length=1, max_length=1000, description="villages of the county, each one you may see"
    ),
]


async def county_villages(county: County, villages: Villages, request: Request) -> list[str]:
    """The villages a county read (``/counties/{county}/…?villages=…``) names, once each: every
    one of the county (422 naming the field otherwise) and one the caller may see (403, as for
    a village's own route)."""
    outside = [v for v in villages if not v.startswith(county)]
    if outside:
        raise DomainError(f"{', '.join(outside)}: not in county {county}", field="query.villages")
    who = caller(request)
    for village in villages:
        check_village(who, village, request.method)
    return list(dict.fromkeys(villages))


CountyVillages = Annotated[list[str], Depends(county_villages)]


class BadTokenError(DomainError):
    status = 400
    title = "Invalid consistency token"


def consistent_read(projection: str) -> Any:
    """A dependency that waits until ``projection`` has caught up with the caller's token."""

    async def wait(
        request: Request,
        response: Response,
        header: Annotated[str | None, Header(alias=consistency.HEADER)] = None,
        query: Annotated[str | None, Query(alias="consistency")] = None,
    ) -> None:
        token = header or query
        if not token:
            return
        try:
            positions = consistency.parse(token)
        except consistency.InvalidTokenError as exc:
            raise BadTokenError(str(exc), field="consistency") from exc
        rt = runtime(request)
        runner = rt.runners.get(projection) if rt.settings.projections_enabled else None
        results = await asyncio.gather(
            *(
                wait_for(
                    rt.pool,
                    rt.projections[projection],
                    p.service,
                    p.village,
                    p.chainseq,
                    timeout=rt.settings.consistency_timeout,
                    progress=runner.progress if runner is not None else None,
                )
                for p in positions
            )
        )
        response.headers["X-Consistency"] = "caught-up" if all(results) else "stale"

    return Depends(wait)
