"""County scale: a county's year of events — 3 million over 300 villages by default — rebuilt
into every read model of every service, beside this machine's raw consumption of the same
topics in the same run.

The events are what a year of the county makes most of: residents' issues through their
lifecycle (raised, assigned, resolved, confirmed: grid), party members' scores (party),
income entries (economy) and remediation actions (livelihood), each built with the services'
own event models and published as the relays publish (CloudEvents, binary mode, keyed by
village, each village's chainseqs in order). Each service then rebuilds every read model it
keeps — its own and its copies of other services' events (party's copy of grid, the
deliberation copies) — with the kit's rebuild (``ops rebuild``), the four services at once,
each in its own process as they run. Policies are not read models and are left out: a policy
replayed decides nothing twice.

    uv run python -m bench.county_rebuild [--events 3000000] [--villages 300]
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from typing import Any

from xiangzhi import db
from xiangzhi.envelope import Envelope
from xiangzhi.outbox import producer
from xiangzhi.projection import Policy, ProjectionRunner
from xiangzhi.registry import EventPayload
from xiangzhi.store import EventStore

from bench.common import (
    Endpoints,
    Measure,
    arg,
    fresh_database,
    fresh_topic,
    raw_consume,
    report,
    run,
)

SERVICES = ("grid", "party", "economy", "livelihood")
# What a year of a county is made of, by share of its events.
SHARES = {"grid": 0.70, "party": 0.15, "economy": 0.10, "livelihood": 0.05}
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


def _grid(village: str, n: int) -> Iterator[EventPayload]:
    from grid.domain import events as g

    issue = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{village}/issue/{n}"))
    raised = YEAR_START + timedelta(minutes=n * 37 % 500_000)
    yield g.IssueRaised(
        issue_id=issue, grid_id=f"{village}{n % 4 + 1}{n % 10 + 1:02d}", category="water_leak",
        title=f"漏水点{n}", description="自来水管漏水", raised_by=f"resident-{n % 900}",
        channel="app", raised_at=raised, due_at=raised + timedelta(hours=48),
    )  # fmt: skip
    yield g.IssueAssigned(issue_id=issue, assignee_kind="chief", assignee_id=f"chief-{n % 40}")
    yield g.IssueResolved(
        issue_id=issue, resolution="已修复", resolved_by=g.Resolver(party_member_id=f"pm-{n % 44}")
    )
    yield g.IssueConfirmed(
        issue_id=issue, satisfaction=n % 5 + 1, confirmed_by=f"resident-{n % 900}",
        resolver_party_member_id=f"pm-{n % 44}",
    )  # fmt: skip


def _party(village: str, n: int) -> Iterator[EventPayload]:
    from party.domain import events as p

    yield p.MemberScored(
        member_id=f"pm-{n % 44}", rule_id="resolved_issue", rule_version=1,
        points=Decimal("2.00"), period=2026, reason=f"解决群众诉求 {n}",
        source_event_id=f"grid-issue:{village}-{n}",
    )  # fmt: skip


def _economy(village: str, n: int) -> Iterator[EventPayload]:
    from economy.domain import events as e

    yield e.IncomeRecorded(
        entry_id=f"entry-{n}", source="contract_fee", amount_yuan=Decimal("6428.57"), year=2026,
        received_on=date(2026, 1, 1) + timedelta(days=n % 365), reference=f"收据{n}",
    )  # fmt: skip


def _livelihood(village: str, n: int) -> Iterator[EventPayload]:
    from livelihood.domain import events as lv

    yield lv.RemediationRecorded(
        action_id=f"action-{n}", campaign_id="campaign-2026", kind="weeds_cleared", count=3,
        done_on=date(2026, 1, 1) + timedelta(days=n % 365),
    )  # fmt: skip


MAKERS = {"grid": _grid, "party": _party, "economy": _economy, "livelihood": _livelihood}
PER_UNIT = {"grid": 4, "party": 1, "economy": 1, "livelihood": 1}


async def _produce(bootstrap: str, topics: dict[str, str], villages: list[str], total: int) -> int:
    kafka = producer(bootstrap)
    await kafka.start()
    made = 0
    try:
        for service in SERVICES:
            units = int(total * SHARES[service]) // PER_UNIT[service]
            seq = dict.fromkeys(villages, 0)
            pending = []
            for n in range(units):
                village = villages[n % len(villages)]
                for payload in MAKERS[service](village, n):
                    seq[village] += 1
                    envelope = Envelope.model_construct(
                        specversion="1.0", datacontenttype="application/json", id=uuid.uuid4(),
                        source=f"/xiangzhi/{service}", type=payload.event_type,
                        subject=f"{service}-{n}", time=datetime.now(UTC), village=village,
                        chainseq=seq[village], streamversion=1, correlationid="bench",
                        causationid=None, actor="bench", hash="0" * 64, prevhash="0" * 64,
                        data=payload.to_data(),
                    )  # fmt: skip
                    key, value, headers = envelope.to_kafka()
                    pending.append(
                        await kafka.send(topics[service], value=value, key=key, headers=headers)
                    )
                    made += 1
                if len(pending) >= 20_000:
                    await asyncio.gather(*pending)
                    pending.clear()
            await asyncio.gather(*pending)
    finally:
        await kafka.stop()
    return made


def _settings(service: str, dsn: str, bootstrap: str, topics: dict[str, str]) -> Any:
    settings_class = next(
        getattr(import_module(f"{service}.settings"), name)
        for name in dir(import_module(f"{service}.settings"))
        if name.lower() == f"{service}settings"
    )
    others = {f"{s}_topic": t for s, t in topics.items() if s != service}
    return settings_class(
        postgres_dsn=dsn, kafka_bootstrap=bootstrap, events_topic=topics[service], **others
    )


async def _worker(service: str) -> None:
    """One service's rebuild of every read model it keeps, as ``ops rebuild`` runs it; prints
    what it read and how long it took, as JSON, for the parent."""
    dsn, bootstrap = os.environ["XZ_REBUILD_DSN"], os.environ["XZ_REBUILD_BOOTSTRAP"]
    topics = json.loads(os.environ["XZ_REBUILD_TOPICS"])
    settings = _settings(service, dsn, bootstrap, topics)
    parts = import_module(f"{service}.app").PARTS
    pool = await db.create_pool(dsn, max_size=settings.pool_max_size)
    async with pool.acquire() as conn:
        await db.migrate(conn, [*db.kit_migrations(), *parts.migrations])
    projections = [p for p in parts.projections(settings, EventStore(pool))
                   if not isinstance(p, Policy)]  # fmt: skip
    runners = [
        # As the app builds them (xiangzhi.app._start).
        ProjectionRunner(
            pool,
            bootstrap,
            p,
            group_id=f"{service}.{p.name}",
            dlq_replication_factor=settings.replication_factor,
        )
        for p in projections
    ]
    started = time.perf_counter()
    read = await asyncio.gather(*(r.rebuild() for r in runners))
    elapsed = time.perf_counter() - started
    await pool.close()
    counts = {p.name: n for p, n in zip(projections, read, strict=True)}
    print(json.dumps({"service": service, "seconds": elapsed, "read": counts}))


def _spawn(
    service: str, dsn: str, bootstrap: str, topics: dict[str, str]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.county_rebuild", "--worker", service],
        env={
            **os.environ,
            "XZ_REBUILD_DSN": dsn,
            "XZ_REBUILD_BOOTSTRAP": bootstrap,
            "XZ_REBUILD_TOPICS": json.dumps(topics),
        },
        stdout=subprocess.PIPE,
    )


async def main(ep: Endpoints, events: int, villages: int) -> None:
    codes = [f"141121{100201 + n:06d}" for n in range(villages)]
    async with (
        fresh_topic(ep, "grid.events") as grid_topic,
        fresh_topic(ep, "party.events") as party_topic,
        fresh_topic(ep, "economy.events") as economy_topic,
        fresh_topic(ep, "livelihood.events") as livelihood_topic,
        fresh_database(ep, migrate=False) as grid_dsn,
        fresh_database(ep, migrate=False) as party_dsn,
        fresh_database(ep, migrate=False) as economy_dsn,
        fresh_database(ep, migrate=False) as livelihood_dsn,
    ):
        topics = dict(zip(SERVICES, (grid_topic, party_topic, economy_topic, livelihood_topic),
                          strict=True))  # fmt: skip
        dsns = dict(zip(SERVICES, (grid_dsn, party_dsn, economy_dsn, livelihood_dsn),
                        strict=True))  # fmt: skip
        t0 = time.perf_counter()
        made = await _produce(ep.kafka_bootstrap, topics, codes, events)
        print(f"published {made:,} events in {time.perf_counter() - t0:.0f} s")
        consume = await raw_consume(
            ep.kafka_bootstrap, list(topics.values()), made, "raw aiokafka consume, the four topics"
        )
        started = time.perf_counter()
        # The four rebuilds, started together.
        workers = [_spawn(s, dsns[s], ep.kafka_bootstrap, topics) for s in SERVICES]
        outputs = [await asyncio.to_thread(w.communicate) for w in workers]
        wall = time.perf_counter() - started
        results = []
        for worker, (out, _) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, f"a rebuild failed ({worker.args})"
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
    applied = sum(n for r in results for n in r["read"].values())
    rows: list[tuple[Measure, Measure | None, str]] = [
        (Measure(f"rebuild every read model: {made:,} events, {villages} villages", made, wall,
                 unit="events"), consume, "raw consume of the same topics"),
        (Measure("  read-model applications (copies read other services' topics)", applied,
                 wall, unit="events"), None, ""),
    ]  # fmt: skip
    for r in results:
        for name, n in r["read"].items():
            label = f"  {r['service']}: {name} (over the service's whole rebuild)"
            rows.append((Measure(label, n, r["seconds"], unit="events"),
                         None, ""))  # fmt: skip
    rows.append((consume, None, ""))
    report(
        "county rebuild: every read model from a county's year of events",
        rows,
        targets={rows[0][0].name: ("seconds", "<=", 300)} if made >= 3_000_000 else None,
        notes={"events": made, "villages": villages, "wall_seconds": round(wall, 1),
               "by_service_seconds": {r["service"]: round(r["seconds"], 1) for r in results}},
    )  # fmt: skip


if __name__ == "__main__":
    if "--worker" in sys.argv:
        asyncio.run(_worker(arg("--worker", "")))
    else:
        run(lambda ep: main(ep, int(arg("--events", 3_000_000)), int(arg("--villages", 300))))
