"""What the grid routes depend on, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request
from xiangzhi.deps import MetaDep, RuntimeDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.guard import principal_of
from xiangzhi.observability import safe_id

from ..domain.issue import Actor
from ..handlers import Context

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]


def actor(
    request: Request,
    # Not named ``role``: a route's {role} path parameter would claim it.
    actor_id: Annotated[str | None, Header(alias="X-Actor")] = None,
    actor_role: Annotated[str | None, Header(alias="X-Actor-Role")] = None,
) -> Actor:
    """Who is asking: from the verified token when the service checks tokens (it must in
    production); otherwise from the X-Actor headers (development and tests)."""
    principal = principal_of(request)
    if principal is not None:
        return Actor(person_id=principal.person_id or principal.subject, role=principal.role)
    return Actor(person_id=safe_id(actor_id) or "anonymous", role=safe_id(actor_role) or "resident")


ActorDep = Annotated[Actor, Depends(actor)]


def context(request: Request, village: Village, meta: MetaDep, who: ActorDep) -> Context:
    return Context(store=event_store(request), village=village, meta=meta, actor=who)


ContextDep = Annotated[Context, Depends(context)]

__all__ = ["ActorDep", "ContextDep", "RuntimeDep", "Village"]
