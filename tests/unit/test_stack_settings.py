"""The launcher's settings become the broker's and the topics' configuration."""

from __future__ import annotations

import socket

import pytest
from xiangzhi.testing.harness import NetworkAccessInUnitTestError
from xiangzhi_stack import kafka, topics
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
