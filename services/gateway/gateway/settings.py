"""Settings of the gateway (env prefix GATEWAY_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from xiangzhi import services
from xiangzhi.settings import ServiceSettings


def _default_url(name: str) -> str:
    # Where `make run` starts the service (the kit's list of services names its port).
    return f"http://127.0.0.1:{services.named(name).port}"


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

    # One `<service>_url` per service of the kit's list (GATEWAY_GRID_URL …, as the launcher
    # and compose set them); upstreams() reads them by that name.
    grid_url: str = _default_url("grid")
    party_url: str = _default_url("party")
    economy_url: str = _default_url("economy")
    livelihood_url: str = _default_url("livelihood")
    upstream_timeout_seconds: float = 10.0
    # A POST ending in /import (a register of thousands of rows, appended all or none).
    upstream_import_timeout_seconds: float = 300.0

    # The built web dashboard (web/dist), served at /; the launcher and the image set it.
    web_root: Path | None = None

    # Per user and per API key: a bucket of this many requests, refilled over a minute.
    rate_limit_per_minute: int = 600

    def upstreams(self) -> dict[str, str]:
        """Each service the gateway fronts, in the list's order, and its base URL."""
        return {name: getattr(self, f"{name}_url") for name in services.UPSTREAM_NAMES}


# A service added to the list without its URL setting would be routed to nowhere: fail at import.
_unset = [n for n in services.UPSTREAM_NAMES if f"{n}_url" not in GatewaySettings.model_fields]
if _unset:
    raise RuntimeError(f"GatewaySettings lacks a <service>_url setting for {', '.join(_unset)}")
