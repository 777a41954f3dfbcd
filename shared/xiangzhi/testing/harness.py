"""The test harness: the real Kafka and PostgreSQL for integration tests, no I/O for unit tests.

Where the servers come from, in order:
  (a) ``XZ_TEST_KAFKA_BOOTSTRAP`` and ``XZ_TEST_POSTGRES_DSN`` name running servers;
  (b) a reachable Docker engine: testcontainers starts ``apache/kafka`` (KRaft) and ``postgres``;
  (c) otherwise the project's local launcher starts them natively (``deploy/local``).
(b) and (c) are stack providers that deploy registers (``xiangzhi.testing.providers``): the kit
knows the order, deploy knows how to run the servers with the project's settings.
Each test gets its own database and its own topics, with unique names, so tests run in any order.

Loaded by pytest through the ``pytest11`` entry point of the kit.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from xiangzhi.kafka_admin import RETAIN_FOREVER, delete_topics, ensure_topics
from xiangzhi.pii import LocalKek
from xiangzhi.testing.providers import NoStackProviderError, load_provider

INTEGRATION_FIXTURES = {
    "stack",
    "pg_dsn",
    "pg",
    "make_topic",
    "make_database",
    "kafka_bootstrap",
    "key_service",
}


@dataclass(frozen=True)
class Stack:
    kafka_bootstrap: str
    postgres_dsn: str  # a superuser's DSN to the maintenance database
    origin: str  # "env", "testcontainers" or "local"

    def dsn_for(self, database: str) -> str:
        head, _, _ = self.postgres_dsn.rpartition("/")
        return f"{head}/{database}"


# ---------------------------------------------------------------- markers and the no-I/O rule


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test ``unit`` or ``integration``; a test that is neither is a collection error."""
    for item in items:
        uses_stack = bool(INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())))
        in_unit_dir = f"{os.sep}unit{os.sep}" in str(item.path)
        if uses_stack and not item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.integration)
        elif in_unit_dir and not item.get_closest_marker("unit"):
            item.add_marker(pytest.mark.unit)
        if item.get_closest_marker("unit") and item.get_closest_marker("integration"):
            raise pytest.UsageError(f"{item.nodeid}: a test is unit or integration, not both")
        if not (item.get_closest_marker("unit") or item.get_closest_marker("integration")):
            raise pytest.UsageError(
                f"{item.nodeid}: mark it unit (no I/O) or integration (uses the stack fixtures)"
            )


class NetworkAccessInUnitTestError(AssertionError):
    pass


@pytest.fixture(autouse=True)
def _unit_tests_do_no_io(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit test that opens a network connection fails: domain logic is pure."""
    if request.node.get_closest_marker("unit") is None:
        return

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NetworkAccessInUnitTestError(f"{request.node.nodeid} opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# ---------------------------------------------------------------- where the servers come from


def _from_env() -> Stack | None:
    kafka = os.environ.get("XZ_TEST_KAFKA_BOOTSTRAP")
    dsn = os.environ.get("XZ_TEST_POSTGRES_DSN")
    if kafka and dsn:
        return Stack(kafka, dsn, "env")
    if kafka or dsn:
        raise pytest.UsageError(
            "set both XZ_TEST_KAFKA_BOOTSTRAP and XZ_TEST_POSTGRES_DSN, or neither"
        )
    return None


def docker_engine_reachable() -> bool:
    if os.environ.get("XZ_TEST_NO_DOCKER"):
        return False
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
        return True
    except Exception:  # no engine, no socket, no permission: all mean "not here"
        return False


def _start_provider(origin: str, resources: ExitStack) -> Stack:
    """Start the servers with the provider deploy registers under ``origin``."""
    try:
        provider = load_provider(origin)
    except NoStackProviderError as exc:
        raise pytest.UsageError(str(exc)) from exc
    kafka_bootstrap, postgres_dsn = provider.start()
    resources.callback(provider.stop)
    return Stack(kafka_bootstrap, postgres_dsn, origin)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The real Kafka and PostgreSQL for this test session."""
    with ExitStack() as resources:
        found = _from_env()
        if found is None:
            origin = "testcontainers" if docker_engine_reachable() else "local"
            found = _start_provider(origin, resources)
        yield found


@pytest.fixture
def kafka_bootstrap(stack: Stack) -> str:
    return stack.kafka_bootstrap


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


# ---------------------------------------------------------------- per-test resources


MakeDatabase = Callable[[], Awaitable[str]]


@pytest.fixture
async def make_database(stack: Stack) -> AsyncIterator[MakeDatabase]:
    """Fresh databases of this test's own (one per service it runs), dropped afterwards."""
    made: list[str] = []

    async def make() -> str:
        name = unique_name("t")
        admin = await asyncpg.connect(stack.postgres_dsn)
        try:
            await admin.execute(f'create database "{name}"')
        finally:
            await admin.close()
        made.append(name)
        return stack.dsn_for(name)

    yield make
    admin = await asyncpg.connect(stack.postgres_dsn)
    try:
        for name in made:
            await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


@pytest.fixture
async def pg_dsn(make_database: MakeDatabase) -> str:
    """A fresh database of this test's own, dropped afterwards."""
    return await make_database()


@pytest.fixture
async def key_service(make_database: MakeDatabase) -> dict[str, str]:
    """A key service of this test's own: the settings a service is given (``**key_service``),
    its database and a fresh key-encryption key, as the launcher gives them."""
    return {"keys_dsn": await make_database(), "kek": LocalKek.generate()}


@pytest.fixture
async def pg(pg_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(pg_dsn)
    yield conn
    await conn.close()


MakeTopic = Callable[..., Awaitable[str]]


@pytest.fixture
async def make_topic(stack: Stack) -> AsyncIterator[MakeTopic]:
    """Create topics with unique names (retention forever, like the services' own)."""
    created: list[str] = []

    async def make(base: str = "events", *, partitions: int = 3) -> str:
        name = f"t.{uuid.uuid4().hex[:12]}.{base}"
        await ensure_topics(
            stack.kafka_bootstrap,
            [name],
            partitions=partitions,
            replication_factor=1,
            configs=dict(RETAIN_FOREVER),
        )
        created.append(name)
        return name

    yield make
    if created:
        await delete_topics(stack.kafka_bootstrap, created)


def project_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "docker-compose.yml").exists() and (parent / "deploy").is_dir():
            return parent
    raise RuntimeError("project root not found above the kit")
