"""What the grid routes depend on, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from xiangzhi.deps import MetaDep, RuntimeDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.guard import grant_of, principal_of

from ..domain.actor import Actor
from ..handlers import Context

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]


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

__all__ = ["ActorDep", "ContextDep", "RuntimeDep", "Village"]
