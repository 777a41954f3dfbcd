"""Commands and reads, per village: grids and chiefs, volunteer teams, issues, statistics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import StringConstraints
from xiangzhi.aggregate import Accepted
from xiangzhi.deps import CountyVillages, consistent_read
from xiangzhi.errors import NotFoundError
from xiangzhi.guard import requires
from xiangzhi.ids import ID_PATTERN

from .. import handlers, queries
from ..domain import commands as c
from ..domain import permissions as perm
from ..domain.events import ChiefRole
from .deps import ActorDep, ContextDep, RuntimeDep, Village
from .views import (
    GridView,
    IssueDetail,
    IssuePage,
    TeamView,
    VillageStats,
    accepted,
    issue_detail,
    issue_view,
)

router = APIRouter(prefix="/villages/{village}")
# The county's reads: several villages in one answer (the gateway's county summary).
county = APIRouter(prefix="/counties/{county}")
IssueId = Annotated[str, Path(pattern=ID_PATTERN)]
TeamId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
GridId = Annotated[str, Path(pattern=r"^\d{15}$")]
# A status or category code: plain lower-case words (anything else matches nothing anyway).
Code = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
READ = [consistent_read("grid")]


# ------------------------------------------------------------------ grids and chiefs


@router.post(
    "/grids", status_code=201, tags=["grids"], dependencies=[requires(perm.ESTABLISH_GRID)]
)
async def establish_grid(cmd: c.EstablishGrid, ctx: ContextDep) -> Accepted:
    """Set up a grid or micro-grid (网格/微网格)."""
    return accepted(await handlers.establish_grid(ctx, cmd), cmd.grid_id)


@router.put(
    "/grids/{grid_id}/chiefs/{role}",
    tags=["grids"],
    dependencies=[requires(perm.ASSIGN_CHIEF)],
)
async def assign_chief(
    grid_id: GridId, role: ChiefRole, cmd: c.AssignChief, ctx: ContextDep
) -> Accepted:
    """Name the holder of one of the three chiefs' roles (三长联动); the last holder is replaced."""
    return accepted(await handlers.assign_chief(ctx, grid_id, role, cmd), grid_id)


@router.get("/grids", dependencies=READ, tags=["grids"])
async def list_grids(village: Village, rt: RuntimeDep) -> list[GridView]:
    """The village's grid directory with each grid's chiefs."""
    return [GridView.model_validate(g) for g in await queries.grids(rt.pool, village)]


# ------------------------------------------------------------------ volunteer teams


@router.post(
    "/volunteer-teams",
    status_code=201,
    tags=["volunteer teams"],
    dependencies=[requires(perm.FORM_TEAM)],
)
async def form_team(cmd: c.FormTeam, ctx: ContextDep) -> Accepted:
    """Form a volunteer team (志愿服务队)."""
    outcome = await handlers.form_team(ctx, cmd)
    return accepted(outcome, outcome.aggregate_id)


@router.post(
    "/volunteer-teams/{team_id}/members",
    status_code=201,
    tags=["volunteer teams"],
    dependencies=[requires(perm.JOIN_TEAM)],
)
async def join_team(team_id: TeamId, cmd: c.JoinTeam, ctx: ContextDep) -> Accepted:
    """A villager joins a team."""
    return accepted(await handlers.join_team(ctx, team_id, cmd), team_id)


@router.post(
    "/volunteer-teams/{team_id}/service",
    status_code=201,
    tags=["volunteer teams"],
    dependencies=[requires(perm.LOG_SERVICE)],
)
async def log_service(team_id: TeamId, cmd: c.LogService, ctx: ContextDep) -> Accepted:
    """Log hours of volunteer service."""
    return accepted(await handlers.log_service(ctx, team_id, cmd), team_id)


@router.get("/volunteer-teams", dependencies=READ, tags=["volunteer teams"])
async def list_teams(village: Village, rt: RuntimeDep) -> list[TeamView]:
    """Teams with their rosters and hours served."""
    return [TeamView.model_validate(t) for t in await queries.teams(rt.pool, village)]


# ------------------------------------------------------------------ issues


@router.post("/issues", status_code=201, tags=["issues"], dependencies=[requires(perm.RAISE_ISSUE)])
async def raise_issue(cmd: c.RaiseIssue, ctx: ContextDep) -> Accepted:
    """Raise a resident's issue in a grid; nearby issues of the same kind are linked. An
    optional ``contact`` ``{first_name, last_name, email, phone}`` is kept encrypted, for staff
    and the reporter only."""
    outcome = await handlers.raise_issue(ctx, cmd)
    return accepted(outcome, outcome.aggregate_id)


