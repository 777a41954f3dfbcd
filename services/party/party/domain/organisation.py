"""Party organisation laid over the grids: general branch (总支) → branches (支部) → party
groups (党小组), each party group bound to a grid; members registered to and moved between them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from xiangzhi import streams
from xiangzhi.errors import DomainError, IllegalTransitionError

from .commands import EstablishOrg, RegisterMember
from .events import MemberRegistered, MemberTransferred, OrganizationEstablished, OrgKind

PARENT_OF: dict[str, tuple[str, ...]] = {
    "general_branch": (),
    "branch": ("general_branch",),
    "party_group": ("branch", "general_branch"),
}


@dataclass(frozen=True)
class Org:
    org_id: str = ""
    kind: OrgKind | None = None


def evolve_org(state: Org, event: OrganizationEstablished) -> Org:
    return Org(event.org_id, event.kind)


def fold_org(events: Sequence[OrganizationEstablished]) -> Org:
    return streams.fold(Org(), evolve_org, events)


def establish(
    state: Org, cmd: EstablishOrg, *, parent: Org | None, village: str
) -> list[OrganizationEstablished]:
    """``parent``: the organisation the command names as its parent, as it stands."""
    org_id, kind, grid_id = cmd.org_id, cmd.kind, cmd.grid_id
    if state.kind is not None:
        raise IllegalTransitionError(f"organisation {org_id} exists", current_state="established")
    allowed = PARENT_OF[kind]
    if allowed and (parent is None or parent.kind not in allowed):
        raise DomainError(f"a {kind} sits under a {' or '.join(allowed)}", field="parent_id")
    if not allowed and parent is not None:
        raise DomainError("a general branch has no parent", field="parent_id")
    if kind == "party_group":
        if not grid_id:
            raise DomainError("a party group is bound to a grid", field="grid_id")
        if not grid_id.startswith(village):
            raise DomainError(f"grid {grid_id} is not in village {village}", field="grid_id")
    elif grid_id:
        raise DomainError("only a party group is bound to a grid", field="grid_id")
    return [
        OrganizationEstablished(
            org_id=org_id,
            name=cmd.name,
            kind=kind,
            parent_id=parent.org_id if parent else None,
            grid_id=grid_id,
        )
    ]


@dataclass(frozen=True)
class Member:
    member_id: str = ""
    org_id: str | None = None


def evolve_member(state: Member, event: MemberRegistered | MemberTransferred) -> Member:
    match event:
        case MemberRegistered():
            return Member(event.member_id, event.org_id)
        case MemberTransferred():
            return replace(state, org_id=event.to_org_id)
    raise TypeError(f"not a member event: {event!r}")


def fold_member(events: Sequence[MemberRegistered | MemberTransferred]) -> Member:
    return streams.fold(Member(), evolve_member, events)


def register(
    state: Member, cmd: RegisterMember, *, org: Org, today: date
) -> list[MemberRegistered]:
    """``org``: the organisation the command names, as it stands."""
    member_id, joined_on = cmd.member_id, cmd.joined_on
    if state.org_id is not None:
        raise IllegalTransitionError(
            f"member {member_id} is registered", current_state="registered"
        )
    if org.kind is None:
        raise DomainError("no such organisation", field="org_id")
    if joined_on > today:
        raise DomainError("a member joins on a day that has come", field="joined_on")
    return [
        MemberRegistered(
            member_id=member_id,
            name=cmd.name,
            org_id=org.org_id,
            status=cmd.status,
            joined_on=joined_on.isoformat(),
            veteran=cmd.veteran,
        )
    ]


def transfer(state: Member, *, to: Org) -> list[MemberTransferred]:
    if state.org_id is None:
        raise IllegalTransitionError("no such member", current_state="new")
    if to.kind is None:
        raise DomainError("no such organisation", field="to_org_id")
    if to.org_id == state.org_id:
        raise DomainError("the member is already there", field="to_org_id")
    return [
        MemberTransferred(member_id=state.member_id, from_org_id=state.org_id, to_org_id=to.org_id)
    ]
