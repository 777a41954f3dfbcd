"""What the party routes depend on, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from xiangzhi.deps import MetaDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN

from .. import handlers
from ..domain.commands import ID, MEMBER_ID

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]
MemberId = Annotated[str, Path(pattern=MEMBER_ID)]
Id = Annotated[str, Path(pattern=ID)]


async def context(request: Request, village: Village, meta: MetaDep) -> handlers.Context:
    return handlers.Context(store=event_store(request), village=village, meta=meta)


ContextDep = Annotated[handlers.Context, Depends(context)]
