"""Settings of the local stack, from the environment (prefix ``XZ_STACK_``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from xiangzhi import services

# deploy/local/xiangzhi_stack/config.py -> the project root is three folders up.
PROJECT_ROOT = Path(__file__).resolve().parents[3]
LOCAL_DIR = PROJECT_ROOT / "deploy" / "local"

# From the kit's one list of services, which compose (through its test) and the gateway read too.
SERVICE_TOPICS = services.TOPICS
SERVICE_DATABASES = services.DATABASES


class StackSettings(BaseSettings):
    """Everything the launcher needs to know; every value can be overridden by env."""

    model_config = SettingsConfigDict(env_prefix="XZ_STACK_", extra="ignore")

    state_dir: Path = PROJECT_ROOT / ".stack"
    # Downloads (the Kafka jars) can be shared between state folders.
    cache_dir: Path | None = None
    host: str = "127.0.0.1"

    kafka_version: str = "4.1.1"
    kafka_port: int = 19092
    kafka_controller_port: int = 19093
    # A single broker on a 2-core, 24 GB machine: 1 GiB of heap is Kafka's own default and
    # leaves the page cache (where Kafka really keeps its data) almost all of the memory.
    kafka_heap: str = "1g"
    kafka_start_timeout: float = 180.0
    topic_partitions: int = 6
    # Per environment: 1 on a single local broker, 3 in production.
    topic_replication_factor: int = 1
    topics: tuple[str, ...] = SERVICE_TOPICS

    postgres_port: int = 15432
    postgres_user: str = "xiangzhi"
    postgres_password: SecretStr = SecretStr("xiangzhi-local")
    postgres_os_user: str = "postgres"
    databases: tuple[str, ...] = SERVICE_DATABASES

    gateway_port: int = services.GATEWAY.port
    # The web dashboard as `make web` builds it; the gateway serves it at /.
    web_root: Path = PROJECT_ROOT / "web" / "dist"
    # The services behind the gateway; the launcher points the gateway at these ports.
    service_ports: dict[str, int] = Field(
        default_factory=lambda: {s.name: s.port for s in services.UPSTREAMS}
    )

    # `make run` restarts a crashed service after restart_delay, doubling up to
    # restart_max_delay; back to restart_delay once it stayed up restart_reset_after seconds.
    # It gives up on a service that crashed restart_limit_burst times within
    # restart_limit_interval seconds (systemd's StartLimitBurst / StartLimitIntervalSec).
    restart_delay: float = Field(default=0.5, gt=0)
    restart_max_delay: float = Field(default=10.0, gt=0)
    restart_reset_after: float = Field(default=30.0, ge=0)
    restart_limit_burst: int = Field(default=5, ge=1)
    restart_limit_interval: float = Field(default=60.0, gt=0)

    @cached_property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @cached_property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def kafka_dir(self) -> Path:
        return self.state_dir / "kafka"

    @property
    def kafka_libs(self) -> Path:
        return (self.cache_dir or self.state_dir / "cache") / f"kafka-{self.kafka_version}"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    def postgres_dsn(self, database: str = "postgres") -> str:
        password = self.postgres_password.get_secret_value()
        return (
            f"postgresql://{self.postgres_user}:{password}@{self.host}:"
            f"{self.postgres_port}/{database}"
        )

    @property
    def min_insync_replicas(self) -> int:
        # With three replicas an acknowledged write survives the loss of one broker.
        return 1 if self.topic_replication_factor < 3 else 2
