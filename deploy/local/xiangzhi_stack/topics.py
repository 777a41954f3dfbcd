"""The services' event topics, created from settings: events are kept forever."""

from __future__ import annotations

from xiangzhi.kafka_admin import RETAIN_FOREVER, ensure_topics

from .config import StackSettings


def topic_configs(settings: StackSettings) -> dict[str, str]:
    return {**RETAIN_FOREVER, "min.insync.replicas": str(settings.min_insync_replicas)}


async def ensure_service_topics(settings: StackSettings) -> list[str]:
    return await ensure_topics(
        settings.kafka_bootstrap,
        settings.topics,
        partitions=settings.topic_partitions,
        replication_factor=settings.topic_replication_factor,
        configs=topic_configs(settings),
    )
