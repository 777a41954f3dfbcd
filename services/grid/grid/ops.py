"""``grid-ops``: the operators' commands for the grid service."""

from __future__ import annotations

from xiangzhi.ops import ops_app

from .app import PARTS
from .settings import GridSettings

app = ops_app(GridSettings, PARTS)
