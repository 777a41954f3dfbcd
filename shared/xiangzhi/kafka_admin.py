"""Topic administration: the one place topics are created, for the launcher, the tests and ops."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

# An event log is the system of record: nothing is ever deleted by age or size.
RETAIN_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


async def ensure_topics(
    bootstrap: str,
    names: Iterable[str],
    *,
    partitions: int,
    replication_factor: int,
    configs: dict[str, str],
) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        name=n,
                        num_partitions=partitions,
                        replication_factor=replication_factor,
                        topic_configs=configs,
                    )
                    for n in missing
                ]
            )
        return missing
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, names: Iterable[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        await admin.delete_topics(list(names))
    finally:
        await admin.close()


async def partitions_of(bootstrap: str, topics: Iterable[str]) -> dict[str, list[int]]:
    """Each topic's partition numbers, from a metadata request."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    result: dict[str, list[int]] = {}
    for topic in described:
        if topic.get("error_code"):
            raise RuntimeError(f"topic {topic.get('topic')}: error {topic['error_code']}")
        result[topic["topic"]] = sorted(p["partition"] for p in topic["partitions"])
    return result


async def topic_config(bootstrap: str, name: str) -> dict[str, str]:
    """The topic's effective configuration as the broker reports it."""
    from aiokafka.admin import ConfigResource, ConfigResourceType

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    finally:
        await admin.close()
    result: dict[str, str] = {}
    for response in responses:
        for resource in response.resources:
            # (error_code, error_message, resource_type, resource_name, config_entries)
            for entry in resource[4]:
                result[entry[0]] = entry[1]
    return result
