"""Who may issue which command: the permission table, written once per service in its domain.

Every command of every service is one ``Permission``: the roles that may issue it, each with
the rule beyond the role that applies to it (a grid worker acts on the issues of their own
grids; a resident raises issues in their own name …). The role is checked here, before a
command is decided; a rule beyond the role needs the aggregate's state, so the domain checks it
and refuses with the same ``PermissionDeniedError``. The services enforce their own table on
every call (the gateway or not), serve it at ``/permissions``, and the gateway publishes the
tables together at ``/api/v1/permissions``.

Pure: no FastAPI, no I/O; the HTTP side is ``xiangzhi.guard.requires``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .auth import ROLES, Principal
from .errors import ForbiddenError

# Roles as villages name them, for the published table and the docs.
ROLE_NAMES: Mapping[str, str] = {
    "county_admin": "县级管理员 county administrator",
    "township_officer": "乡镇干部 township officer",
    "village_secretary": "村党支部书记 / 村委会主任 village secretary",
    "village_staff": "村两委成员、会计 village staff",
    "grid_worker": "网格长、网格员 grid worker",
    "resident": "村民 resident",
    "api_client": "API client (a key with explicit villages and scopes)",
}

# The rules beyond the role. A grant without a rule applies to every aggregate of the village.
RULES: Mapping[str, str] = {
    "own_name": "only in their own name (the person comes from the token, never the body)",
    "own_issues": "only issues they raised themselves",
    "own_grids": "only issues of the grids where they are one of the three chiefs",
    "on_behalf": "only on behalf of the resident, saying so",
    "team_leader": "only for the team they lead",
    "party_member": "only a registered party member of the village",
    "township_escalations": "only issues escalated to the township (or above)",
    "county_villages": "only in villages of their own county",
    "appoints": (
        "only whom they appoint: a county administrator, the county's township officers and "
        "village secretaries; a village secretary, the village's staff, grid workers and residents"
    ),
    "own_village": "only in their own village(s)",
    "county_funded": "only works the county funds",
    "own_requests": "only what they asked for themselves",
}


class PermissionDeniedError(ForbiddenError):
    """403, naming the permission that was refused (and the rule, when a rule refused it)."""

    title = "Not permitted"

    def __init__(self, permission: str, detail: str, *, rule: str | None = None) -> None:
        extensions: dict[str, Any] = {"permission": permission}
        if rule is not None:
            extensions["rule"] = rule
        super().__init__(detail, **extensions)
        self.permission = permission


@dataclass(frozen=True)
class Grant:
    """One role's right to a command, and the rule beyond the role that limits it."""

    role: str
    rule: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.rule is not None and self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}")


@dataclass(frozen=True)
class Permission:
    """A command, named ``<service>.<aggregate>.<action>``, and who may issue it."""

    name: str
    action: str  # what the command does, in a clerk's words
    grants: tuple[Grant, ...]
    # A command given for the village as a whole needs the write scope (API keys may be
    # read-only); every command does today.
    write: bool = True

    def grant_for(self, role: str) -> Grant | None:
        return next((g for g in self.grants if g.role == role), None)

    def authorize(self, principal: Principal) -> Grant:
        """The caller's grant, or ``PermissionDeniedError`` naming this permission."""
        grant = self.grant_for(principal.role)
        if grant is None:
            allowed = ", ".join(g.role for g in self.grants) or "nobody"
            raise PermissionDeniedError(
                self.name, f"{principal.role} may not {self.action} (allowed: {allowed})"
            )
        if self.write and "write" not in principal.scopes:
            raise PermissionDeniedError(self.name, f"a read-only caller may not {self.action}")
        return grant

    def refuse(self, rule: str, detail: str | None = None) -> PermissionDeniedError:
        """The error a domain raises when the rule beyond the role is not met."""
        return PermissionDeniedError(
            self.name, detail or f"{self.action}: {RULES[rule]}", rule=rule
        )


def grants(*roles: str, **rules: str) -> tuple[Grant, ...]:
    """``grants("village_secretary", grid_worker="own_grids")``: plain roles, then ruled ones."""
    return (*(Grant(r) for r in roles), *(Grant(r, rule) for r, rule in rules.items()))


@dataclass(frozen=True)
class PermissionTable:
    """One service's commands; the names are unique and each starts with the service's."""

    service: str
    permissions: tuple[Permission, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [p.name for p in self.permissions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.service}: a permission is named twice")
        strays = [n for n in names if not n.startswith(f"{self.service}.")]
        if strays:
            raise ValueError(f"{self.service}: permissions of another service: {strays}")

    def __iter__(self) -> Iterator[Permission]:
        return iter(self.permissions)

    def __getitem__(self, name: str) -> Permission:
        for permission in self.permissions:
            if permission.name == name:
                return permission
        raise KeyError(name)

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {
                "permission": p.name,
                "action": p.action,
                "write": p.write,
                "roles": {g.role: g.rule for g in p.grants},
            }
            for p in self.permissions
        ]


def table_of(service: str, permissions: Iterable[Permission]) -> PermissionTable:
    return PermissionTable(service, tuple(permissions))


def as_markdown(tables: Iterable[PermissionTable]) -> str:
    """The published table as a document: one row per command, one column per role."""
    roles = list(ROLES)
    lines = [
        "# Who may do what (权限表)",
        "",
        "Generated from the services' permission tables (`domain/permissions.py` in each",
        "service) by `tests/docs/test_permissions_doc.py`; the same table is served at",
        "`GET /api/v1/permissions` and enforced by every service on every call.",
        "",
        "✔ = allowed; a word = allowed under that rule; blank = refused (403 naming the",
        "permission, nothing appended).",
        "",
        "| permission | action | " + " | ".join(roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for table in tables:
        for p in table:
            cells = []
            for role in roles:
                grant = p.grant_for(role)
                cells.append("" if grant is None else (grant.rule or "✔"))
            lines.append(f"| `{p.name}` | {p.action} | " + " | ".join(cells) + " |")
    lines += ["", "Roles:", ""]
    lines += [f"- `{role}`: {ROLE_NAMES[role]}" for role in roles]
    lines += ["", "Rules beyond the role:", ""]
    lines += [f"- `{rule}`: {text}" for rule, text in RULES.items()]
    return "\n".join(lines) + "\n"
