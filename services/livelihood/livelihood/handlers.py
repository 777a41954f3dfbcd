"""Commands of the livelihood service: load, decide, append (through the kit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from xiangzhi import deliberations
from xiangzhi.aggregate import CommandContext, Outcome, StreamKind
from xiangzhi.errors import NotFoundError
from xiangzhi.registry import EventPayload

from .domain import commands as c
from .domain import practical, remediation, works
from .domain.events import Source, registry

WORKS = StreamKind("works", per_village=True)
REMEDIATION = StreamKind("remediation", per_village=True)
PRACTICAL = StreamKind("practical", per_village=True)


@dataclass(frozen=True)
class Context(CommandContext):
    """Where, by whom and in which transaction a livelihood command is given: the person from
    the verified token and the rule the permission table puts on their role."""

    registry = registry
    person_id: str = "system"
    rule: str | None = None


def today() -> date:
    return datetime.now(UTC).date()


async def _on_works(
    ctx: Context, works_id: str, decide: Callable[[works.Works], Sequence[EventPayload]]
) -> Outcome:
    def existing(state: works.Works) -> Sequence[EventPayload]:
        if state.stage == "new":
            raise NotFoundError(f"no works {works_id} in village {ctx.village}")
        return decide(state)

    return await ctx.execute(WORKS(works_id, ctx.village), fold=works.fold, decide=existing)


async def propose(ctx: Context, cmd: c.ProposeWorks, *, source: Source = "staff") -> Outcome:
    return await ctx.execute(
        WORKS(cmd.works_id, ctx.village),
        fold=works.fold,
        decide=lambda s: works.propose(s, cmd, source=source),
    )


async def is_proposed(ctx: Context, works_id: str) -> bool:
    _, version = await ctx.load(WORKS(works_id, ctx.village))
    return version > 0


async def approve(ctx: Context, works_id: str, cmd: c.ApproveWorks) -> Outcome:
    history, _ = await ctx.load(WORKS(works_id, ctx.village))
    own = works.fold(history).deliberation_id  # type: ignore[arg-type]
    citation = await deliberations.cited(ctx, cmd.deliberation_id or own)
    return await _on_works(
        ctx,
        works_id,
        lambda s: works.approve(s, cmd, citation=citation, approver=ctx.person_id, rule=ctx.rule),
    )


async def fund(ctx: Context, works_id: str, cmd: c.FundWorks) -> Outcome:
    return await _on_works(ctx, works_id, lambda s: works.fund(s, cmd))


async def start(ctx: Context, works_id: str, cmd: c.StartWorks) -> Outcome:
    return await _on_works(ctx, works_id, lambda s: works.start(s, cmd, today=today()))


async def report_progress(ctx: Context, works_id: str, cmd: c.ReportProgress) -> Outcome:
    return await _on_works(ctx, works_id, lambda s: works.report_progress(s, cmd))


async def approve_change(ctx: Context, works_id: str, cmd: c.ApproveChange) -> Outcome:
    return await _on_works(
        ctx, works_id, lambda s: works.approve_change(s, cmd, approver=ctx.person_id)
    )


async def complete(ctx: Context, works_id: str, cmd: c.CompleteWorks) -> Outcome:
    return await _on_works(ctx, works_id, lambda s: works.complete(s, cmd, today=today()))


async def accept(ctx: Context, works_id: str, cmd: c.AcceptWorks) -> Outcome:
    return await _on_works(ctx, works_id, lambda s: works.accept(s, cmd, accepter=ctx.person_id))


# ------------------------------------------------------------------ remediation


async def start_remediation(ctx: Context, cmd: c.StartRemediation) -> Outcome:
    return await ctx.execute(
        REMEDIATION(cmd.campaign_id, ctx.village),
        fold=remediation.fold,
        decide=lambda s: remediation.start(s, cmd),
    )


async def record_remediation(ctx: Context, campaign_id: str, cmd: c.RecordRemediation) -> Outcome:
    return await ctx.execute(
        REMEDIATION(campaign_id, ctx.village),
        fold=remediation.fold,
        decide=lambda s: remediation.record(s, cmd, today=today()),
    )


# ------------------------------------------------------------------ practical things


async def promise(ctx: Context, cmd: c.PromisePracticalThing) -> Outcome:
    return await ctx.execute(
        PRACTICAL(cmd.item_id, ctx.village),
        fold=practical.fold,
        decide=lambda s: practical.promise(
            s, cmd, actor=ctx.person_id, rule=ctx.rule, today=today()
        ),
    )


async def mark_done(ctx: Context, item_id: str, cmd: c.PracticalThingDone) -> Outcome:
    return await ctx.execute(
        PRACTICAL(item_id, ctx.village),
        fold=practical.fold,
        decide=lambda s: practical.done(s, cmd, today=today()),
    )


async def acknowledge(ctx: Context, item_id: str, cmd: c.Acknowledge) -> Outcome:
    return await ctx.execute(
        PRACTICAL(item_id, ctx.village),
        fold=practical.fold,
        decide=lambda s: practical.acknowledge(s, cmd, actor=ctx.person_id),
    )
