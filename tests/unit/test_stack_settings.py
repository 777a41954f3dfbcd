"""The launcher's settings become the broker's and the topics' configuration."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from gateway.settings import GatewaySettings
from xiangzhi.services import UPSTREAM_NAMES
from xiangzhi.testing.harness import NetworkAccessInUnitTestError
from xiangzhi.testing.providers import StackProvider, load_provider
from xiangzhi_stack import kafka, platform, providers, topics
from xiangzhi_stack.config import StackSettings


def test_topics_keep_events_forever() -> None:
    configs = topics.topic_configs(StackSettings())
    assert configs["retention.ms"] == "-1"
    assert configs["retention.bytes"] == "-1"
    assert configs["cleanup.policy"] == "delete"


@pytest.mark.parametrize(("replicas", "min_isr"), [(1, "1"), (3, "2")])
def test_replication_follows_the_environment(replicas: int, min_isr: str) -> None:
    settings = StackSettings(topic_replication_factor=replicas)
    assert topics.topic_configs(settings)["min.insync.replicas"] == min_isr
    props = kafka.broker_properties(settings)
    assert props["offsets.topic.replication.factor"] == str(replicas)
    assert props["transaction.state.log.min.isr"] == min_isr


def test_one_node_is_broker_and_controller_on_the_configured_ports() -> None:
    settings = StackSettings(kafka_port=29092, kafka_controller_port=29093)
    props = kafka.server_properties(settings)
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:29093"
    assert props["auto.create.topics.enable"] == "false"
    assert props["log.dirs"].startswith(str(settings.state_dir))


def test_container_env_is_the_image_spelling_of_the_broker_settings() -> None:
    env = kafka.container_env(StackSettings(topic_partitions=12))
    assert env["KAFKA_NUM_PARTITIONS"] == "12"
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert all(key.startswith("KAFKA_") and key.isupper() for key in env)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XZ_STACK_POSTGRES_PORT", "25432")
    monkeypatch.setenv("XZ_STACK_SERVICE_PORTS", '{"grid": 9001}')
    settings = StackSettings()
    assert settings.postgres_dsn("grid").endswith("@127.0.0.1:25432/grid")
    assert settings.service_ports == {"grid": 9001}


def test_a_unit_test_cannot_open_a_connection() -> None:
    with pytest.raises(NetworkAccessInUnitTestError):
        socket.create_connection(("127.0.0.1", 9))
    with socket.socket() as s, pytest.raises(NetworkAccessInUnitTestError):
        s.connect(("127.0.0.1", 9))


def test_the_gateway_reads_the_upstream_urls_the_launcher_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = StackSettings(state_dir=tmp_path, service_ports={"grid": 9101, "party": 9102})
    env = platform._service_env(settings, "gateway", 9100)
    for name in UPSTREAM_NAMES:
        monkeypatch.delenv(f"GATEWAY_{name.upper()}_URL", raising=False)
    for key in ("GATEWAY_GRID_URL", "GATEWAY_PARTY_URL"):
        monkeypatch.setenv(key, env[key])
    upstreams = GatewaySettings().upstreams()
    assert list(upstreams) == list(UPSTREAM_NAMES)
    assert upstreams["grid"] == "http://127.0.0.1:9101"
    assert upstreams["party"] == "http://127.0.0.1:9102"
    # Not set by the launcher here: the default, the port `make run` gives the service.
    assert upstreams["economy"] == "http://127.0.0.1:8003"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("local", providers.LocalStack), ("testcontainers", providers.ContainerStack)],
)
def test_the_launcher_registers_the_harness_stack_providers(name: str, kind: type) -> None:
    provider = load_provider(name)
    assert isinstance(provider, kind)
    assert isinstance(provider, StackProvider)
