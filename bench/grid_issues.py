"""grid: raise-issue commands over HTTP, and the time from a command to its issue being
visible in the read model (a read with the command's consistency token, answered
``X-Consistency: caught-up``).

The service runs as ``make run`` runs it (its own uvicorn process, token checks on, the key
service sealing personal data). Two kinds of load:

- closed: 32 clients raising as fast as the service answers, in one village (its ceiling);
- open: a steady rate (``--rate``, default 200 commands/s) for ``--seconds``, every command
  followed by its read, in one village and spread over 50. Latencies run from the moment each
  command was due, so a service that falls behind pays for the wait (no coordinated omission).

Beside them, in the same run: GET /health on the same server, this machine's ceiling for one
HTTP round trip through the service.

    uv run --group bench python -m bench.grid_issues [--commands 3000] [--rate 200] [--seconds 20]
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import time
import uuid
from collections.abc import Sequence

import aiohttp
from grid import demo
from xiangzhi import db
from xiangzhi.store import EventStore
from xiangzhi.testing.tokens import Signer

from bench.common import (
    Endpoints,
    Measure,
    arg,
    fresh_database,
    fresh_topic,
    histogram,
    key_service,
    prefixed,
    profiled,
    quantiles,
    ready,
    report,
    run,
    start_service,
)

CLIENTS = 32
VILLAGE = demo.DONGZHUANG
VILLAGES = [VILLAGE, *(f"141121{n:06d}" for n in range(100202, 100251))]

SIGNER = Signer()


async def _serve(
    ep: Endpoints, dsn: str, topic: str, livelihood: str, port: int, keys: dict[str, str]
) -> subprocess.Popen[bytes]:
    server = start_service("grid", port, {
        **prefixed("grid", keys),
        "GRID_POSTGRES_DSN": dsn, "GRID_KAFKA_BOOTSTRAP": ep.kafka_bootstrap,
        "GRID_EVENTS_TOPIC": topic, "GRID_LIVELIHOOD_TOPIC": livelihood,
        "GRID_LOG_LEVEL": "WARNING", "GRID_AUTH_PUBLIC_KEY": SIGNER.public_pem,
    })  # fmt: skip
    await ready(f"http://127.0.0.1:{port}")
    return server


def _session(base: str, limit: int = CLIENTS) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base, connector=aiohttp.TCPConnector(limit=limit), timeout=aiohttp.ClientTimeout(30)
    )


async def _health(base: str, requests: int) -> Measure:
    latencies: list[float] = []
    queue = list(range(requests))
    async with _session(base) as http:

        async def client() -> None:
            while queue:
                queue.pop()
                t0 = time.perf_counter()
                async with http.get("/health") as response:
                    response.raise_for_status()
                    await response.read()
                latencies.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    return Measure("GET /health (HTTP ceiling)", requests, elapsed, latencies, unit="requests")


# A resident raising in their own name, with a token as the gateway would sign it.
HEADERS = {
    v: SIGNER.headers("resident", villages=[v], person_id=f"bench-resident-{v}") for v in VILLAGES
}


async def _one(
    http: aiohttp.ClientSession,
    village: str,
    n: int,
    *,
    read: bool,
    at: float | None = None,
    answered: list[float] | None = None,
) -> None:
    micro = f"{village}{(n % 4 + 1) * 100 + n % 10 + 1:03d}"
    async with http.post(f"/villages/{village}/issues", headers=HEADERS[village], json={
        "issue_id": str(uuid.uuid4()), "grid_id": micro, "category": "water_leak",
        "title": f"漏水点{n}", "description": "自来水管漏水", "address": f"{n}号",
    }) as response:  # fmt: skip
        assert response.status == 201, await response.text()
        body = await response.json()
    if answered is not None and at is not None:
        answered.append((time.perf_counter() - at) * 1000)
    if read:
        async with http.get(
            f"/villages/{village}/issues/{body['id']}",
            headers={**HEADERS[village], "X-Consistency-Token": body["consistency_token"]},
        ) as answer:
            await answer.read()
            assert answer.status == 200, (answer.status, answer.headers, await answer.text())
            assert answer.headers.get("X-Consistency") == "caught-up", answer.headers


async def _closed(base: str, commands: int) -> tuple[Measure, Measure]:
    """CLIENTS clients as fast as they are answered; every fifth command is read back."""
    command_ms: list[float] = []
    visible_ms: list[float] = []
    queue = list(range(commands))
    async with _session(base) as http:

        async def client() -> None:
            while queue:
                n = queue.pop()
                t0 = time.perf_counter()
                await _one(http, VILLAGE, n, read=n % 5 == 0)
                (visible_ms if n % 5 == 0 else command_ms).append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    return (
        Measure("raise issue, 32 clients, one village", commands, elapsed, command_ms,
                unit="commands"),
        Measure("  command → visible (1 in 5 read back)", len(visible_ms), elapsed, visible_ms,
                unit="commands"),
    )  # fmt: skip


async def _open(
    base: str, villages: Sequence[str], rate: float, seconds: float
) -> tuple[Measure, Measure]:
    """A steady ``rate`` of commands, each read back with its token; latency from when it was
    due, so a backlog shows."""
    total = int(rate * seconds)
    visible_ms: list[float] = []
    command_ms: list[float] = []
    failures: list[BaseException] = []
    counter = itertools.count()
    async with _session(base, limit=512) as http:

        async def due(n: int, at: float) -> None:
            try:
                village = villages[n % len(villages)]
                await _one(http, village, n, read=True, at=at, answered=command_ms)
                visible_ms.append((time.perf_counter() - at) * 1000)
            except Exception as exc:  # counted and reported: a failed command is no latency
                failures.append(exc)

        started = time.perf_counter()
        tasks = []
        for n in range(total):
            at = started + n / rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(due(next(counter), at)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} of {total} commands failed: {failures[0]!r}")
    where = "one village" if len(villages) == 1 else f"{len(villages)} villages"
    return (
        Measure(f"command → visible at {rate:.0f}/s, {where}", total, elapsed, visible_ms,
                unit="commands"),
        Measure("  of which the command's own answer (201)", total, elapsed, command_ms,
                unit="commands"),
    )  # fmt: skip


async def _caught_up(base: str, heads: dict[str, int]) -> None:
    """Until the read model holds every village loaded before the service started."""
    token = ",".join(f"grid:{v}:{seq}" for v, seq in sorted(heads.items()))
    async with _session(base) as http:
        for _ in range(60):
            headers = {**HEADERS[VILLAGE], "X-Consistency-Token": token}
            async with http.get(f"/villages/{VILLAGE}/grids", headers=headers) as answer:
                await answer.read()
                if answer.headers.get("X-Consistency") == "caught-up":
                    return
    raise RuntimeError("grid's read model did not catch up with the loaded villages")


async def main(ep: Endpoints, commands: int, rate: float, seconds: float) -> None:
    async with (
        fresh_database(ep) as dsn,
        fresh_topic(ep, "grid.events") as topic,
        fresh_topic(ep, "livelihood.events") as livelihood,
        key_service(ep) as (keystore, keys),
    ):
        pool = await db.create_pool(dsn, min_size=1, max_size=2)
        store = EventStore(pool, keystore)
        for village in VILLAGES:
            await demo.load(store, village)
        heads = await pool.fetch("select village, chain_seq from chain_heads")
        await pool.close()
        port = 18731
        server = await _serve(ep, dsn, topic, livelihood, port, keys)
        try:
            base = f"http://127.0.0.1:{port}"
            await _caught_up(base, {r["village"]: r["chain_seq"] for r in heads})
            await _closed(base, 300)  # warm-up
            health = await _health(base, commands)
            with profiled(server, "grid-closed"):
                raised, visible = await _closed(base, commands)
            metrics = ("xiangzhi_relay_lag_seconds", "xiangzhi_projection_lag_seconds")
            before = [await histogram(base, m) for m in metrics]
            with profiled(server, "grid-open-one-village"):
                steady_one, answered_one = await _open(base, [VILLAGE], rate, seconds)
            steady_many, answered_many = await _open(base, VILLAGES, rate, seconds)
            after = [await histogram(base, m) for m in metrics]
            # Where the steady phases' time went, from the service's own metrics.
            stages = {
                "relay: recorded → Kafka acknowledged": quantiles(after[0], before[0]),
                "projection: recorded → applied": quantiles(after[1], before[1]),
            }
        finally:
            server.terminate()
            server.wait()
    report(
        "grid issues: raise over HTTP, as make run runs grid",
        [
            (raised, health, "GET /health requests/s"),
            (visible, None, ""),
            (steady_one, None, ""),
            (answered_one, None, ""),
            (steady_many, None, ""),
            (answered_many, None, ""),
            (health, None, ""),
        ],
        targets={steady_one.name: ("p99_ms", "<=", 100), steady_many.name: ("p99_ms", "<=", 100)},
        notes={"stages": stages},
    )


if __name__ == "__main__":
    run(
        lambda ep: main(
            ep, int(arg("--commands", 3000)), float(arg("--rate", 200)), float(arg("--seconds", 20))
        )
    )
