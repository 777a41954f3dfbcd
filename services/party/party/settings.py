"""Settings of the party service (env prefix PARTY_)."""

from __future__ import annotations

from decimal import Decimal

from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings

from .domain import points


class PartySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTY_", extra="ignore")

    service_name: str = "party"
    # Read for the policies that score what members do in the grids.
    grid_topic: str = "grid.events"
    # Yearly totals at or above each threshold earn one more star (五星党员).
    star_thresholds: tuple[Decimal, ...] = points.DEFAULT_STARS
