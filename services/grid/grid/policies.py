"""Reactions to other services' events, on grid's own narrow copies of them.

livelihood.works.completed → the issues it lists are resolved ``via=works_completed``. The
commands are appended in the policy's own batch transaction, so a redelivered event is
skipped by its chainseq and a replay finds the issues already resolved: once, whatever
happens.
"""

from __future__ import annotations

import structlog
from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict
from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.errors import NotFoundError
from xiangzhi.projection import Policy

from . import handlers, party_copy
from .domain.actor import Actor

log = structlog.get_logger(__name__)
UNKNOWN_ISSUES = Counter(
    "grid_works_unknown_issues_total",
    "Issue ids in a works-completed event that grid does not know",
)

WORKS_COMPLETED = "livelihood.works.completed."
POLICY_ACTOR = Actor("system:works-completed", role="village_staff")


class WorksCompleted(BaseModel):
    """Grid's copy of ``livelihood.works.completed``: only what grid needs."""

    model_config = ConfigDict(extra="ignore")

    works_id: str
    issue_ids: list[str] = []
    category: str | None = None
    # The party member who led the works: the issues' resolver, scored by party when the
    # resident confirms (if grid's copy of party's register knows them).
    lead_party_member_id: str | None = None


class WorksCompletedPolicy(Policy):
    name = "works_completed_policy"
    actor = POLICY_ACTOR.person_id

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if not event.type.startswith(WORKS_COMPLETED):
            return
        works = WorksCompleted.model_validate(event.data)
        ctx = handlers.Context(
            store=self.store,
            village=event.village,
            meta=self.meta(event),
            actor=POLICY_ACTOR,
            conn=conn,
        )
        lead = works.lead_party_member_id
        if lead and not await party_copy.registered(conn, event.village, lead):
            log.warning("policy.unregistered_lead", works_id=works.works_id, member_id=lead)
            lead = None
        for issue_id in works.issue_ids:
            try:
                await handlers.resolve_by_works(
                    ctx, issue_id, works.works_id, f"民生工程完工 (works {works.works_id})", lead
                )
            except NotFoundError:
                # A fact from another service naming an issue grid never had: nothing to
                # resolve, and nothing grid could correct. Counted and logged, not parked.
                UNKNOWN_ISSUES.inc()
                log.warning("policy.unknown_issue", issue_id=issue_id, works_id=works.works_id)
