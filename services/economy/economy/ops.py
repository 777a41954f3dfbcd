"""``economy-ops``: the operators' commands for the economy service (the kit's: verify a
village's chain, tail its events, list and replay parked events, rebuild a projection, …)."""

from __future__ import annotations

from xiangzhi.ops import ops_app

from .app import PARTS
from .settings import EconomySettings

app = ops_app(EconomySettings, PARTS)
