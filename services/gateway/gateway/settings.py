"""Settings of the gateway service (env prefix GATEWAY_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    # The gateway owns no events: nothing to relay.
    relay_enabled: bool = False
