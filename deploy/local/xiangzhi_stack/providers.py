"""The test harness's stack providers: Kafka and PostgreSQL started with the launcher's settings.

The kit's harness (``xiangzhi.testing.harness``) decides where the servers come from; it finds
these through the ``xiangzhi.stack_providers`` entry points of this package
(deploy/local/pyproject.toml), so that the kit never imports the launcher. Both start the
broker with the launcher's settings (``StackSettings``), as docker-compose.yml does: the three
ways of running are kept equal by deriving them from one place.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from contextlib import ExitStack

from xiangzhi.testing.servers import free_port

from . import lifecycle
from .config import StackSettings
from .kafka import container_env, describe

POSTGRES_IMAGE = "postgres:15"


class LocalStack:
    """The launcher's own stack (``make stack-up``), started natively unless it already runs."""

    def __init__(self) -> None:
        self.settings = StackSettings()
        self.started = False

    def start(self) -> tuple[str, str]:
        self.started = lifecycle.up(self.settings)
        return self.settings.kafka_bootstrap, self.settings.postgres_dsn()

    def stop(self) -> None:
        # Stop what this test run started; a stack that was already up is left as it was, and
        # XZ_KEEP_STACK=1 keeps the one started here for the next run.
        if self.started and not os.environ.get("XZ_KEEP_STACK"):
            lifecycle.down(self.settings)
            self.started = False


class ContainerStack:
    """``apache/kafka`` (KRaft) and ``postgres`` through testcontainers, for a Docker host."""

    def __init__(self) -> None:
        self.settings = StackSettings()
        self._containers = ExitStack()

    def start(self) -> tuple[str, str]:
        # Imported here: testcontainers is a test dependency, not the launcher's.
        from testcontainers.core.container import DockerContainer
        from testcontainers.postgres import PostgresContainer

        try:
            # The broker must advertise the address the tests reach it at, so the host port is
            # fixed before the container starts.
            port = free_port()
            image = f"apache/kafka:{self.settings.kafka_version}"
            kafka = DockerContainer(image).with_bind_ports(9092, port)
            env = {
                **container_env(self.settings),
                "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
                "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://127.0.0.1:{port}",
                "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
            }
            for key, value in env.items():
                kafka.with_env(key, value)
            self._containers.enter_context(kafka)
            postgres = PostgresContainer(
                POSTGRES_IMAGE,
                username="xiangzhi",
                password=secrets.token_hex(12),
                dbname="postgres",
            )
            self._containers.enter_context(postgres)
            dsn = postgres.get_connection_url(driver=None)
            bootstrap = f"127.0.0.1:{port}"
            asyncio.run(_until_kafka_answers(bootstrap))
        except BaseException:
            # The harness only stops a provider that started: remove half-started containers.
            self._containers.close()
            raise
        return bootstrap, dsn

    def stop(self) -> None:
        self._containers.close()


async def _until_kafka_answers(bootstrap: str) -> None:
    for _ in range(240):
        try:
            await describe(bootstrap)
            return
        except Exception:  # still booting
            await asyncio.sleep(0.5)
    raise RuntimeError("the Kafka container did not answer a metadata request")
