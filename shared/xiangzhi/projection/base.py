"""The read-model base class: a projection's tables and how an event changes them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from ..db import Connection
from ..envelope import Envelope


class Projection:
    """A read model: its tables (``ddl``, run inside its schema) and how an event changes them.

    ``apply`` runs inside the batch's transaction with ``search_path`` set to the projection's
    schema, so it uses unqualified table names. Readers use ``table()`` for qualified ones.
    """

    name: ClassVar[str]
    ddl: ClassVar[str]
    # The event types it applies, as prefixes of their names (``"grid.grid.established."``);
    # None: every one. The runner counts any other event as applied — it has no effect —
    # reading only the headers it needs for that, not the event's data (a copy of another
    # service's few event types reads that service's whole topic).
    wants: ClassVar[tuple[str, ...] | None] = None

    def __init__(self, topics: Sequence[str]) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"projection name {self.name!r}: lower-case letters, digits, _")
        self.topics = tuple(topics)

    @property
    def schema(self) -> str:
        return f"proj_{self.name}"

    def table(self, name: str) -> str:
        return f"{self.schema}.{name}"

    async def apply(self, conn: Connection, event: Envelope) -> None:
        raise NotImplementedError

    async def apply_batch(self, conn: Connection, events: Sequence[Envelope]) -> None:
        """A batch's events not applied before, in order, in the batch's transaction. One
        statement per event by default; a read model that can write a batch set-wise (one
        statement for thousands of events) overrides this — catch-up and rebuilds are then
        bounded by the broker, not by round trips. It must have the effect of ``apply`` on
        each event in turn: the runner falls back to one event at a time to find a poison one."""
        for event in events:
            await self.apply(conn, event)
