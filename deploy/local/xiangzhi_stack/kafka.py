"""Apache Kafka 4, one node in KRaft mode (broker and controller combined), run from Maven jars."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from . import procs
from .config import LOCAL_DIR, StackSettings

NAME = "kafka"
MAIN_CLASS = "kafka.Kafka"


def broker_properties(settings: StackSettings) -> dict[str, str]:
    """The broker's settings that do not depend on where it runs.

    docker-compose.yml sets the same values as KAFKA_* variables; a test keeps the two equal.
    """
    rf = str(settings.topic_replication_factor)
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "num.partitions": str(settings.topic_partitions),
        # Topics are created from settings (retention forever); a typo must not create one.
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": str(settings.min_insync_replicas),
        "share.coordinator.state.topic.replication.factor": rf,
        "share.coordinator.state.topic.min.isr": str(settings.min_insync_replicas),
        # One node: nobody else will join the group, so do not wait for them.
        "group.initial.rebalance.delay.ms": "0",
    }


def container_env(settings: StackSettings) -> dict[str, str]:
    """broker_properties as the apache/kafka image takes them: KAFKA_ + upper snake case."""
    return {
        "KAFKA_" + key.upper().replace(".", "_"): value
        for key, value in broker_properties(settings).items()
    }


def server_properties(settings: StackSettings) -> dict[str, str]:
    host = settings.host
    props = broker_properties(settings)
    props.update(
        {
            "listeners": (
                f"PLAINTEXT://{host}:{settings.kafka_port},"
                f"CONTROLLER://{host}:{settings.kafka_controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://{host}:{settings.kafka_port}",
            "controller.quorum.bootstrap.servers": f"{host}:{settings.kafka_controller_port}",
            "log.dirs": str(settings.kafka_dir / "data"),
        }
    )
    return props


def ensure_jars(settings: StackSettings) -> Path:
    """Resolve the broker's jars from Maven Central (cached in ~/.m2) into the stack's cache."""
    libs = settings.kafka_libs
    done = libs / ".complete"
    if done.exists():
        return libs
    if shutil.which("mvn") is None:
        raise procs.StackError("Maven (mvn) is not installed: apt-get install -y maven")
    libs.mkdir(parents=True, exist_ok=True)
    cmd = [
        "mvn", "-B", "-q",
        "-f", str(LOCAL_DIR / "pom.xml"),
        f"-Dkafka.version={settings.kafka_version}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}",
        "-DincludeScope=runtime",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise procs.StackError(f"mvn could not resolve Kafka:\n{result.stdout}\n{result.stderr}")
    done.write_text(settings.kafka_version)
    return libs


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise procs.StackError(
            "Java 17+ is not installed: apt-get install -y openjdk-17-jre-headless"
        )
    return java


def _write_properties(path: Path, props: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in sorted(props.items())))


def _new_cluster_id() -> str:
    # Kafka's Uuid text form: 16 random bytes, URL-safe base64 without padding. One in 64
    # starts with "-", which the storage tool's parser takes for an option: Kafka's own
    # Uuid.randomUuid draws again, and so do we.
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


def _jvm(settings: StackSettings, libs: Path) -> list[str]:
    return [
        _java(),
        f"-Xms{settings.kafka_heap}",
        f"-Xmx{settings.kafka_heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOCAL_DIR / 'log4j2.xml'}",
        f"-Dkafka.logs.dir={settings.log_dir / 'kafka'}",
        "-cp",
        f"{libs}/*",
    ]


def format_storage(settings: StackSettings, libs: Path, config: Path) -> None:
    if (settings.kafka_dir / "data" / "meta.properties").exists():
        return
    cmd = [
        *_jvm(settings, libs),
        "kafka.tools.StorageTool", "format", "--standalone",
        "--cluster-id", _new_cluster_id(),
        "--config", str(config),
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise procs.StackError(f"kafka storage format failed:\n{result.stdout}\n{result.stderr}")


def start(settings: StackSettings) -> procs.ProcessRecord:
    """Start the broker unless ours already runs; return when it answers a metadata request."""
    existing = procs.running(settings.run_dir, NAME)
    if existing is not None:
        wait_ready(settings, existing)
        return existing
    libs = ensure_jars(settings)
    config = settings.kafka_dir / "server.properties"
    _write_properties(config, server_properties(settings))
    format_storage(settings, libs, config)
    record = procs.spawn(
        settings.run_dir,
        NAME,
        [*_jvm(settings, libs), MAIN_CLASS, str(config)],
        log=settings.log_dir / "kafka" / "stdout.log",
        # The config path is unique to this state folder, so another project's broker
        # (or a reused pid) is never mistaken for ours.
        marker=f"{MAIN_CLASS} {config}",
    )
    wait_ready(settings, record)
    return record


def wait_ready(settings: StackSettings, record: procs.ProcessRecord) -> None:
    deadline = time.monotonic() + settings.kafka_start_timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if record.has_exited():
            raise procs.StackError(
                f"Kafka exited during start-up; last lines of {record.log}:\n"
                f"{procs.tail(record.log)}\n{procs.tail(settings.log_dir / 'kafka' / 'server.log')}"
            )
        try:
            asyncio.run(describe(settings.kafka_bootstrap))
            return
        except Exception as exc:  # not answering yet: any client error means "try again"
            last_error = exc
            time.sleep(0.5)
    raise procs.StackError(
        f"Kafka did not answer within {settings.kafka_start_timeout}s: {last_error}"
    )


async def describe(bootstrap: str) -> dict[str, object]:
    """A metadata request: the brokers and the topics the cluster knows."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        topics = await admin.list_topics()
    finally:
        await admin.close()
    return {"brokers": cluster.get("brokers", []), "topics": sorted(topics)}


def stop(settings: StackSettings) -> bool:
    # SIGTERM is Kafka's controlled shutdown; it flushes and closes the logs cleanly.
    return procs.stop(settings.run_dir, NAME, timeout=60.0)
