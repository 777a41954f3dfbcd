"""The committed permission table (docs/permissions.md) is the one the services enforce, and
every command route of every service names a permission of its service's table.

Regenerate with: uv run python -m tests.docs.test_permissions_doc
"""

from __future__ import annotations

from pathlib import Path

import pytest
from economy.app import PARTS as ECONOMY_PARTS
from economy.domain.permissions import PERMISSIONS as ECONOMY
from fastapi.routing import APIRoute
from gateway.permissions import PERMISSIONS as GATEWAY
from grid.app import PARTS as GRID_PARTS
from grid.domain.permissions import PERMISSIONS as GRID
from livelihood.app import PARTS as LIVELIHOOD_PARTS
from livelihood.domain.permissions import PERMISSIONS as LIVELIHOOD
from party.app import PARTS as PARTY_PARTS
from party.domain.permissions import PERMISSIONS as PARTY
from xiangzhi import guard
from xiangzhi.permissions import as_markdown

pytestmark = pytest.mark.unit

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
TABLES = (GATEWAY, GRID, PARTY, ECONOMY, LIVELIHOOD)


def generated() -> str:
    return as_markdown(TABLES)


def test_the_committed_table_is_the_enforced_one() -> None:
    assert COMMITTED.read_text() == generated(), (
        "run: uv run python -m tests.docs.test_permissions_doc"
    )


def test_every_permission_of_a_service_is_required_by_one_of_its_routes() -> None:
    """No dead rows: each permission of a service's table guards a route."""
    for parts, table in (
        (GRID_PARTS, GRID),
        (PARTY_PARTS, PARTY),
        (ECONOMY_PARTS, ECONOMY),
        (LIVELIHOOD_PARTS, LIVELIHOOD),
    ):
        required = {
            permission.name
            for router in (*parts.routers, *parts.public_read_routers)
            for route in router.routes
            if isinstance(route, APIRoute)
            and (permission := guard.permission_of(route)) is not None
        }
        assert required == {p.name for p in table}, table.service


if __name__ == "__main__":
    COMMITTED.write_text(generated())
    print(f"wrote {COMMITTED}")
