"""Settings of the economy service (env prefix ECONOMY_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings


class EconomySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ECONOMY_", extra="ignore")

    service_name: str = "economy"
    # Read for economy's copy of deliberations (四议两公开 citations).
    party_topic: str = "party.events"
