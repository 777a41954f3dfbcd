"""Reactions to grid's events, on the party service's own narrow copies of them.

- ``grid.issue.confirmed`` of an issue whose resolver is a party member scores "resolved a
  resident's issue" — once per issue, whatever happens: the score's cause is the issue, so a
  redelivery, a rebuild, or a second confirmation after a reopening finds it already scored.
- ``grid.volunteer_team.service_logged`` by a party member scores volunteer service, once per
  logged entry.

Both append in the policy's own batch transaction. A rule's cap reached is the rule working,
not a failure: counted and logged, nothing appended.

A batch is scored together (``apply_batch``): per village the catalogue is read once, every
member's register entry and ledger in one round trip, each score decided in order on the
ledger as the batch left it (caps and causes count the batch's own scores), and all of them
appended in one insert. One event at a time (``apply``) gives the same scores: it is what the
runner falls back to when a batch fails, to find the event at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict
from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Policy
from xiangzhi.store import CommandAppend, StreamAppend

from . import catalogue, handlers
from .domain import organisation, points
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


@dataclass(frozen=True)
class Award:
    """What one of grid's events earns, before the register and the rule have their say."""

    event: Envelope
    member_id: str
    rule_id: str
    reason: str
    cause: str


def award(event: Envelope) -> Award | None:
    if event.type.startswith("grid.issue.confirmed."):
        confirmed = IssueConfirmed.model_validate(event.data)
        if confirmed.resolver_party_member_id:
            return Award(
                event,
                confirmed.resolver_party_member_id,
                catalogue.RESOLVED_ISSUE,
                f"解决群众诉求: issue {confirmed.issue_id}, 满意度 {confirmed.satisfaction}",
                f"grid-issue:{confirmed.issue_id}",
            )
    elif event.type.startswith("grid.volunteer_team.service_logged."):
        logged = ServiceLogged.model_validate(event.data)
        if logged.party_member_id:
            return Award(
                event,
                logged.party_member_id,
                catalogue.VOLUNTEER_SERVICE,
                f"志愿服务 {logged.hours} 小时: {logged.description}",
                f"grid-service:{event.id}",
            )
    return None


class GridPolicies(Policy):
    name = "grid_policies"
    actor = "policy:grid"  # each score names its rule: policy:<rule>

    async def apply(self, conn: Connection, event: Envelope) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: Connection, events: Sequence[Envelope]) -> None:
        awards = [a for a in map(award, events) if a is not None]
        commands: list[CommandAppend] = []
        for village in dict.fromkeys(a.event.village for a in awards):
            commands += await self._village(conn, village, [a for a in awards if
                                                           a.event.village == village])  # fmt: skip
        await self.store.append_commands(commands, conn=conn)

    async def _village(
        self, conn: Connection, village: str, awards: Sequence[Award]
    ) -> list[CommandAppend]:
        ctx = handlers.Context(
            store=self.store,
            village=village,
            meta=self.meta(awards[0].event, self.actor),
            conn=conn,
        )
        rules = await handlers.catalogue(ctx)
        members = list(dict.fromkeys(a.member_id for a in awards))
        loaded = await ctx.load_many(
            [*(handlers.MEMBER(m, village) for m in members),
             *(handlers.LEDGER(m, village) for m in members)]
        )  # fmt: skip
        ledgers: dict[str, tuple[points.Ledger, int]] = {}
        for member in members:
            history, version = loaded[str(handlers.LEDGER(member, village))]
            ledgers[member] = (points.fold(history), version)  # type: ignore[arg-type]
        commands = []
        for a in awards:
            registered = loaded[str(handlers.MEMBER(a.member_id, village))][0]
            if not organisation.fold_member(registered).member_id:  # type: ignore[arg-type]
                # A chief's or volunteer's member id that party's register does not know:
                # nobody is scored for it (grid checks resolvers, not a volunteer's claimed id).
                UNREGISTERED.labels(a.rule_id).inc()
                log.warning("policy.unregistered_member", rule=a.rule_id, member_id=a.member_id)
                continue
            ledger, version = ledgers[a.member_id]
            try:
                scored = points.score(
                    ledger,
                    rules.in_force(a.rule_id),
                    member_id=a.member_id,
                    period=a.event.time.year,
                    reason=a.reason,
                    source_event_id=a.cause,
                )
            except CapReachedError:
                CAPPED.labels(a.rule_id).inc()
                log.info("policy.capped", rule=a.rule_id, member_id=a.member_id, cause=a.cause)
                continue
            if not scored:
                continue
            stream = str(handlers.LEDGER(a.member_id, village))
            commands.append(
                CommandAppend(
                    village,
                    [StreamAppend(stream, version, scored)],
                    self.meta(a.event, f"policy:{a.rule_id}"),
                )
            )
            for event in scored:
                ledger = points.evolve(ledger, event)
            ledgers[a.member_id] = (ledger, version + len(scored))
        return commands
