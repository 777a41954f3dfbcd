"""Settings of the gateway (env prefix GATEWAY_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from xiangzhi.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    # The gateway owns no events: nothing to relay.
    relay_enabled: bool = False

    # The Ed25519 signing key (PEM), given inline or as a file. In development a missing key
    # is generated for the life of the process (tokens then die with it).
    signing_key: SecretStr | None = None
    signing_key_file: Path | None = None
    access_token_seconds: int = 900
    refresh_token_days: int = 30

    grid_url: str = "http://127.0.0.1:8001"
    party_url: str = "http://127.0.0.1:8002"
    economy_url: str = "http://127.0.0.1:8003"
    livelihood_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = 10.0

    # Per user and per API key: a bucket of this many requests, refilled over a minute.
    rate_limit_per_minute: int = 600

    def upstreams(self) -> dict[str, str]:
        return {
            "grid": self.grid_url,
            "party": self.party_url,
            "economy": self.economy_url,
            "livelihood": self.livelihood_url,
        }
