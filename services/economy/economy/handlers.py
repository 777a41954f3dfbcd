"""Commands of the economy service: load, decide, append (through the kit).

A contract and the asset it lets are two streams appended in one transaction: two clerks
letting one parcel at once both read the asset at one version, and the second append is a
conflict, never a second contract on the parcel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from xiangzhi import deliberations
from xiangzhi.aggregate import CommandContext, Outcome, StreamKind
from xiangzhi.errors import DomainError, NotFoundError
from xiangzhi.registry import EventPayload
from xiangzhi.store import RecordedEvent, StreamAppend

from .domain import campaigns, contracts, enterprises, income, register
from .domain import commands as c
from .domain.events import RegisterImported, registry

ASSET = StreamKind("asset", per_village=True)
CONTRACT = StreamKind("contract", per_village=True)
CAMPAIGN = StreamKind("campaign", per_village=True)
INCOME = StreamKind("income", per_village=True)
COOP = StreamKind("coop", per_village=True)
ENTERPRISE = StreamKind("enterprise", per_village=True)
IMPORT = StreamKind("register-import", per_village=True)


@dataclass(frozen=True)
class Context(CommandContext):
    """Where and in which transaction an economy command is given (who acts is in the meta)."""

    registry = registry


def today() -> date:
    return datetime.now(UTC).date()


async def _asset(ctx: Context, asset_id: str) -> contracts.Asset:
    history, _ = await ctx.load(ASSET(asset_id, ctx.village))
    return contracts.fold_asset(history)  # type: ignore[arg-type]


async def _contract(ctx: Context, contract_id: str) -> contracts.Contract:
    history, _ = await ctx.load(CONTRACT(contract_id, ctx.village))
    state = contracts.fold(history)  # type: ignore[arg-type]
    if not state.registered:
        raise NotFoundError(f"no contract {contract_id} in village {ctx.village}")
    return state


# ------------------------------------------------------------------ assets and contracts


async def register_asset(ctx: Context, cmd: c.RegisterAsset) -> Outcome:
    return await ctx.execute(
        ASSET(cmd.asset_id, ctx.village),
        fold=contracts.fold_asset,
        decide=lambda s: contracts.register_asset(s, cmd),
    )


async def register_contract(ctx: Context, cmd: c.RegisterContract) -> Outcome:
    """The contract and its term on the asset, together (the asset refuses an overlap)."""
    contracts.check_term(cmd.starts_on, cmd.ends_on, "ends_on")
    async with ctx.transaction() as ctx:
        citation = await deliberations.cited(ctx, cmd.deliberation_id)
        asset = await _asset(ctx, cmd.asset_id)
        outcome = await ctx.execute(
            CONTRACT(cmd.contract_id, ctx.village),
            fold=contracts.fold,
            decide=lambda s: contracts.register(s, cmd, asset=asset, citation=citation),
        )
        let = await ctx.execute(
            ASSET(cmd.asset_id, ctx.village),
            fold=contracts.fold_asset,
            decide=lambda a: contracts.let(
                a, cmd.contract_id, cmd.area_mu, cmd.starts_on, cmd.ends_on
            ),
        )
        return outcome.merged(let)


async def start_campaign(ctx: Context, cmd: c.StartCampaign) -> Outcome:
    return await ctx.execute(
        CAMPAIGN(cmd.campaign_id, ctx.village),
        fold=campaigns.fold,
        decide=lambda s: campaigns.start(s, cmd),
    )


async def review(ctx: Context, contract_id: str, cmd: c.Review) -> Outcome:
    async with ctx.transaction() as ctx:
        history, _ = await ctx.load(CAMPAIGN(cmd.campaign_id, ctx.village))
        started = campaigns.fold(history).started  # type: ignore[arg-type]
        await _contract(ctx, contract_id)
        return await ctx.execute(
            CONTRACT(contract_id, ctx.village),
            fold=contracts.fold,
            decide=lambda s: contracts.review(s, cmd, campaign_open=started, today=today()),
        )


async def rectify(ctx: Context, contract_id: str, cmd: c.Rectify) -> Outcome:
    """A rectification, and the asset's term when it changes (a new end, a termination)."""
    async with ctx.transaction() as ctx:
        citation = await deliberations.cited(ctx, cmd.deliberation_id)
        state = await _contract(ctx, contract_id)
        outcome = await ctx.execute(
            CONTRACT(contract_id, ctx.village),
            fold=contracts.fold,
            decide=lambda s: contracts.rectify(s, cmd, citation=citation, today=today()),
        )
        rectified = outcome.decided[0]
        asset_events: list[Outcome] = []
        starts_on = state.starts_on
        new_end = getattr(rectified, "new_ends_on", None)
        ended = getattr(rectified, "terminated_on", None)
        if new_end is not None and starts_on is not None:
            asset_events.append(
                await ctx.execute(
                    ASSET(state.asset_id, ctx.village),
                    fold=contracts.fold_asset,
                    decide=lambda a: contracts.let(
                        a, contract_id, state.area_mu, starts_on, new_end
                    ),
                )
            )
        if ended is not None:
            asset_events.append(
                await ctx.execute(
                    ASSET(state.asset_id, ctx.village),
                    fold=contracts.fold_asset,
                    decide=lambda a: contracts.release(a, contract_id, ended),
                )
            )
        return outcome.merged(*asset_events)


async def clear(ctx: Context, contract_id: str, cmd: c.Clear) -> Outcome:
    await _contract(ctx, contract_id)
    return await ctx.execute(
        CONTRACT(contract_id, ctx.village),
        fold=contracts.fold,
        decide=lambda s: contracts.clear(s, cmd, today=today()),
    )