@router.get("/issues", dependencies=READ, tags=["issues"])
async def list_issues(
    village: Village,
    rt: RuntimeDep,
    viewer: ActorDep,
    status: Annotated[list[Code] | None, Query()] = None,
    grid_id: Annotated[str | None, Query(pattern=r"^\d{15}$")] = None,
    category: Annotated[list[Code] | None, Query()] = None,
    overdue: bool | None = None,
    mine: Annotated[bool, Query(description="only the issues you raised")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> IssuePage:
    """Issues by status, grid, category or overdue, or your own, newest first, a page at a time."""
    rows, total = await queries.issues(
        rt.pool,
        village,
        queries.IssueFilter(
            status=status,
            grid_id=grid_id,
            category=category,
            overdue=overdue,
            raised_by=viewer.person_id if mine else None,
        ),
        limit=limit,
        offset=offset,
        now=datetime.now(UTC),
    )
    return IssuePage(
        items=[issue_view(r, viewer) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/issues/{issue_id}", dependencies=READ, tags=["issues"])
async def get_issue(
    village: Village, issue_id: IssueId, rt: RuntimeDep, viewer: ActorDep
) -> IssueDetail:
    """One issue, with its contact for staff and for the resident who raised it."""
    row = await queries.issue(rt.pool, village, issue_id)
    if row is None:
        raise NotFoundError(f"no issue {issue_id} in village {village}")
    return issue_detail(row, viewer)


@router.post(
    "/issues/{issue_id}/assign", tags=["issues"], dependencies=[requires(perm.ASSIGN_ISSUE)]
)
async def assign_issue(issue_id: IssueId, cmd: c.AssignIssue, ctx: ContextDep) -> Accepted:
    """Give the issue to a chief or a volunteer team."""
    return accepted(await handlers.assign_issue(ctx, issue_id, cmd), issue_id)


@router.post(
    "/issues/{issue_id}/escalate",
    tags=["issues"],
    dependencies=[requires(perm.ESCALATE_ISSUE)],
)
async def escalate_issue(issue_id: IssueId, cmd: c.EscalateIssue, ctx: ContextDep) -> Accepted:
    """Send the issue up: village committee, township, county."""
    return accepted(await handlers.escalate_issue(ctx, issue_id, cmd), issue_id)


@router.post(
    "/issues/{issue_id}/resolve",
    tags=["issues"],
    dependencies=[requires(perm.RESOLVE_ISSUE)],
)
async def resolve_issue(issue_id: IssueId, cmd: c.ResolveIssue, ctx: ContextDep) -> Accepted:
    """Record how the issue was handled."""
    return accepted(await handlers.resolve_issue(ctx, issue_id, cmd), issue_id)


@router.post(
    "/issues/{issue_id}/confirm",
    tags=["issues"],
    dependencies=[requires(perm.CONFIRM_ISSUE)],
)
async def confirm_issue(issue_id: IssueId, cmd: c.ConfirmIssue, ctx: ContextDep) -> Accepted:
    """The resident confirms, with satisfaction 1–5."""
    return accepted(await handlers.confirm_issue(ctx, issue_id, cmd), issue_id)


@router.post(
    "/issues/{issue_id}/reopen", tags=["issues"], dependencies=[requires(perm.REOPEN_ISSUE)]
)
async def reopen_issue(issue_id: IssueId, cmd: c.ReopenIssue, ctx: ContextDep) -> Accepted:
    """Not done after all: back to the assignee."""
    return accepted(await handlers.reopen_issue(ctx, issue_id, cmd), issue_id)


@router.post("/issues/{issue_id}/close", tags=["issues"], dependencies=[requires(perm.CLOSE_ISSUE)])
async def close_issue(issue_id: IssueId, cmd: c.CloseIssue, ctx: ContextDep) -> Accepted:
    """File the issue away."""
    return accepted(await handlers.close_issue(ctx, issue_id, cmd), issue_id)


# ------------------------------------------------------------------ statistics


@router.get("/statistics", dependencies=READ, tags=["statistics"])
async def village_statistics(village: Village, rt: RuntimeDep) -> VillageStats:
    """The village's grid side in figures: grids, chiefs, teams, issues and how they fare."""
    figures = await queries.statistics(rt.pool, [village], datetime.now(UTC))
    return VillageStats.model_validate(figures[village])


@county.get("/statistics", dependencies=READ, tags=["statistics"])
async def county_statistics(villages: CountyVillages, rt: RuntimeDep) -> dict[str, VillageStats]:
    """Each village named in figures, by village code: the same figures as each village's own
    ``/statistics``, read together (every village must be of the county and one you may see)."""
    figures = await queries.statistics(rt.pool, villages, datetime.now(UTC))
    return {v: VillageStats.model_validate(figures[v]) for v in villages}
