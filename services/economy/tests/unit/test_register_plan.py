"""An imported register decided as a whole: every row against the village's register and the
rows before it, each refusal named by its row; nothing partial."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from economy.domain import contracts, register
from economy.domain.commands import RegisterAsset, RegisterContract
from economy.domain.events import AssetContracted, AssetRegistered, ContractRegistered


def _row(n: int, asset: str, *, kind: str | None = "farmland", **terms: Any) -> register.Row:
    contract = RegisterContract.model_validate({
        "contract_id": f"c-{n}", "asset_id": asset, "contractor_id": f"p-{n}",
        "contractor_name": f"户{n}", "area_mu": "4.00", "annual_fee_yuan": "2000.00",
        "starts_on": "2020-01-01", "ends_on": "2029-12-31", **terms,
    })  # fmt: skip
    made = RegisterAsset(asset_id=asset, kind=kind, name=f"地{asset}") if kind else None  # type: ignore[arg-type]
    return register.Row(n + 1, contract, made)


def test_new_assets_and_contracts_each_get_their_events() -> None:
    plan = register.plan([_row(1, "a1"), _row(2, "a2"), _row(3, "a1", starts_on="2030-01-01",
                                                               ends_on="2039-12-31")], {}, {})  # fmt: skip
    assert plan.refused == []
    assert (plan.assets_added, plan.contracts_added) == (2, 3)
    assert [type(e) for e in plan.assets["a1"]] == [
        AssetRegistered,
        AssetContracted,
        AssetContracted,
    ]
    assert all(isinstance(e[0], ContractRegistered) for e in plan.contracts.values())
    assert plan.contracts["c-1"][0].origin == "import"  # type: ignore[attr-defined]


def test_overlaps_in_the_file_and_with_the_register_are_refused_by_row() -> None:
    existing = contracts.fold_asset([
        AssetRegistered(asset_id="a9", kind="pond", name="坑塘"),
        AssetContracted(asset_id="a9", contract_id="old", area_mu=Decimal("4.00"),
                        starts_on=date(2015, 1, 1), ends_on=date(2024, 12, 31)),
    ])  # fmt: skip
    rows = [
        _row(1, "a1"),
        _row(2, "a1", starts_on="2029-12-31", ends_on="2031-12-31"),  # meets c-1's last day
        _row(3, "a9", kind=None, starts_on="2024-06-01"),  # meets the register's contract
        _row(4, "a9", kind="farmland", starts_on="2025-01-01"),  # a pond is not farmland
        _row(5, "zz", kind=None),  # an asset nobody registered
    ]
    plan = register.plan(rows, {"a9": existing}, {})
    assert [(r.row, r.column) for r in plan.refused] == [
        (3, "starts_on"), (4, "starts_on"), (5, "asset_kind"), (6, "asset_id"),
    ]  # fmt: skip
    assert "c-1" in plan.refused[0].message and "old" in plan.refused[1].message


def test_a_contract_already_registered_is_skipped_on_the_same_terms_refused_on_others() -> None:
    first = register.plan([_row(1, "a1")], {}, {})
    asset = contracts.fold_asset(first.assets["a1"])  # type: ignore[arg-type]
    held = {"c-1": contracts.fold(first.contracts["c-1"])}  # type: ignore[arg-type]
    again = register.plan([_row(1, "a1")], {"a1": asset}, held)
    assert (again.refused, again.contracts_added, again.assets) == ([], 0, {})
    changed = register.plan([_row(1, "a1", area_mu="5.00")], {"a1": asset}, held)
    assert [(r.row, r.column) for r in changed.refused] == [(2, "contract_id")]