# ------------------------------------------------------------------ income


async def record_income(ctx: Context, cmd: c.RecordIncome) -> Outcome:
    if cmd.contract_id:
        await _contract_named(ctx, cmd.contract_id)
    return await ctx.execute(
        INCOME(cmd.entry_id, ctx.village),
        fold=income.fold,
        decide=lambda s: income.record(s, cmd, today=today()),
    )


async def _contract_named(ctx: Context, contract_id: str) -> None:
    try:
        await _contract(ctx, contract_id)
    except NotFoundError as exc:
        raise DomainError(str(exc), field="contract_id") from exc


async def income_recorded(ctx: Context, entry_id: str) -> bool:
    history, _ = await ctx.load(INCOME(entry_id, ctx.village))
    return bool(history)


# ------------------------------------------------------------------ co-operatives, enterprises


async def register_cooperative(ctx: Context, cmd: c.RegisterCooperative) -> Outcome:
    return await ctx.execute(
        COOP(cmd.coop_id, ctx.village),
        fold=enterprises.fold_coop,
        decide=lambda s: enterprises.register_coop(s, cmd, today=today()),
    )


async def record_harvest(ctx: Context, coop_id: str, cmd: c.RecordHarvest) -> Outcome:
    return await ctx.execute(
        COOP(coop_id, ctx.village),
        fold=enterprises.fold_coop,
        decide=lambda s: enterprises.record_harvest(_coop(s, coop_id), cmd, today=today()),
    )


async def record_sale(ctx: Context, coop_id: str, cmd: c.RecordSale) -> Outcome:
    return await ctx.execute(
        COOP(coop_id, ctx.village),
        fold=enterprises.fold_coop,
        decide=lambda s: enterprises.record_sale(_coop(s, coop_id), cmd, today=today()),
    )


def _coop(state: enterprises.Cooperative, coop_id: str) -> enterprises.Cooperative:
    if not state.coop_id:
        raise NotFoundError(f"no co-operative {coop_id}")
    return state


async def register_enterprise(ctx: Context, cmd: c.RegisterEnterprise) -> Outcome:
    return await ctx.execute(
        ENTERPRISE(cmd.enterprise_id, ctx.village),
        fold=enterprises.fold_enterprise,
        decide=lambda s: enterprises.register_enterprise(s, cmd),
    )


async def record_employment(ctx: Context, enterprise_id: str, cmd: c.RecordEmployment) -> Outcome:
    def existing(state: enterprises.Enterprise) -> Sequence[EventPayload]:
        if not state.enterprise_id:
            raise NotFoundError(f"no enterprise {enterprise_id}")
        return enterprises.record_employment(state, cmd, today=today())

    return await ctx.execute(
        ENTERPRISE(enterprise_id, ctx.village), fold=enterprises.fold_enterprise, decide=existing
    )


# ------------------------------------------------------------------ import of a register


@dataclass(frozen=True)
class Imported:
    import_id: str
    rows: int
    contracts_added: int
    assets_added: int
    already_imported: bool
    recorded: list[RecordedEvent]


async def import_register(
    ctx: Context, data: bytes, rows: Sequence[register.Row], filename: str | None
) -> Imported:
    """The file's rows decided together (``domain.register``) and appended in one go: all of
    them, or (on any refusal, each named by its row) none.

    The file's SHA-256 names the import, so the same file again adds nothing.
    """
    import_id = hashlib.sha256(data).hexdigest()
    async with ctx.transaction() as ctx:
        marker = IMPORT(import_id, ctx.village)
        assets = {str(ASSET(r.contract.asset_id, ctx.village)): r.contract.asset_id for r in rows}
        held = {str(CONTRACT(r.contract.contract_id, ctx.village)): r.contract.contract_id
                for r in rows}  # fmt: skip
        loaded = await ctx.load_many([marker, *assets, *held])
        done, version = loaded[str(marker)]
        if version:
            first = done[0]
            assert isinstance(first, RegisterImported)
            return Imported(import_id, first.rows, 0, 0, True, [])
        plan = register.plan(
            rows,
            {a: contracts.fold_asset(loaded[s][0]) for s, a in assets.items()},  # type: ignore[arg-type]
            {c: contracts.fold(loaded[s][0]) for s, c in held.items()},  # type: ignore[arg-type]
        )
        if plan.refused:
            raise RegisterRefusedError(
                f"{len(plan.refused)} row(s) refused: nothing was imported",
                field="file",
                errors=[{"row": r.row, "column": r.column, "message": r.message}
                        for r in plan.refused],
            )  # fmt: skip
        summary = RegisterImported(
            import_id=import_id,
            filename=filename,
            rows=len(rows),
            contracts_added=plan.contracts_added,
            assets_added=plan.assets_added,
        )
        appends = [
            *(
                StreamAppend(str(ASSET(a, ctx.village)), loaded[str(ASSET(a, ctx.village))][1], e)
                for a, e in plan.assets.items()
            ),
            *(StreamAppend(str(CONTRACT(c, ctx.village)), 0, e) for c, e in plan.contracts.items()),
            StreamAppend(str(marker), 0, [summary]),
        ]
        recorded = await ctx.append_many(appends)
        return Imported(
            import_id, len(rows), plan.contracts_added, plan.assets_added, False, recorded
        )


class RegisterRefusedError(DomainError):
    title = "The file was not imported"
