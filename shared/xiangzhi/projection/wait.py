"""Read-your-writes: wait until a projection has applied a command's events."""

from __future__ import annotations

import asyncio
import time

from ..db import Pool
from .base import Projection


async def wait_for(
    pool: Pool,
    projection: Projection,
    service: str,
    village: str,
    chainseq: int,
    timeout: float,
) -> bool:
    """Read-your-writes: wait (bounded) until the projection has applied ``chainseq``."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        seen = await pool.fetchval(
            f"select chainseq from {projection.table('_applied')} "
            "where source = $1 and village = $2",
            service,
            village,
        )
        if seen is not None and seen >= chainseq:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.05)
