"""What the livelihood routes depend on: the village, and the context with the actor from the
verified token (never the body) and the rule the permission table puts on their role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from xiangzhi.deps import MetaDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.guard import grant_of, principal_of
from xiangzhi.ids import ID_PATTERN

from .. import handlers

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]
Id = Annotated[str, Path(pattern=ID_PATTERN)]


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
