"""What the grid routes depend on, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request
from xiangzhi.deps import MetaDep, RuntimeDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN

from ..domain.issue import Actor
from ..handlers import Context

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]


def actor(
    # Not named ``role``: a route's {role} path parameter would claim it.
    actor_id: Annotated[str | None, Header(alias="X-Actor")] = None,
    actor_role: Annotated[str | None, Header(alias="X-Actor-Role")] = None,
) -> Actor:
    """Who is asking, as the gateway vouches for it (anonymous callers are residents)."""
    return Actor(person_id=actor_id or "anonymous", role=actor_role or "resident")


ActorDep = Annotated[Actor, Depends(actor)]


def context(request: Request, village: Village, meta: MetaDep, who: ActorDep) -> Context:
    return Context(store=event_store(request), village=village, meta=meta, actor=who)


ContextDep = Annotated[Context, Depends(context)]

__all__ = ["ActorDep", "ContextDep", "RuntimeDep", "Village"]
