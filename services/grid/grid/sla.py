"""The SLA watcher: overdue issues are escalated, one level per SLA period, once per level.

Safe across restarts and replicas: each decision is taken from the issue's own events and
appended at the version it was taken from, so a second watcher either finds nothing due or
loses the race with a conflict and leaves it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime

import structlog
from xiangzhi.app import Runtime
from xiangzhi.store import ConcurrencyError, EventMeta

from . import handlers, queries
from .domain.actor import Actor
from .settings import GridSettings

log = structlog.get_logger(__name__)
WATCHER = Actor("system:sla", role="village_staff")


async def sweep(rt: Runtime[GridSettings], at: datetime) -> int:
    """Escalate what is due at ``at``; return the number of escalations made."""
    made = 0
    for village, issue_id in await queries.due_for_escalation(rt.pool, at):
        ctx = handlers.Context(
            store=rt.store,
            village=village,
            meta=EventMeta(correlation_id=f"sla-{uuid.uuid4()}", actor=WATCHER.person_id),
            actor=WATCHER,
        )
        try:
            outcome = await handlers.escalate_overdue(ctx, issue_id, at)
        except ConcurrencyError:
            continue  # someone else acted on it meanwhile; the next sweep decides afresh
        made += len(outcome.recorded)
    return made


async def watch(rt: Runtime[GridSettings], stop: asyncio.Event) -> None:
    interval = rt.settings.sla_interval_seconds
    while not stop.is_set():
        try:
            made = await sweep(rt, datetime.now(UTC))
            if made:
                log.info("sla.escalated", count=made)
        except Exception as exc:  # the watcher must outlive a failed sweep
            log.error("sla.sweep_failed", error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
