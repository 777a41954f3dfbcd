"""grid: raise-issue commands per second over HTTP, and the time from a command to its issue
being visible in the read model (a read with the command's consistency token).

The service runs as its own uvicorn process; 32 concurrent clients raise issues across the
village's 40 micro-grids. Beside it, in the same run: GET /health on the same server, this
machine's ceiling for one HTTP round trip through the service.

    uv run --group bench python -m bench.grid_issues [--commands 3000]
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid

import aiohttp
from grid import demo
from xiangzhi import db
from xiangzhi.store import EventStore
from xiangzhi.testing.tokens import Signer

from bench.common import (
    Endpoints,
    Measure,
    fresh_database,
    fresh_topic,
    key_service,
    prefixed,
    ready,
    report,
    run,
)

CLIENTS = 32
VILLAGE = demo.DONGZHUANG

SIGNER = Signer()


async def _serve(
    ep: Endpoints, dsn: str, topic: str, livelihood: str, port: int, keys: dict[str, str]
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, **prefixed("grid", keys),
        "GRID_POSTGRES_DSN": dsn, "GRID_KAFKA_BOOTSTRAP": ep.kafka_bootstrap,
        "GRID_EVENTS_TOPIC": topic, "GRID_LIVELIHOOD_TOPIC": livelihood,
        "GRID_LOG_LEVEL": "WARNING", "GRID_AUTH_PUBLIC_KEY": SIGNER.public_pem,
    }  # fmt: skip
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurement
        [sys.executable, "-m", "uvicorn", "grid.app:create_app", "--factory", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    await ready(f"http://127.0.0.1:{port}")
    return server


def _session(base: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base, connector=aiohttp.TCPConnector(limit=CLIENTS), timeout=aiohttp.ClientTimeout(30)
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


async def _raise(base: str, commands: int) -> tuple[Measure, Measure]:
    command_ms: list[float] = []
    visible_ms: list[float] = []
    queue = list(range(commands))
    # A resident raising in their own name, with a token as the gateway would sign it.
    headers = SIGNER.headers("resident", villages=[VILLAGE], person_id="bench-resident")
    async with _session(base) as http:

        async def client() -> None:
            while queue:
                n = queue.pop()
                micro = f"{VILLAGE}{(n % 4 + 1) * 100 + n % 10 + 1:03d}"
                t0 = time.perf_counter()
                async with http.post(f"/villages/{VILLAGE}/issues", headers=headers, json={
                    "issue_id": str(uuid.uuid4()), "grid_id": micro, "category": "water_leak",
                    "title": f"漏水点{n}", "description": "自来水管漏水", "address": f"{n}号",
                    "raised_by": "bench-resident",
                }) as response:  # fmt: skip
                    assert response.status == 201, await response.text()
                    body = await response.json()
                command_ms.append((time.perf_counter() - t0) * 1000)
                if n % 5 == 0:  # a sample: command sent → the read model shows it
                    async with http.get(
                        f"/villages/{VILLAGE}/issues/{body['id']}",
                        headers={**headers, "X-Consistency-Token": body["consistency_token"]},
                    ) as read:
                        await read.read()
                        assert read.headers.get("X-Consistency") == "caught-up", read.headers
                    visible_ms.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    return (
        Measure("raise issue over HTTP (201)", commands, elapsed, command_ms, unit="commands"),
        Measure(
            "command → visible in the read model (sampled 1 in 5)",
            len(visible_ms), elapsed, visible_ms, unit="commands",
        ),
    )  # fmt: skip


async def main(ep: Endpoints, commands: int) -> None:
    async with (
        fresh_database(ep) as dsn,
        fresh_topic(ep, "grid.events") as topic,
        fresh_topic(ep, "livelihood.events") as livelihood,
        key_service(ep) as (keystore, keys),
    ):
        pool = await db.create_pool(dsn, min_size=1, max_size=2)
        async with pool.acquire() as conn:
            await db.migrate(conn, db.kit_migrations())
        await demo.load(EventStore(pool, keystore), VILLAGE)
        await pool.close()
        port = 18731
        server = await _serve(ep, dsn, topic, livelihood, port, keys)
        try:
            base = f"http://127.0.0.1:{port}"
            await _raise(base, 200)  # warm-up
            health = await _health(base, commands)
            raised, visible = await _raise(base, commands)
        finally:
            server.terminate()
            server.wait()
    report(
        "grid issues: 32 HTTP clients, one village",
        [(raised, health, "GET /health requests/s"), (visible, None, ""), (health, None, "")],
    )


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--commands") + 1]) if "--commands" in sys.argv else 3000
    run(lambda ep: main(ep, count))
