"""Settings of the livelihood service (env prefix LIVELIHOOD_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings


class LivelihoodSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LIVELIHOOD_", extra="ignore")

    service_name: str = "livelihood"
    # Read for the policies (issues needing works, plans' works items) and the copy of
    # deliberations (四议两公开 citations).
    grid_topic: str = "grid.events"
    party_topic: str = "party.events"
