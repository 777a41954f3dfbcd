"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Self
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The password of the local stack and of docker-compose's trial setup; public, in this repository.
DEFAULT_POSTGRES_PASSWORD = "xiangzhi-local"  # noqa: S105 - it is the one a deployment must not use


def dsn_password(dsn: str) -> str | None:
    """The password inside a PostgreSQL URL or key=value connection string, if it has one."""
    if "://" in dsn:
        url = urlsplit(dsn)
        # libpq takes the password from the query string too (``?password=…``).
        from_query = parse_qs(url.query).get("password")
        if from_query:
            return from_query[-1]
        return None if url.password is None else unquote(url.password)
    found = re.findall(r"\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", dsn)
    return found[-1].strip("'") if found else None


class ServiceSettings(BaseSettings):
    """Base settings: a subclass sets ``service_name`` and ``env_prefix`` (``GRID_`` …)."""

    model_config = SettingsConfigDict(env_prefix="XZ_", extra="ignore")

    service_name: str
    environment: Literal["development", "test", "production"] = "development"
    kafka_bootstrap: str = "127.0.0.1:19092"
    postgres_dsn: str = (
        f"postgresql://xiangzhi:{DEFAULT_POSTGRES_PASSWORD}@127.0.0.1:15432/postgres"
    )
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
    # The gateway's Ed25519 public key (PEM). Every village route demands a valid access token
    # and refuses villages outside its scope: a service with routes refuses to start without
    # it (``xiangzhi.app``), in every environment.
    auth_public_key: str | None = None
    # The same key as a file (a mounted secret, as in docker-compose); used when
    # auth_public_key is not given.
    auth_public_key_file: Path | None = None
    # The key service (``xiangzhi.keys``): its database, and the key-encryption key (32 bytes,
    # base64) that wraps every person's data key, or the file it is in (a mounted secret). A
    # service whose events hold personal data refuses to start without them.
    keys_dsn: str | None = None
    kek: SecretStr | None = None
    kek_file: Path | None = None
    auth_issuer: str = "xiangzhi-gateway"
    auth_audience: str = "xiangzhi"

    @model_validator(mode="after")
    def _public_key_from_file(self) -> Self:
        if self.auth_public_key is None and self.auth_public_key_file is not None:
            try:
                self.auth_public_key = self.auth_public_key_file.read_text()
            except (OSError, UnicodeDecodeError) as exc:
                # Failing here names the setting; carrying on would serve without authentication.
                raise ValueError(
                    f"auth_public_key_file: cannot read {self.auth_public_key_file}: {exc}"
                ) from exc
            if not self.auth_public_key.strip():
                raise ValueError(f"auth_public_key_file: {self.auth_public_key_file} is empty")
        return self

    @model_validator(mode="after")
    def _kek_from_file(self) -> Self:
        if self.kek is None and self.kek_file is not None:
            try:
                self.kek = SecretStr(self.kek_file.read_text().strip())
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"kek_file: cannot read {self.kek_file}: {exc}") from exc
        return self

    @model_validator(mode="after")
    def _production_is_authenticated(self) -> Self:
        if self.environment == "production" and not self.auth_public_key:
            raise ValueError("auth_public_key is required in production")
        return self

    @model_validator(mode="after")
    def _production_has_its_own_password(self) -> Self:
        # The default password is in this repository for anyone to read.
        if self.environment != "production":
            return self
        for name, dsn in (("postgres_dsn", self.postgres_dsn), ("keys_dsn", self.keys_dsn)):
            if dsn is not None and dsn_password(dsn) == DEFAULT_POSTGRES_PASSWORD:
                raise ValueError(
                    f"{name}: production refuses the default database password "
                    f"{DEFAULT_POSTGRES_PASSWORD!r}; set the service's own password"
                )
        return self

    @property
    def topic(self) -> str:
        return self.events_topic or f"{self.service_name}.events"
