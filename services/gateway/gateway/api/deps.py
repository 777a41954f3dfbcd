"""What the gateway's routes share: path types, the settings, the client's address."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import Path, Request
from xiangzhi.envelope import VILLAGE_PATTERN
from xiangzhi.services import UPSTREAM_NAMES

from ..settings import GatewaySettings

PREFIX = "/api/v1"
Village = Annotated[str, Path(pattern=VILLAGE_PATTERN, description="12-digit village code")]
County = Annotated[str, Path(pattern=r"^\d{6}$", description="6-digit county code")]
if TYPE_CHECKING:
    # mypy accepts only literal strings inside Literal[...]; to it a service is a str.
    Service = str
else:
    # The services the gateway fronts, from the kit's list: FastAPI refuses any other name in
    # the path (422) before anything is forwarded.
    Service = Literal[UPSTREAM_NAMES]


def settings(request: Request) -> GatewaySettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def client(request: Request) -> str:
    """The client's address, for the rate limits of callers without an identity."""
    return request.client.host if request.client else "?"
