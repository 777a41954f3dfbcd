"""What the party routes depend on, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from xiangzhi.deps import MetaDep, event_store
from xiangzhi.envelope import VILLAGE_PATTERN

from . import handlers

Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]
MemberId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]


def context(request: Request, village: Village, meta: MetaDep) -> handlers.Context:
    return handlers.Context(store=event_store(request), village=village, meta=meta)


ContextDep = Annotated[handlers.Context, Depends(context)]
