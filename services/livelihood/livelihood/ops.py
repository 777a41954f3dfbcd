"""``livelihood-ops``: the operators' commands for the livelihood service (the kit's)."""

from __future__ import annotations

from xiangzhi.ops import ops_app

from .app import PARTS
from .settings import LivelihoodSettings

app = ops_app(LivelihoodSettings, PARTS)
