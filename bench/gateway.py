"""gateway: one read through the gateway and the same read straight to the service, in one
run — requests per second, p50/p99, and the gateway's overhead as a ratio.

    uv run --group bench python -m bench.gateway [--requests 3000]
"""

from __future__ import annotations

import asyncio
import sys
import time

import aiohttp
import httpx
from gateway import identity
from gateway.app import PARTS as GATEWAY
from grid import demo
from xiangzhi import db
from xiangzhi.auth import generate_keypair
from xiangzhi.store import EventStore

from bench.common import (
    Endpoints,
    Measure,
    fresh_database,
    fresh_topic,
    key_service,
    prefixed,
    profiled,
    ready,
    report,
    run,
    start_service,
)

CLIENTS = 32
VILLAGE = demo.DONGZHUANG


async def _reads(name: str, url: str, token: str, requests: int) -> Measure:
    latencies: list[float] = []
    queue = list(range(requests))
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client() -> None:
            while queue:
                queue.pop()
                t0 = time.perf_counter()
                async with http.get(url, headers=headers) as response:
                    assert response.status == 200, await response.text()
                    await response.read()
                latencies.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    return Measure(name, requests, elapsed, latencies, unit="requests")


async def main(ep: Endpoints, requests: int) -> None:
    private, public = generate_keypair()
    async with (
        fresh_database(ep) as grid_dsn,
        fresh_database(ep) as gateway_dsn,
        fresh_topic(ep, "grid.events") as topic,
        fresh_topic(ep, "livelihood.events") as livelihood,
        key_service(ep) as (keys, key_settings),
    ):
        pool = await db.create_pool(grid_dsn, min_size=1, max_size=2)
        await demo.load(EventStore(pool, keys), VILLAGE)
        await pool.close()
        conn = await db.connect(gateway_dsn)
        await db.migrate(conn, [*db.kit_migrations(), *GATEWAY.migrations])
        await identity.create_user(conn, identity.NewUser(
            "bench-clerk", "bench-password-1", "village_staff", villages=(VILLAGE,),
        ))  # fmt: skip
        await conn.close()
        grid_url, gateway_url = "http://127.0.0.1:18741", "http://127.0.0.1:18742"
        grid = start_service("grid", 18741, {
            "GRID_POSTGRES_DSN": grid_dsn, "GRID_KAFKA_BOOTSTRAP": ep.kafka_bootstrap,
            "GRID_EVENTS_TOPIC": topic, "GRID_LIVELIHOOD_TOPIC": livelihood,
            "GRID_AUTH_PUBLIC_KEY": public, "GRID_LOG_LEVEL": "WARNING",
            **prefixed("grid", key_settings),
        })  # fmt: skip
        gateway = start_service("gateway", 18742, {
            "GATEWAY_POSTGRES_DSN": gateway_dsn, "GATEWAY_KAFKA_BOOTSTRAP": ep.kafka_bootstrap,
            "GATEWAY_SIGNING_KEY": private, "GATEWAY_AUTH_PUBLIC_KEY": public,
            "GATEWAY_GRID_URL": grid_url,
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000", "GATEWAY_LOG_LEVEL": "WARNING",
        })  # fmt: skip
        try:
            await ready(grid_url)
            await ready(gateway_url)
            async with httpx.AsyncClient() as http:
                form = {"grant_type": "password", "username": "bench-clerk"}
                form["password"] = "bench-password-1"
                login = await http.post(f"{gateway_url}/api/v1/auth/token", data=form)
            token = login.json()["access_token"]
            through = f"{gateway_url}/api/v1/villages/{VILLAGE}/grid/volunteer-teams"
            direct = f"{grid_url}/villages/{VILLAGE}/volunteer-teams"
            await _reads("warm-up", through, token, 300)
            await _reads("warm-up", direct, token, 300)
            straight = await _reads(
                "GET volunteer-teams, straight to grid", direct, token, requests
            )
            with profiled(gateway, "gateway"), profiled(grid, "grid-behind-gateway"):
                gateway_read = await _reads(
                    "GET volunteer-teams, through the gateway", through, token, requests
                )
        finally:
            for process in (gateway, grid):
                process.terminate()
                process.wait()
    report(
        "gateway: one read, through the gateway and straight to the service",
        [(gateway_read, straight, "the direct rate"), (straight, None, "")],
        targets={gateway_read.name: ("ratio", ">=", 0.85)},
        notes={
            "p99 through / p99 direct": round(
                gateway_read.as_dict()["p99_ms"] / straight.as_dict()["p99_ms"],
                3,  # type: ignore[operator]
            ),
            "target for it": "<= 1.15",
        },
    )


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 3000
    run(lambda ep: main(ep, count))
