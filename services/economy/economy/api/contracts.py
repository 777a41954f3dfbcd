"""The contract register (三资) and its clearing (合同清理) over HTTP.

A command citing a deliberation (an award, a renegotiation, a re-tender) may send party's
consistency token (``X-Consistency-Token``): economy then waits, bounded, until its copy of
party's events has the deliberation — read-your-writes across the two services.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from xiangzhi import consistency
from xiangzhi.aggregate import Accepted, accepted
from xiangzhi.deps import RuntimeDep, consistent_read
from xiangzhi.errors import NotFoundError
from xiangzhi.guard import requires

from .. import handlers, queries, spreadsheet
from ..domain import commands as c
from ..domain import permissions as perm
from ..domain import register
from .deps import ContextDep, Id, Village
from .views import (
    AssetView,
    CampaignProgress,
    ContractDetail,
    ContractPage,
    ContractView,
    ImportResult,
)

router = APIRouter(prefix="/villages/{village}", tags=["contracts (三资, 合同清理)"])
READ = [consistent_read("economy")]
CITES = consistent_read("party_copy")
Status = Literal["registered", "reviewed", "rectifying", "rectified", "cleared"]


@router.post("/assets", status_code=201, dependencies=[requires(perm.REGISTER_ASSET)])
async def register_asset(village: Village, body: c.RegisterAsset, ctx: ContextDep) -> Accepted:
    """Register a collective asset: a parcel, construction land, a pond, a building, forest."""
    return accepted("economy", await handlers.register_asset(ctx, body), body.asset_id)


@router.get("/assets", dependencies=READ)
async def assets(village: Village, rt: RuntimeDep) -> list[AssetView]:
    return [AssetView(**a) for a in await queries.assets(rt.pool, village)]


@router.post("/contracts", status_code=201, dependencies=[requires(perm.REGISTER_CONTRACT), CITES])
async def register_contract(
    village: Village, body: c.RegisterContract, ctx: ContextDep
) -> Accepted:
    """Register a contract from the books, or award a new one (``origin: award``, citing the
    deliberation that passed 四议两公开). A term meeting another contract's on the asset: 409."""
    return accepted("economy", await handlers.register_contract(ctx, body), body.contract_id)


@router.post("/contracts/import", status_code=201, dependencies=[requires(perm.IMPORT_REGISTER)])
async def import_register(
    village: Village,
    request: Request,
    ctx: ContextDep,
    filename: Annotated[str | None, Query(max_length=200)] = None,
) -> ImportResult:
    """Import a register of contracts: the file (CSV or XLSX) is the request body. Every row is
    checked first; one bad row refuses the file, naming each row and column; the same file
    again adds nothing."""
    data = await _body(request)
    # Parsing 20,000 rows takes seconds of CPU: off the event loop, which serves everyone else.
    parsed = await asyncio.to_thread(
        spreadsheet.read_register, data, filename, request.headers.get("content-type")
    )
    rows = [register.Row(r.row, r.contract, r.asset) for r in parsed]
    result = await handlers.import_register(ctx, data, rows, filename)
    return ImportResult(
        import_id=result.import_id,
        rows=result.rows,
        contracts_added=result.contracts_added,
        assets_added=result.assets_added,
        already_imported=result.already_imported,
        consistency_token=consistency.token_for("economy", result.recorded) or None,
    )


async def _body(request: Request) -> bytes:
    """The body, refused (413) as soon as it is larger than an import may be."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > spreadsheet.MAX_BYTES:
        raise spreadsheet.FileTooLargeError(
            f"the file is larger than {spreadsheet.MAX_BYTES // (1024 * 1024)} MB", field="file"
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > spreadsheet.MAX_BYTES:
            raise spreadsheet.FileTooLargeError(
                f"the file is larger than {spreadsheet.MAX_BYTES // (1024 * 1024)} MB",
                field="file",
            )
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/contracts", dependencies=READ)
async def contracts(
    village: Village,
    rt: RuntimeDep,
    status: Status | None = None,
    campaign_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ContractPage:
    rows, total = await queries.contracts(
        rt.pool, village, status=status, campaign_id=campaign_id, limit=limit, offset=offset
    )
    return ContractPage(
        items=[ContractView(**r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/contracts/{contract_id}", dependencies=READ)
async def contract(village: Village, contract_id: Id, rt: RuntimeDep) -> ContractDetail:
    row = await queries.contract(rt.pool, village, contract_id)
    if row is None:
        raise NotFoundError(f"no contract {contract_id} in village {village}")
    return ContractDetail(**row)


@router.post("/campaigns", status_code=201, dependencies=[requires(perm.START_CAMPAIGN)])
async def start_campaign(village: Village, body: c.StartCampaign, ctx: ContextDep) -> Accepted:
    """Start a clearing campaign (合同清理) over the village's contracts."""
    return accepted("economy", await handlers.start_campaign(ctx, body), body.campaign_id)


@router.get("/campaigns", dependencies=READ)
async def campaigns(village: Village, rt: RuntimeDep) -> list[CampaignProgress]:
    return [CampaignProgress(**r) for r in await queries.campaigns(rt.pool, village)]


@router.get("/campaigns/{campaign_id}", dependencies=READ)
async def campaign(village: Village, campaign_id: Id, rt: RuntimeDep) -> CampaignProgress:
    """Progress: reviewed / with findings / rectified / cleared, mu covered, income recovered."""
    rows = await queries.campaigns(rt.pool, village, campaign_id)
    if not rows:
        raise NotFoundError(f"no campaign {campaign_id} in village {village}")
    return CampaignProgress(**rows[0])


@router.post("/contracts/{contract_id}/review", dependencies=[requires(perm.REVIEW_CONTRACT)])
async def review(village: Village, contract_id: Id, body: c.Review, ctx: ContextDep) -> Accepted:
    """Record a contract's review in a campaign, with its findings."""
    return accepted("economy", await handlers.review(ctx, contract_id, body), contract_id)


@router.post(
    "/contracts/{contract_id}/rectifications",
    status_code=201,
    dependencies=[requires(perm.RECTIFY_CONTRACT), CITES],
)
async def rectify(village: Village, contract_id: Id, body: c.Rectify, ctx: ContextDep) -> Accepted:
    """Put findings right: renegotiated or re-tendered (citing 四议两公开), terminated, arrears
    recovered, a written contract signed."""
    return accepted("economy", await handlers.rectify(ctx, contract_id, body), contract_id)


@router.post("/contracts/{contract_id}/clear", dependencies=[requires(perm.CLEAR_CONTRACT)])
async def clear(village: Village, contract_id: Id, body: c.Clear, ctx: ContextDep) -> Accepted:
    """Declare the contract cleared: only when every finding is put right."""
    return accepted("economy", await handlers.clear(ctx, contract_id, body), contract_id)
