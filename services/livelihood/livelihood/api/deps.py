"""What the livelihood routes depend on: the village, and the context with the actor from the
verified token (never the body) and the rule the permission table puts on their role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import Field
from xiangzhi.deps import MetaDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.errors import DomainError
from xiangzhi.guard import caller, check_village, grant_of, principal_of
from xiangzhi.ids import ID_PATTERN

from .. import handlers

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]
Id = Annotated[str, Path(pattern=ID_PATTERN)]
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


async def context(request: Request, village: Village, meta: MetaDep) -> handlers.Context:
    principal = principal_of(request)
    grant = grant_of(request)
    return handlers.Context(
        store=event_store(request),
        village=village,
        meta=meta,
        person_id=(principal.person_id or principal.subject) if principal else "anonymous",
        rule=grant.rule if grant else None,
    )


ContextDep = Annotated[handlers.Context, Depends(context)]
