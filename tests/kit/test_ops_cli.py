"""The operators' CLI on the real stack: verify a chain (and name a tampered event), list and
replay parked events, rebuild, lag."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner
from xiangzhi import db
from xiangzhi.app import ServiceParts
from xiangzhi.ops import ops_app
from xiangzhi.projection import ProjectionRunner
from xiangzhi.settings import ServiceSettings
from xiangzhi.store import EventStore

from tests.kit.helpers import append_events, eventually, publish_all
from tests.kit.ledger import LedgerProjection

A = "141121100201"


async def test_operator_commands(
    store: EventStore, pool: db.Pool, pg_dsn: str, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("economy.events")
    events = await append_events(
        store, [(A, {"amount": "1.00"}), (A, {"amount": "2.00", "poison": True, "title": "x"})]
    )
    await publish_all(pg_dsn, kafka_bootstrap, topic)
    settings = ServiceSettings(
        service_name="economy",
        postgres_dsn=pg_dsn,
        kafka_bootstrap=kafka_bootstrap,
        events_topic=topic,
    )
    projection = LedgerProjection([topic])
    parts = ServiceParts(projections=lambda s, store: [projection])
    runner = ProjectionRunner(
        pool, kafka_bootstrap, projection, group_id="economy.ledger", retry_delay=0
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    await eventually(lambda: _has_parked(runner), what="the poison event parked")
    stop.set()
    await task

    cli = CliRunner()
    app = ops_app(lambda: settings, parts)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        # The CLI runs its own event loop: keep it off this test's.
        return asyncio.to_thread(cli.invoke, app, list(args))

    ok = await invoke("verify", A)
    assert ok.exit_code == 0, ok.output
    assert "2 events, chain intact" in ok.output

    listed = await invoke("parked", "ledger")
    assert str(events[1].event_id)[:8] in listed.output
    failure_id = (await runner.parked())[0].id
    projection.fixed = True
    replayed = await invoke("replay", "ledger", str(failure_id))
    assert replayed.exit_code == 0, replayed.output
    again = await invoke("replay", "ledger", str(failure_id))
    assert again.exit_code == 1
    assert "replayed" in again.output

    lag = await invoke("lag")
    assert lag.exit_code == 0, lag.output
    assert topic[:20] in lag.output

    rebuilt = await invoke("rebuild", "ledger")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt from 2 events" in rebuilt.output

    async with pool.acquire() as conn:
        await conn.execute("alter table events disable trigger events_append_only")
        await conn.execute("update events set meta = '{}' where event_id = $1", events[0].event_id)
    broken = await invoke("verify")
    assert broken.exit_code == 1
    assert f"chain broken at chain_seq 1 (event {events[0].event_id})" in broken.output


async def _has_parked(runner: ProjectionRunner) -> bool:
    return bool(await runner.parked())
