"""Rules of village self-government that more than one service applies (pure).

四议两公开: a matter such as land contracting or the collective's assets is decided by the
party branch's proposal, the two committees' discussion, the party members' meeting
(审议) and the villagers' (representatives') meeting (决议), then made public. Party records the
meetings; economy and livelihood check a citation of them on their own copies of party's events.
"""

from __future__ import annotations


def party_meeting_passes(members_total: int, attending: int, agreeing: int) -> bool:
    """At least two thirds of the members attending, more than half of those attending agreeing."""
    return 3 * attending >= 2 * members_total and 2 * agreeing > attending
