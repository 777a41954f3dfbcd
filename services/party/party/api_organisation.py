"""Party organisation and members over HTTP, and the coverage of the village's grids."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.deps import RuntimeDep, consistent_read
from xiangzhi.guard import requires
from xiangzhi.text import StorableModel

from . import handlers
from .deps import ContextDep, MemberId, Village
from .domain import permissions as perm
from .domain.coverage import coverage as measure
from .domain.events import OrgKind
from .grid_copy import GridCopy
from .projections import PartyReadModel

router = APIRouter(prefix="/villages/{village}", tags=["organisation (组织覆盖)"])
T = PartyReadModel([]).table
G = GridCopy([]).table


class EstablishOrg(StorableModel):
    org_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    parent_id: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{1,64}$")
    grid_id: str | None = Field(None, pattern=r"^\d{15}$")


class RegisterMember(StorableModel):
    member_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    name: str = Field(min_length=1, max_length=50)
    org_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    status: Literal["full", "probationary"]
    joined_on: date
    veteran: bool = False


class Transfer(StorableModel):
    to_org_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")


@router.post("/organizations", status_code=201, dependencies=[requires(perm.ESTABLISH_ORG)])
async def establish(village: Village, body: EstablishOrg, ctx: ContextDep) -> Accepted:
    """Set up the general branch, a branch, or a party group over a grid."""
    outcome = await handlers.establish_org(
        ctx, org_id=body.org_id, name=body.name, kind=body.kind,
        parent_id=body.parent_id, grid_id=body.grid_id,
    )  # fmt: skip
    return accepted("party", outcome, body.org_id)


@router.post("/members", status_code=201, dependencies=[requires(perm.REGISTER_MEMBER)])
async def register(village: Village, body: RegisterMember, ctx: ContextDep) -> Accepted:
    """Register a party member (full or probationary; veterans marked)."""
    outcome = await handlers.register_member(
        ctx, member_id=body.member_id, name=body.name,
        org_id=body.org_id, status=body.status, joined_on=body.joined_on, veteran=body.veteran,
    )  # fmt: skip
    return accepted("party", outcome, body.member_id)


@router.post("/members/{member_id}/transfer", dependencies=[requires(perm.TRANSFER_MEMBER)])
async def transfer(
    village: Village, member_id: MemberId, body: Transfer, ctx: ContextDep
) -> Accepted:
    """Move a member to another branch or party group."""
    outcome = await handlers.transfer_member(ctx, member_id=member_id, to_org_id=body.to_org_id)
    return accepted("party", outcome, member_id)


class CoverageView(BaseModel):
    village: str
    grids: int
    covered: list[str]
    uncovered: list[str]
    complete: bool


@router.get("/coverage", dependencies=[consistent_read("party")])
async def coverage(village: Village, rt: RuntimeDep) -> CoverageView:
    """党组织全覆盖: the village's micro-grids with and without a party group (grid's
    directory as grid's events told it, not a call into grid)."""
    grids = [r["grid_id"] for r in await rt.pool.fetch(
        f"select grid_id from {G('grids')} where village = $1 and level = 'micro_grid'", village
    )]  # fmt: skip
    groups = {r["org_id"]: r["grid_id"] for r in await rt.pool.fetch(
        f"select org_id, grid_id from {T('organizations')} "
        "where village = $1 and kind = 'party_group'", village,
    )}  # fmt: skip
    report = measure(grids, groups)
    return CoverageView(
        village=village, grids=len(grids), covered=list(report.covered),
        uncovered=list(report.uncovered), complete=report.complete,
    )  # fmt: skip


class ScheduleTurn(StorableModel):
    person_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    name: str = Field(min_length=1, max_length=50)
    starts_on: date
    ends_on: date
    duty: str = Field(min_length=1, max_length=200)


@router.post(
    "/representatives/rotation", status_code=201, dependencies=[requires(perm.SCHEDULE_ROTATION)]
)
async def schedule_turn(village: Village, body: ScheduleTurn, ctx: ContextDep) -> Accepted:
    """村民代表轮岗: give a villagers' representative a turn in the committee's work."""
    outcome = await handlers.schedule_rotation(
        ctx, person_id=body.person_id, name=body.name,
        starts_on=body.starts_on, ends_on=body.ends_on, duty=body.duty,
    )  # fmt: skip
    return accepted("party", outcome, body.person_id)


@router.get("/representatives/rotation")
async def rotation_schedule(village: Village, rt: RuntimeDep) -> list[dict[str, str]]:
    """The rotation schedule, in the order of the turns."""
    turns = await rt.store.read_stream(f"rotation-{village}")
    return sorted(
        ({k: str(v) for k, v in t.data.items()} for t in turns if t.village == village),
        key=lambda t: (t["starts_on"], t["person_id"]),
    )
