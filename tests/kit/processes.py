"""Kit components run as processes of their own, so that a test can kill -9 them.

python -m tests.kit.processes relay DSN BOOTSTRAP TOPIC [--stall-before-delete]
python -m tests.kit.processes ledger DSN BOOTSTRAP TOPIC
"""

from __future__ import annotations

import asyncio
import sys

from xiangzhi import db, logs
from xiangzhi.outbox import OutboxRelay
from xiangzhi.projection import ProjectionRunner

from tests.kit.ledger import LedgerProjection


class StallingRelay(OutboxRelay):
    """Stops dead after Kafka acknowledged a batch and before the outbox forgets it."""

    async def forget(self, conn: db.Connection, positions: list[int]) -> None:
        print(f"produced {len(positions)}", flush=True)
        await asyncio.Event().wait()


async def relay(dsn: str, bootstrap: str, topic: str, stall: bool) -> None:
    cls = StallingRelay if stall else OutboxRelay
    await cls(dsn, bootstrap, service="grid", topic=topic, batch_size=100).run(asyncio.Event())


async def ledger(dsn: str, bootstrap: str, topic: str) -> None:
    pool = await db.create_pool(dsn)
    runner = ProjectionRunner(pool, bootstrap, LedgerProjection([topic]), batch_max=200)
    await runner.run(asyncio.Event())


def main() -> None:
    role, dsn, bootstrap, topic, *flags = sys.argv[1:]
    logs.configure(role)
    if role == "relay":
        asyncio.run(relay(dsn, bootstrap, topic, "--stall-before-delete" in flags))
    elif role == "ledger":
        asyncio.run(ledger(dsn, bootstrap, topic))
    else:
        raise SystemExit(f"unknown role {role}")


if __name__ == "__main__":
    main()
