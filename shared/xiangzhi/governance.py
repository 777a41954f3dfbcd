"""Rules of village self-government that more than one service applies (pure).

四议两公开: a matter such as land contracting or the collective's assets is decided by the
party branch's proposal, the two committees' discussion, the party members' meeting
(审议) and the villagers' (representatives') meeting (决议), then made public. Party records the
meetings; economy and livelihood check a citation of them on their own copies of party's events.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from .errors import DomainError


def party_meeting_passes(members_total: int, attending: int, agreeing: int) -> bool:
    """At least two thirds of the members attending, more than half of those attending agreeing."""
    return 3 * attending >= 2 * members_total and 2 * agreeing > attending


@dataclass(frozen=True)
class Citation:
    """What a service knows of a deliberation, from its own copy of party's events."""

    deliberation_id: str
    matter: str
    party_meeting_passed: bool
    villagers_passed: bool


def check_citation(
    deliberation_id: str | None, known: Citation | None, *, matters: Set[str], why: str
) -> str:
    """The cited deliberation's id, if it passed 四议两公开 on one of ``matters``; otherwise a
    422 naming ``deliberation_id`` with the reason (and the ``missing`` meetings)."""
    if not deliberation_id:
        raise DomainError(
            f"{why} cites the deliberation that passed 四议两公开 (deliberation_id)",
            field="deliberation_id",
        )
    if known is None:
        raise DomainError(
            f"no deliberation {deliberation_id} is known in this village (party may not have "
            "recorded it, or this service has not received it yet: send party's consistency "
            "token)",
            field="deliberation_id",
        )
    if known.matter not in matters:
        raise DomainError(
            f"deliberation {deliberation_id} is on a {known.matter} matter, not "
            f"{' or '.join(sorted(m.replace('_', ' ') for m in matters))}",
            field="deliberation_id",
        )
    missing = [
        name
        for name, ok in (
            ("the party members' meeting (党员大会审议)", known.party_meeting_passed),
            ("the villagers' meeting resolution (村民会议决议)", known.villagers_passed),
        )
        if not ok
    ]
    if missing:
        raise DomainError(
            f"deliberation {deliberation_id} has not passed {' and '.join(missing)}",
            field="deliberation_id",
            missing=missing,
        )
    return deliberation_id
