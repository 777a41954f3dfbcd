"""A policy: a reaction to another service's events that issues this service's commands.

It runs like a projection (a consumer group whose positions and chainseqs are stored in the
batch's transaction), owns no tables, and appends its commands in that same transaction: a
redelivered event is skipped, and a replayed one finds its command already decided — once,
whatever happens. The commands it appends carry the event as their cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..envelope import Envelope
from ..store import EventMeta, EventStore
from .base import Projection


class Policy(Projection):
    """Subclasses name themselves and the actor their commands are recorded as, and
    implement ``apply``; ``meta(event)`` is what their commands append with."""

    ddl: ClassVar[str] = ""  # a policy keeps no read model, only its positions
    actor: ClassVar[str]

    def __init__(self, topics: Sequence[str], store: EventStore) -> None:
        super().__init__(topics)
        self.store = store

    def meta(self, event: Envelope, actor: str | None = None) -> EventMeta:
        """The command's metadata: the same correlation, caused by ``event``."""
        return EventMeta(
            correlation_id=event.correlationid,
            causation_id=str(event.id),
            actor=actor or self.actor,
        )
