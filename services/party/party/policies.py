"""Reactions to grid's events, on the party service's own narrow copies of them.

- ``grid.issue.confirmed`` of an issue whose resolver is a party member scores "resolved a
  resident's issue" — once per issue, whatever happens: the score's cause is the issue, so a
  redelivery, a rebuild, or a second confirmation after a reopening finds it already scored.
- ``grid.volunteer_team.service_logged`` by a party member scores volunteer service, once per
  logged entry.

Both append in the policy's own batch transaction. A rule's cap reached is the rule working,
not a failure: counted and logged, nothing appended.
"""

from __future__ import annotations

import structlog
from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict
from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Policy

from . import catalogue, handlers
from .domain.points import CapReachedError

log = structlog.get_logger(__name__)
UNREGISTERED = Counter(
    "party_policy_unregistered_total",
    "Policy scores not given because the member id is not in the register",
    ["rule"],
)
CAPPED = Counter(
    "party_policy_capped_total", "Policy scores not given because a cap was reached", ["rule"]
)


class IssueConfirmed(BaseModel):
    """Party's copy of ``grid.issue.confirmed``."""

    model_config = ConfigDict(extra="ignore")
    issue_id: str
    satisfaction: int
    resolver_party_member_id: str | None = None


class ServiceLogged(BaseModel):
    """Party's copy of ``grid.volunteer_team.service_logged``."""

    model_config = ConfigDict(extra="ignore")
    team_id: str
    hours: str
    description: str
    party_member_id: str | None = None


class GridPolicies(Policy):
    name = "grid_policies"
    actor = "policy:grid"  # each score names its rule: policy:<rule>

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if event.type.startswith("grid.issue.confirmed."):
            confirmed = IssueConfirmed.model_validate(event.data)
            if confirmed.resolver_party_member_id:
                await self._score(
                    conn,
                    event,
                    confirmed.resolver_party_member_id,
                    catalogue.RESOLVED_ISSUE,
                    f"解决群众诉求: issue {confirmed.issue_id}, 满意度 {confirmed.satisfaction}",
                    cause=f"grid-issue:{confirmed.issue_id}",
                )
        elif event.type.startswith("grid.volunteer_team.service_logged."):
            logged = ServiceLogged.model_validate(event.data)
            if logged.party_member_id:
                await self._score(
                    conn,
                    event,
                    logged.party_member_id,
                    catalogue.VOLUNTEER_SERVICE,
                    f"志愿服务 {logged.hours} 小时: {logged.description}",
                    cause=f"grid-service:{event.id}",
                )

    async def _score(
        self,
        conn: Connection,
        event: Envelope,
        member_id: str,
        rule_id: str,
        reason: str,
        cause: str,
    ) -> None:
        ctx = handlers.Context(
            store=self.store,
            village=event.village,
            meta=self.meta(event, f"policy:{rule_id}"),
            conn=conn,
        )
        if not await handlers.is_member(ctx, member_id):
            # A chief's or volunteer's member id that party's register does not know: nobody
            # is scored for it (grid checks resolvers, but not a volunteer's claimed id).
            UNREGISTERED.labels(rule_id).inc()
            log.warning("policy.unregistered_member", rule=rule_id, member_id=member_id)
            return
        try:
            await handlers.score(
                ctx,
                member_id=member_id,
                rule_id=rule_id,
                period=event.time.year,
                reason=reason,
                source_event_id=cause,
            )
        except CapReachedError:
            CAPPED.labels(rule_id).inc()
            log.info("policy.capped", rule=rule_id, member_id=member_id, cause=cause)
