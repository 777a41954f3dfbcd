"""Reactions to grid's and party's events, on livelihood's own narrow copies of them.

- ``grid.issue.escalated`` with reason ``needs_works`` proposes a works item linked to the
  issue (its category from the issue's, a draft of one item to be planned by a change);
- party's ``make_plan`` step proposes each of its works items linked to the deliberation (v2:
  structured; v1: a line of text, proposed as one item of category "other").

Each proposal's id is derived from its cause (the issue; the deliberation and the item's place
in the plan), so a redelivered or replayed event finds the works already proposed: once,
whatever happens. Appended in the policy's own batch transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any

import structlog
from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict, ValidationError
from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.errors import DomainError
from xiangzhi.projection import Policy

from . import handlers
from .domain.commands import ProposeWorks
from .domain.events import UNITS, Source

log = structlog.get_logger(__name__)
ALREADY = Counter(
    "livelihood_policy_already_proposed_total",
    "Works a policy found already proposed (a redelivery or a replay)",
    ["policy"],
)
REFUSED = Counter(
    "livelihood_policy_refused_total", "Works items a policy could not propose", ["policy"]
)

# Grid's issue categories → the works that put them right.
FROM_ISSUE = {"drainage": "drainage", "road": "road", "leak": "leak_repair",
              "water": "leak_repair", "walls": "ruined_wall"}  # fmt: skip


def works_id(*cause: str) -> str:
    return "w-" + hashlib.sha256("\x00".join(cause).encode()).hexdigest()[:24]


def draft(category: str) -> tuple[str, int]:
    """A works item whose size is not known yet: one of what its category counts in."""
    units = UNITS.get(category, UNITS["other"])
    return ("spot" if "spot" in units else sorted(units)[0]), 1


async def _propose(
    policy: Policy, conn: Connection, event: Envelope, fields: dict[str, Any], source: Source
) -> None:
    try:
        cmd = ProposeWorks.model_validate(fields)
    except ValidationError as exc:
        REFUSED.labels(policy.name).inc()
        log.warning("policy.works_invalid", works_id=fields["works_id"], errors=exc.errors())
        return
    ctx = handlers.Context(
        store=policy.store, village=event.village, meta=policy.meta(event), conn=conn,
        person_id=policy.actor,
    )  # fmt: skip
    if await handlers.is_proposed(ctx, cmd.works_id):
        ALREADY.labels(policy.name).inc()
        return
    try:
        await handlers.propose(ctx, cmd, source=source)
    except DomainError as exc:
        # A plan's item that cannot be works as written (a unit its category is not measured
        # in): counted and logged; the clerk proposes it by hand.
        REFUSED.labels(policy.name).inc()
        log.warning("policy.works_refused", works_id=cmd.works_id, detail=exc.detail)


class IssueRaised(BaseModel):
    model_config = ConfigDict(extra="ignore")
    issue_id: str
    category: str = "other"
    title: str = ""


class IssueEscalated(BaseModel):
    model_config = ConfigDict(extra="ignore")
    issue_id: str
    reason: str
    note: str | None = None


class EscalationPolicy(Policy):
    """grid → livelihood: an issue that needs works becomes a works proposal."""

    name = "escalation_policy"
    actor = "policy:needs_works"
    # The issues' categories and titles, as grid's events told them (the policy's own copy,
    # built in the same transactions as its proposals).
    ddl = """
    create table if not exists issues (
        village char(12) not null,
        issue_id text not null,
        category text not null,
        title text not null,
        primary key (village, issue_id)
    );
    """

    async def apply(self, conn: Connection, event: Envelope) -> None:
        kind = event.type.rsplit(".", 1)[0]
        if kind == "grid.issue.raised":
            raised = IssueRaised.model_validate(event.data)
            await conn.execute(
                "insert into issues values ($1, $2, $3, $4) on conflict do nothing",
                event.village, raised.issue_id, raised.category, raised.title,
            )  # fmt: skip
        elif kind == "grid.issue.escalated":
            escalated = IssueEscalated.model_validate(event.data)
            if escalated.reason != "needs_works":
                return
            issue = await conn.fetchrow(
                "select category, title from issues where village = $1 and issue_id = $2",
                event.village, escalated.issue_id,
            )  # fmt: skip
            raised_as = issue["category"] if issue else ""
            category = raised_as if raised_as in UNITS else FROM_ISSUE.get(raised_as, "other")
            unit, quantity = draft(category)
            title = (issue["title"] if issue else "") or f"issue {escalated.issue_id}"
            fields = {
                "works_id": works_id("issue", event.village, escalated.issue_id),
                "category": category, "title": title[:200], "planned_quantity": quantity,
                "unit": unit, "budget_yuan": "0.00", "issue_ids": [escalated.issue_id],
            }  # fmt: skip
            await _propose(self, conn, event, fields, "issue_escalated")


class PlanStep(BaseModel):
    """Livelihood's copy of party's ``step_completed`` (v1 or v2)."""

    model_config = ConfigDict(extra="ignore")
    deliberation_id: str
    step: str
    works_items: list[Any] = []


class PlanPolicy(Policy):
    """party → livelihood: a plan's works items become works proposals of the deliberation."""

    name = "plan_policy"
    actor = "policy:deliberation_plan"

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if not event.type.startswith("party.deliberation.step_completed."):
            return
        step = PlanStep.model_validate(event.data)
        if step.step != "make_plan":
            return
        for n, raw in enumerate(step.works_items):
            # v1 kept an item as a line of text; v2 as its title, category, quantity, unit.
            item = {"title": raw} if isinstance(raw, str) else dict(raw)
            category = item.get("category") or "other"
            unit, quantity = draft(category)
            if item.get("unit") in UNITS.get(category, ()):
                unit = item["unit"]
            fields = {
                "works_id": works_id("plan", event.village, step.deliberation_id, str(n)),
                "category": category if category in UNITS else "other",
                "title": str(item.get("title") or "")[:200] or f"works {n + 1}",
                "planned_quantity": item.get("quantity") or quantity, "unit": unit,
                "budget_yuan": item.get("budget_yuan") or "0.00",
                "deliberation_id": step.deliberation_id,
            }  # fmt: skip
            await _propose(self, conn, event, fields, "deliberation_plan")
