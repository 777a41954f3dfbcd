"""财务公开: each village's quarterly statement, readable without logging in, as JSON, CSV or
XLSX. Contractors are not named here: the board at the village office may print names; an
answer on the open internet does not."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from xiangzhi.deps import RuntimeDep, consistent_read

from .. import queries, spreadsheet
from .deps import Village
from .views import StatementView

public = APIRouter(prefix="/villages/{village}", tags=["finance disclosure (财务公开, public)"])
Year = Annotated[int, Path(ge=2000, le=2100)]
Quarter = Annotated[int, Path(ge=1, le=4)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@public.get(
    "/finance/{year}/{quarter}",
    dependencies=[consistent_read("economy")],
    response_model=StatementView,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
async def statement(
    village: Village,
    year: Year,
    quarter: Quarter,
    rt: RuntimeDep,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> Response | StatementView:
    """A quarter's income by source and the contracts cleared in it (``format=csv|xlsx`` to
    download)."""
    view = StatementView(**await queries.statement(rt.pool, village, year, quarter))
    if format == "json":
        return view
    sheet = spreadsheet.Statement(
        village=view.village,
        year=view.year,
        quarter=view.quarter,
        income=[spreadsheet.StatementLine(i.source, i.label, i.amount_yuan) for i in view.income],
        total_yuan=view.total_yuan,
        cleared=[
            spreadsheet.ClearedLine(
                k.contract_id,
                k.asset_id,
                k.asset_kind,
                k.area_mu,
                k.annual_fee_yuan,
                k.recovered_income_yuan,
                k.cleared_on,
            )
            for k in view.cleared
        ],
        cleared_area_mu=view.cleared_area_mu,
        recovered_income_yuan=view.recovered_income_yuan,
    )
    name = f"finance-{village}-{year}-Q{quarter}"
    if format == "csv":
        body, media = spreadsheet.statement_csv(sheet), "text/csv; charset=utf-8"
    else:
        body, media = spreadsheet.statement_xlsx(sheet), XLSX
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )
