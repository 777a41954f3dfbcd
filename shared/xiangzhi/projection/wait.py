"""Read-your-writes: wait until a projection has applied a command's events.

The runner of this process announces each batch it commits (``Progress``), so a reader here
is woken the moment its events are applied instead of polling the database. Another replica
may hold the partition that carries the village: the database is still asked, less often,
so a read never depends on which process applied the events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

from ..db import Pool
from .base import Projection

# How often the database is asked while the local runner says nothing new.
POLL_SECONDS = 0.05


class Progress:
    """What the projection's runner in this process has committed, and who waits for it."""

    def __init__(self) -> None:
        self.applied: dict[tuple[str, str], int] = {}
        self._waiters: set[asyncio.Future[None]] = set()

    def advance(self, touched: Mapping[tuple[str, str], int]) -> None:
        """After a batch's commit: its last chainseq per (service, village); wakes every waiter."""
        for key, seq in touched.items():
            if seq > self.applied.get(key, 0):
                self.applied[key] = seq
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def reached(self, service: str, village: str, chainseq: int) -> bool:
        return self.applied.get((service, village), 0) >= chainseq

    async def changed(self, timeout: float) -> None:
        """Until the next batch commits here, or ``timeout``."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)


async def wait_for(
    pool: Pool,
    projection: Projection,
    service: str,
    village: str,
    chainseq: int,
    timeout: float,
    progress: Progress | None = None,
) -> bool:
    """Read-your-writes: wait (bounded) until the projection has applied ``chainseq``."""
    deadline = time.monotonic() + timeout
    asked = float("-inf")
    delay = 0.002
    while True:
        if progress is not None and progress.reached(service, village, chainseq):
            return True
        now = time.monotonic()
        if progress is None or now - asked >= POLL_SECONDS:
            asked = now
            seen = await pool.fetchval(
                f"select chainseq from {projection.table('_applied')} "
                "where source = $1 and village = $2",
                service,
                village,
            )
            if seen is not None and seen >= chainseq:
                return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if progress is not None:
            await progress.changed(min(left, POLL_SECONDS))
        else:
            await asyncio.sleep(min(delay, left))
            delay = min(delay * 2, POLL_SECONDS)
