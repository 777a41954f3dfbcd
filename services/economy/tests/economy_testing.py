"""Helpers for the economy service's tests: signed headers of the roles that act, and the
economy and party services built as the launcher builds them (only ports and folders differ)."""

from __future__ import annotations

from typing import Any

from xiangzhi.testing.tokens import Signer

DONGZHUANG = "141121100201"
SIGNER = Signer()


def as_(role: str, person_id: str, village: str = DONGZHUANG) -> dict[str, str]:
    """The headers of ``person_id`` acting in ``role`` in ``village``."""
    return SIGNER.headers(role, villages=[village], person_id=person_id)


SECRETARY = as_("village_secretary", "sec")
ACCOUNTANT = as_("village_staff", "kuaiji")


def contract(
    contract_id: str, asset_id: str, *, area: str = "6.37", fee: str = "3200.00", **extra: Any
) -> dict[str, Any]:
    """A contract from the books on ``asset_id``, 2019–2028, by a villager of its own."""
    return {
        "contract_id": contract_id,
        "asset_id": asset_id,
        "contractor_id": f"p-{contract_id}",
        "contractor_name": f"承包户{contract_id}",
        "area_mu": area,
        "annual_fee_yuan": fee,
        "starts_on": "2019-01-01",
        "ends_on": "2028-12-31",
        **extra,
    }
