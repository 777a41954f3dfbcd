"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base settings: a subclass sets ``service_name`` and ``env_prefix`` (``GRID_`` …)."""

    model_config = SettingsConfigDict(env_prefix="XZ_", extra="ignore")

    service_name: str
    environment: Literal["development", "test", "production"] = "development"
    kafka_bootstrap: str = "127.0.0.1:19092"
    postgres_dsn: str = "postgresql://xiangzhi:xiangzhi-local@127.0.0.1:15432/postgres"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    pool_max_size: int = 20
    # The service's own topic; other services' topics are named by the projections.
    events_topic: str | None = None
    relay_enabled: bool = True
    projections_enabled: bool = True
    # Per environment, like the topics': 1 on one local broker, 3 in production.
    replication_factor: int = 1
    # How long a read that carries a consistency token may wait for the projection.
    consistency_timeout: float = 5.0
    log_level: str = "INFO"
    log_json: bool = True
    # The gateway's Ed25519 public key (PEM). When set, every village route demands a valid
    # access token and refuses villages outside its scope; production refuses to start without.
    auth_public_key: str | None = None
    auth_issuer: str = "xiangzhi-gateway"
    auth_audience: str = "xiangzhi"

    @model_validator(mode="after")
    def _production_is_authenticated(self) -> Self:
        if self.environment == "production" and not self.auth_public_key:
            raise ValueError("auth_public_key is required in production")
        return self

    @property
    def topic(self) -> str:
        return self.events_topic or f"{self.service_name}.events"
