"""Up and down for the whole local stack; the CLI, `make run` and the test harness share these."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from . import kafka, platform, postgres, procs, topics
from .config import StackSettings

Say = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


def is_up(settings: StackSettings) -> bool:
    return all(
        procs.running(settings.run_dir, name) is not None for name in (kafka.NAME, postgres.NAME)
    )


def up(settings: StackSettings, say: Say = _quiet) -> bool:
    """Start Kafka and PostgreSQL unless ours run; True if this call started anything.

    Returns only when Kafka answers a metadata request and PostgreSQL accepts connections.
    """
    # While the broker boots, aiokafka logs every refused connection as an error.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    was_up = is_up(settings)
    try:
        t0 = time.monotonic()
        pg = postgres.start(settings)
        pg_address = f"{settings.host}:{settings.postgres_port}"
        say(f"PostgreSQL pid {pg.pid} on {pg_address} ({time.monotonic() - t0:.1f}s)")
        t1 = time.monotonic()
        k = kafka.start(settings)
        say(f"Kafka pid {k.pid} on {settings.kafka_bootstrap} ({time.monotonic() - t1:.1f}s)")
        created = asyncio.run(topics.ensure_service_topics(settings))
    except BaseException:
        if not was_up:
            # A half-started stack is worse than none: stop what this call started.
            down(settings)
        raise
    if created:
        say(f"topics created: {', '.join(created)}")
    return not was_up


def down(settings: StackSettings, say: Say = _quiet) -> None:
    """Stop the services, then Kafka, then PostgreSQL — each only if this launcher started it."""
    for name in platform.stop_services(settings):
        say(f"stopped {name}")
    if kafka.stop(settings):
        say("stopped kafka")
    if postgres.stop(settings):
        say("stopped postgres")
