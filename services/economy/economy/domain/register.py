"""An imported register decided as a whole (pure): every row against the assets and contracts
the village already has and against the rows before it, every refusal named by its row.

The same rules as one command at a time — an asset registered once, terms that never meet, a
contract registered once (the same terms again are skipped: a register re-exported with new
rows) — decided in memory, so the whole file is appended in one go or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from xiangzhi.errors import DomainError
from xiangzhi.registry import EventPayload

from . import contracts
from .commands import RegisterAsset, RegisterContract


@dataclass(frozen=True)
class Row:
    row: int
    contract: RegisterContract
    asset: RegisterAsset | None = None


@dataclass(frozen=True)
class Refusal:
    row: int
    column: str
    message: str


@dataclass
class Plan:
    """The events each aggregate gets, in order, and what was refused."""

    assets: dict[str, list[EventPayload]] = field(default_factory=dict)
    contracts: dict[str, list[EventPayload]] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)
    assets_added: int = 0
    contracts_added: int = 0


def plan(
    rows: Sequence[Row],
    assets: Mapping[str, contracts.Asset],
    registered: Mapping[str, contracts.Contract],
    *,
    limit: int = 200,
) -> Plan:
    """What importing ``rows`` appends, given the village's ``assets`` and ``registered``
    contracts (by id; absent ones are new)."""
    out = Plan()
    states = dict(assets)
    for item in rows:
        if len(out.refused) >= limit:
            break
        try:
            _one(item, states, registered, out)
        except DomainError as exc:
            out.refused.append(
                Refusal(item.row, str(exc.extensions.get("field") or ""), exc.detail)
            )
    return out


def _one(
    item: Row,
    states: dict[str, contracts.Asset],
    registered: Mapping[str, contracts.Contract],
    out: Plan,
) -> None:
    cmd = item.contract
    asset = states.get(cmd.asset_id, contracts.Asset(asset_id=cmd.asset_id))
    new: list[EventPayload] = []
    if item.asset is not None:
        if not asset.registered:
            new += contracts.register_asset(asset, item.asset)
        elif asset.kind != item.asset.kind:
            raise DomainError(
                f"asset {cmd.asset_id} is registered as {asset.kind}", field="asset_kind"
            )
    for event in new:
        asset = contracts.evolve_asset(asset, event)  # type: ignore[arg-type]
    existing = registered.get(cmd.contract_id)
    if existing is not None and existing.registered:
        if not _same_terms(existing, cmd):
            raise DomainError(
                f"contract {cmd.contract_id} is registered with other terms", field="contract_id"
            )
        return  # already in the register: skipped
    if cmd.contract_id in out.contracts:
        raise DomainError(f"contract {cmd.contract_id} is twice in the file", field="contract_id")
    registered_now = contracts.register(
        contracts.Contract(), cmd, asset=asset, citation=None, imported=True
    )
    let = contracts.let(asset, cmd.contract_id, cmd.area_mu, cmd.starts_on, cmd.ends_on)
    for event in let:
        asset = contracts.evolve_asset(asset, event)
    states[cmd.asset_id] = asset
    out.assets.setdefault(cmd.asset_id, []).extend([*new, *let])
    out.contracts[cmd.contract_id] = list(registered_now)
    out.assets_added += len(new)
    out.contracts_added += 1


def _same_terms(state: contracts.Contract, cmd: RegisterContract) -> bool:
    return (
        state.asset_id == cmd.asset_id
        and state.area_mu == cmd.area_mu
        and state.starts_on == cmd.starts_on
        and (state.ends_on == cmd.ends_on or state.campaign_id is not None)
    )
