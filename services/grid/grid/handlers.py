"""One small function per command: load the aggregate, let the domain decide, append."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from xiangzhi.aggregate import CommandContext, Outcome, StreamKind
from xiangzhi.errors import DomainError, NotFoundError
from xiangzhi.permissions import Permission
from xiangzhi.registry import EventPayload

from . import party_copy, queries
from .domain import commands as c
from .domain import grid, issue, team
from .domain import permissions as perm
from .domain.actor import Actor
from .domain.events import ChiefRole, IssueRaised, registry
from .domain.issue import NearbyIssue

# The rules that limit a caller to some of the village's issues.
REACH_RULES = frozenset({"own_grids", "township_escalations"})


GRID = StreamKind("grid")  # grid codes are unique county-wide: they start with the village's
TEAM = StreamKind("team", per_village=True)
ISSUE = StreamKind("issue")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context(CommandContext):
    """Where, by whom and in which transaction a grid command is given."""

    registry = registry
    actor: Actor


# ------------------------------------------------------------------ grids


async def establish_grid(ctx: Context, cmd: c.EstablishGrid) -> Outcome:
    parent = None
    if cmd.parent_id is not None:
        history, _ = await ctx.load(GRID(cmd.parent_id))
        parent = grid.fold(history)  # type: ignore[arg-type]
    return await ctx.execute(
        GRID(cmd.grid_id),
        fold=grid.fold,
        decide=lambda s: grid.establish(s, cmd, village=ctx.village, parent=parent),
    )


async def assign_chief(ctx: Context, grid_id: str, role: ChiefRole, cmd: c.AssignChief) -> Outcome:
    return await ctx.execute(
        GRID(grid_id), fold=grid.fold, decide=lambda s: grid.assign_chief(s, role, cmd)
    )


# ------------------------------------------------------------------ volunteer teams


async def form_team(ctx: Context, cmd: c.FormTeam) -> Outcome:
    team_id = cmd.team_id or uuid.uuid4().hex[:12]
    return await ctx.execute(
        TEAM(team_id, ctx.village), fold=team.fold, decide=lambda s: team.form(s, team_id, cmd)
    )


async def join_team(ctx: Context, team_id: str, cmd: c.JoinTeam) -> Outcome:
    return await ctx.execute(
        TEAM(team_id, ctx.village), fold=team.fold, decide=lambda s: team.join(s, cmd)
    )


async def log_service(ctx: Context, team_id: str, cmd: c.LogService) -> Outcome:
    return await ctx.execute(
        TEAM(team_id, ctx.village),
        fold=team.fold,
        decide=lambda s: team.log_service(s, cmd, now=now(), actor=ctx.actor),
    )


# ------------------------------------------------------------------ issues


async def raise_issue(ctx: Context, cmd: c.RaiseIssue) -> Outcome:
    """Raise the issue and link it to its suspected duplicates, all in one transaction. The
    candidates come from the read model: the duplicate rule looks across the village's issues."""
    earlier = await queries.nearby_candidates(ctx.store.pool, ctx.village, cmd.category, now())
    async with ctx.transaction() as tx:
        return await _raise_and_link(tx, cmd, earlier)


async def _raise_and_link(
    ctx: Context, cmd: c.RaiseIssue, earlier: Sequence[NearbyIssue]
) -> Outcome:
    issue_id = cmd.issue_id or str(uuid.uuid4())
    # From the grid's own events, not the read model: a grid set up a moment ago counts.
    history, _ = await ctx.load(GRID(cmd.grid_id))
    if not grid.fold(history).established:  # type: ignore[arg-type]
        raise DomainError(f"no grid {cmd.grid_id} in village {ctx.village}", field="grid_id")
    outcome = await ctx.execute(
        ISSUE(issue_id),
        fold=issue.fold,
        decide=lambda s: issue.raise_issue(
            s,
            cmd,
            issue_id=issue_id,
            village=ctx.village,
            now=now(),
            actor=ctx.actor,
            earlier=earlier,
        ),
        expected_version=0,
    )
    [raised] = outcome.decided
    assert isinstance(raised, IssueRaised)
    for other in raised.suspected_duplicates:
        # Linked both ways: the earlier issue learns of the later one.
        await ctx.execute(
            ISSUE(other), fold=issue.fold, decide=lambda s: issue.link_duplicate(s, issue_id)
        )
    return outcome


async def assign_issue(ctx: Context, issue_id: str, cmd: c.AssignIssue) -> Outcome:
    return await _on_issue(
        ctx,
        issue_id,
        cmd.expected_version,
        perm.ASSIGN_ISSUE,
        lambda s: issue.assign(s, cmd),
    )


