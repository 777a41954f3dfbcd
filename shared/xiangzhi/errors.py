"""Errors the domain raises, each mapped once to an HTTP problem (see ``problems``).

Pure: domain modules import these without pulling in any I/O.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command the domain refuses. ``status`` is the HTTP status it maps to."""

    status = 422
    title = "The command was refused"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class IllegalTransitionError(DomainError):
    """The command does not apply in the aggregate's current state (409 with that state)."""

    status = 409
    title = "Not allowed in the current state"

    def __init__(self, detail: str, *, current_state: str, **extensions: Any) -> None:
        super().__init__(detail, current_state=current_state, **extensions)
        self.current_state = current_state


class NotFoundError(DomainError):
    status = 404
    title = "Not found"


class ForbiddenError(DomainError):
    status = 403
    title = "Forbidden"


class UnauthenticatedError(DomainError):
    status = 401
    title = "Not authenticated"
