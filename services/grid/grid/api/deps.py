"""What the grid routes depend on, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import Field
from xiangzhi.deps import MetaDep, RuntimeDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.errors import DomainError
from xiangzhi.guard import caller, check_village, grant_of, principal_of

from ..domain.actor import Actor
from ..handlers import Context

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]
County = Annotated[str, Path(pattern=r"^\d{6}$", description="6-digit county code")]
Villages = Annotated[
    list[Annotated[str, Field(pattern=VILLAGE_PATTERN)]],
    Query(
        min_length=1, max_length=1000, description="villages of the county, each one you may see"
    ),
]


def county_villages(county: County, villages: Villages, request: Request) -> list[str]:
    """The villages a county read names, once each: every one of the county (422 naming the
    field otherwise) and one the caller may see (403, as for a village's own route)."""
    outside = [v for v in villages if not v.startswith(county)]
    if outside:
        raise DomainError(f"{', '.join(outside)}: not in county {county}", field="query.villages")
    who = caller(request)
    for village in villages:
        check_village(who, village, request.method)
    return list(dict.fromkeys(villages))


CountyVillages = Annotated[list[str], Depends(county_villages)]


async def actor(request: Request) -> Actor:
    """Who is asking, from the verified token (never from the request body), and the rule the
    permission table puts on their role for this command."""
    principal = principal_of(request)
    if principal is None:  # a public read: nobody in particular
        return Actor(person_id="anonymous", role="resident")
    grant = grant_of(request)
    return Actor(
        person_id=principal.person_id or principal.subject,
        role=principal.role,
        rule=grant.rule if grant else None,
    )


ActorDep = Annotated[Actor, Depends(actor)]


async def context(request: Request, village: Village, meta: MetaDep, who: ActorDep) -> Context:
    return Context(store=event_store(request), village=village, meta=meta, actor=who)


ContextDep = Annotated[Context, Depends(context)]

__all__ = ["ActorDep", "ContextDep", "CountyVillages", "RuntimeDep", "Village"]