async def escalate_issue(ctx: Context, issue_id: str, cmd: c.EscalateIssue) -> Outcome:
    return await _on_issue(
        ctx,
        issue_id,
        cmd.expected_version,
        perm.ESCALATE_ISSUE,
        lambda s: issue.escalate(s, cmd),
    )


async def resolve_issue(ctx: Context, issue_id: str, cmd: c.ResolveIssue) -> Outcome:
    async def resolver_is_registered() -> None:
        if cmd.party_member_id is not None and not await party_copy.registered(
            ctx.conn or ctx.store.pool, ctx.village, cmd.party_member_id
        ):
            # Only a registered member can be scored for it (party's register, as its events
            # told us; a member registered a moment ago may take a moment to arrive): a
            # made-up resolver must not earn anyone points.
            raise DomainError(
                f"{cmd.party_member_id} is not a registered party member of village "
                f"{ctx.village} (yet)",
                field="party_member_id",
            )

    return await _on_issue(
        ctx,
        issue_id,
        cmd.expected_version,
        perm.RESOLVE_ISSUE,
        lambda s: issue.resolve(s, cmd),
        before=resolver_is_registered,
    )


async def resolve_by_works(
    ctx: Context, issue_id: str, works_id: str, note: str, lead: str | None = None
) -> Outcome:
    """Resolved by completed works; the party member who led them is its resolver."""
    resolved = c.ResolveIssue(resolution=note, party_member_id=lead)
    return await _on_issue(
        ctx,
        issue_id,
        None,
        None,
        lambda s: issue.resolve(s, resolved, via="works_completed", works_id=works_id),
    )


async def confirm_issue(ctx: Context, issue_id: str, cmd: c.ConfirmIssue) -> Outcome:
    return await _on_issue(
        ctx,
        issue_id,
        cmd.expected_version,
        None,
        lambda s: issue.confirm(s, cmd, actor=ctx.actor),
    )


async def reopen_issue(ctx: Context, issue_id: str, cmd: c.ReopenIssue) -> Outcome:
    return await _on_issue(
        ctx,
        issue_id,
        cmd.expected_version,
        None,
        lambda s: issue.reopen(s, cmd, actor=ctx.actor),
    )


async def close_issue(ctx: Context, issue_id: str, cmd: c.CloseIssue) -> Outcome:
    return await _on_issue(ctx, issue_id, cmd.expected_version, None, issue.close)


async def escalate_overdue(ctx: Context, issue_id: str, at: datetime) -> Outcome:
    """The SLA watcher's command: the next level due, or nothing."""
    return await _on_issue(
        ctx,
        issue_id,
        None,
        None,
        lambda s: [
            e
            for level in issue.escalations_due(s, at)
            for e in issue.escalate(s, c.EscalateIssue(level=level, reason="overdue"))
        ],
    )


IssueDecision = Callable[[issue.Issue], Sequence[EventPayload]]


async def _on_issue(
    ctx: Context,
    issue_id: str,
    expected: int | None,
    permission: Permission | None,
    decide: IssueDecision,
    before: Callable[[], Awaitable[None]] | None = None,
) -> Outcome:
    """A command on an existing issue. ``permission``'s rules of reach (a grid worker's own
    grids, a township officer's escalations) are checked first, so a caller out of reach
    learns nothing from the command's other checks (``before``)."""
    chiefs: frozenset[str] = frozenset()
    if permission is not None and ctx.actor.rule in REACH_RULES:
        history, _ = await ctx.load(ISSUE(issue_id))
        current = issue.fold(history)  # type: ignore[arg-type]
        if ctx.actor.rule == "own_grids":
            chiefs = await _chiefs_over(ctx, current.grid_id)
        if current.status != "new":
            issue.within_reach(current, ctx.actor, permission, chiefs)
    if before is not None:
        await before()

    def existing(state: issue.Issue) -> Sequence[EventPayload]:
        if state.status == "new":
            raise NotFoundError(f"no issue {issue_id} in village {ctx.village}")
        if permission is not None:
            issue.within_reach(state, ctx.actor, permission, chiefs)
        return decide(state)

    return await ctx.execute(
        ISSUE(issue_id), fold=issue.fold, decide=existing, expected_version=expected
    )


async def _chiefs_over(ctx: Context, grid_id: str) -> frozenset[str]:
    """The three chiefs of the grid and of the grid above it: a grid worker of a grid acts on
    the issues of its micro-grids too."""
    chiefs: frozenset[str] = frozenset()
    next_id: str | None = grid_id
    for _ in range(2):
        if not next_id:
            break
        history, _ = await ctx.load(GRID(next_id))
        state = grid.fold(history)  # type: ignore[arg-type]
        chiefs |= state.chief_ids()
        next_id = state.parent_id
    return chiefs
