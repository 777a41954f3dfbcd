"""Settings of the livelihood service (env prefix LIVELIHOOD_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings


class LivelihoodSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LIVELIHOOD_", extra="ignore")

    service_name: str = "livelihood"
