"""Who sends a command: the person the gateway's token names, and the rule beyond their role
that the permission table puts on this command."""

from __future__ import annotations

from dataclasses import dataclass

from xiangzhi.auth import STAFF_ROLES


@dataclass(frozen=True)
class Actor:
    """Who sends the command, as the gateway vouches for it, and the rule beyond their role
    that the permission table puts on it (None: the role alone decides)."""

    person_id: str
    role: str = "resident"
    rule: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
