"""``party-ops``: the operators' commands for the party service (the kit's: verify a village's
chain, tail its events, list and replay parked events, rebuild a projection, show lag)."""

from __future__ import annotations

from xiangzhi.ops import ops_app

from .app import PARTS
from .settings import PartySettings

app = ops_app(PartySettings, PARTS)
