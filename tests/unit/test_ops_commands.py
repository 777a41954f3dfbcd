"""Each service with events has its operators' CLI, with the kit's commands."""

from __future__ import annotations

import pytest
from grid.ops import app as grid_ops
from party.ops import app as party_ops
from typer.testing import CliRunner

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("ops", [grid_ops, party_ops], ids=["grid-ops", "party-ops"])
def test_the_operators_cli_offers_the_kits_commands(ops) -> None:  # type: ignore[no-untyped-def]
    shown = CliRunner().invoke(ops, ["--help"])
    assert shown.exit_code == 0, shown.output
    for command in ("verify", "tail", "parked", "replay", "rebuild", "lag"):
        assert command in shown.output
