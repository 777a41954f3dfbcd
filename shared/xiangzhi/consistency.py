"""Consistency tokens: read-your-writes across the command and the query side.

A command answers with ``<service>:<village>:<chainseq>`` (several joined by ``,``). A read
that sends it back (header ``X-Consistency-Token`` or query ``consistency``) waits, bounded,
until the projection serving it has applied that chainseq, and says in a header whether it did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .store import RecordedEvent

HEADER = "X-Consistency-Token"
_PART = re.compile(r"^([a-z]+):(\d{12}):(\d+)$")


@dataclass(frozen=True)
class Position:
    service: str
    village: str
    chainseq: int

    def __str__(self) -> str:
        return f"{self.service}:{self.village}:{self.chainseq}"


class InvalidTokenError(ValueError):
    pass


def token_for(service: str, events: Sequence[RecordedEvent]) -> str:
    """The token of the last event appended per village."""
    last: dict[str, int] = {}
    for event in events:
        last[event.village] = max(last.get(event.village, 0), event.chain_seq)
    return ",".join(str(Position(service, v, s)) for v, s in sorted(last.items()))


def parse(token: str) -> list[Position]:
    positions = []
    for part in filter(None, token.split(",")):
        match = _PART.match(part.strip())
        if not match:
            raise InvalidTokenError(f"not a consistency token: {part!r}")
        positions.append(Position(match[1], match[2], int(match[3])))
    return positions
