"""Settings of the party service (env prefix PARTY_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings


class PartySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTY_", extra="ignore")

    service_name: str = "party"
    # Read for the policies that score what members do in the grids.
    grid_topic: str = "grid.events"
