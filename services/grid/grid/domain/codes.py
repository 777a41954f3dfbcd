"""Division codes: a village is 12 digits (county 6 + township 3 + village 3); a grid adds 3."""

from __future__ import annotations

import re

from xiangzhi.errors import DomainError

VILLAGE = re.compile(r"^\d{12}$")
GRID = re.compile(r"^\d{15}$")


def check_grid_in_village(grid_id: str, village: str) -> None:
    if not GRID.match(grid_id):
        raise DomainError(f"grid code {grid_id!r} is not 15 digits", field="grid_id")
    if not grid_id.startswith(village):
        raise DomainError(
            f"grid {grid_id} does not belong to village {village}: a grid code starts with "
            "its village's 12-digit code",
            field="grid_id",
        )
