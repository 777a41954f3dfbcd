"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base settings: a subclass sets ``service_name`` and ``env_prefix`` (``GRID_`` …)."""

    model_config = SettingsConfigDict(env_prefix="XZ_", extra="ignore")

    service_name: str
    environment: str = Field("development", description="development, test or production")
    kafka_bootstrap: str = "127.0.0.1:19092"
    postgres_dsn: str = "postgresql://xiangzhi:xiangzhi-local@127.0.0.1:15432/postgres"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
