"""economy: contract commands through the gateway, and the import of a 10,000-row register,
each beside this machine's limit measured in the same run (a raw COPY of as many rows into the
event store's table shape), with the same commands straight to the service for the gateway's
share.

A contract command is ``POST …/economy/contracts`` on its own parcel: it reads the asset and the
contract, appends the contract (its contractor's name sealed under a new person's key) and the
asset's term, in one transaction. An import appends three events per row (the asset, the
contract, the term) and a data key per contractor, all in one transaction.

    uv run --group bench python -m bench.economy [--commands 2000] [--rows 10000]
"""

from __future__ import annotations

import asyncio
import sys
import time

import aiohttp
import httpx
from economy.spreadsheet import read_register
from gateway import identity
from gateway.app import PARTS as GATEWAY
from xiangzhi import db, pii
from xiangzhi.auth import generate_keypair

from bench.appends import _raw_copy
from bench.common import (
    Endpoints,
    Measure,
    fresh_database,
    fresh_topic,
    ready,
    report,
    run,
    start_service,
)

CLIENTS = 32
VILLAGE = "141121100201"
HEADER = (
    "合同编号,资产编号,资产类别,资产名称,承包方编号,承包方,承包面积(亩),年承包费(元),"
    "起始日期,终止日期,书面合同"
)


def _contract(prefix: str, n: int) -> dict[str, str]:
    return {
        "contract_id": f"{prefix}-{n}", "asset_id": f"{prefix}-plot-{n}",
        "contractor_id": f"{prefix}-p-{n}", "contractor_name": f"承包户{n}",
        "area_mu": f"{3 + n % 7}.{n % 100:02d}", "annual_fee_yuan": f"{2000 + n % 900}.50",
        "starts_on": "2020-01-01", "ends_on": "2029-12-31",
    }  # fmt: skip


async def _commands(name: str, url: str, token: str, prefix: str, count: int) -> Measure:
    """``count`` contracts, each on its own parcel (registered first, not timed), 32 clients."""
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def each(post: str, bodies: list[dict[str, str]], timed: bool) -> None:
            async def client() -> None:
                while bodies:
                    body = bodies.pop()
                    t0 = time.perf_counter()
                    async with http.post(post, json=body) as response:
                        assert response.status == 201, await response.text()
                        await response.read()
                    if timed:
                        latencies.append((time.perf_counter() - t0) * 1000)

            await asyncio.gather(*(client() for _ in range(CLIENTS)))

        assets = [
            {"asset_id": f"{prefix}-plot-{n}", "kind": "farmland", "name": f"承包地{n}",
             "area_mu": "20.00"}
            for n in range(count)
        ]  # fmt: skip
        await each(f"{url}/assets", assets, timed=False)
        contracts = [_contract(prefix, n) for n in range(count)]
        started = time.perf_counter()
        await each(f"{url}/contracts", contracts, timed=True)
        elapsed = time.perf_counter() - started
    return Measure(name, count, elapsed, latencies, unit="commands")


def _register(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        c = _contract("imp", n)
        lines.append(
            f"{c['contract_id']},{c['asset_id']},耕地,承包地{n},{c['contractor_id']},"
            f"{c['contractor_name']},{c['area_mu']},{c['annual_fee_yuan']},2020-01-01,"
            "2029-12-31,是"
        )
    return ("\n".join(lines) + "\n").encode()


async def main(ep: Endpoints, commands: int, rows: int) -> None:
    private, public = generate_keypair()
    kek = pii.LocalKek.generate()
    async with (
        fresh_database(ep) as economy_dsn,
        fresh_database(ep) as gateway_dsn,
        fresh_database(ep, migrate=False) as keys_dsn,
        fresh_database(ep) as copy_dsn,
        fresh_topic(ep, "economy.events") as topic,
        fresh_topic(ep, "party.events") as party_topic,
    ):
        conn = await db.connect(gateway_dsn)
        await db.migrate(conn, [*db.kit_migrations(), *GATEWAY.migrations])
        await identity.create_user(conn, identity.NewUser(
            "bench-accountant", "bench-password-1", "village_staff", villages=(VILLAGE,),
        ))  # fmt: skip
        await conn.close()
        economy_url, gateway_url = "http://127.0.0.1:18751", "http://127.0.0.1:18752"
        economy = start_service("economy", 18751, {
            "ECONOMY_POSTGRES_DSN": economy_dsn, "ECONOMY_KAFKA_BOOTSTRAP": ep.kafka_bootstrap,
            "ECONOMY_EVENTS_TOPIC": topic, "ECONOMY_PARTY_TOPIC": party_topic,
            "ECONOMY_AUTH_PUBLIC_KEY": public, "ECONOMY_KEYS_DSN": keys_dsn,
            "ECONOMY_KEK": kek, "ECONOMY_LOG_LEVEL": "WARNING",
        })  # fmt: skip
        gateway = start_service("gateway", 18752, {
            "GATEWAY_POSTGRES_DSN": gateway_dsn, "GATEWAY_KAFKA_BOOTSTRAP": ep.kafka_bootstrap,
            "GATEWAY_SIGNING_KEY": private, "GATEWAY_AUTH_PUBLIC_KEY": public,
            "GATEWAY_ECONOMY_URL": economy_url,
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000", "GATEWAY_LOG_LEVEL": "WARNING",
        })  # fmt: skip
        try:
            await ready(economy_url, timeout=60)
            await ready(gateway_url, timeout=60)
            async with httpx.AsyncClient() as http:
                form = {"grant_type": "password", "username": "bench-accountant"}
                form["password"] = "bench-password-1"
                login = await http.post(f"{gateway_url}/api/v1/auth/token", data=form)
            token = login.json()["access_token"]
            through = f"{gateway_url}/api/v1/villages/{VILLAGE}/economy"
            direct = f"{economy_url}/villages/{VILLAGE}"
            await _commands("warm-up", through, token, "warm", 300)
            by_gateway = await _commands(
                "register a contract, through the gateway", through, token, "gw", commands
            )
            straight = await _commands(
                "register a contract, straight to economy", direct, token, "direct", commands
            )
            copy_commands = await _raw_copy(copy_dsn, commands * 2)  # two events a command
            copy_commands.name = f"raw COPY of {commands * 2} events (asyncpg)"
            copy_commands.count = commands  # per command: its two events

            register = _register(rows)
            started = time.perf_counter()
            parsed = read_register(register, "bench.csv", "text/csv")
            parse = Measure(
                "read and check the file only", len(parsed), time.perf_counter() - started,
                unit="rows",
            )  # fmt: skip
            async with httpx.AsyncClient(timeout=600) as http:
                started = time.perf_counter()
                imported = await http.post(
                    f"{through}/contracts/import", content=register,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
                )  # fmt: skip
                elapsed = time.perf_counter() - started
            assert imported.status_code == 201, imported.text
            assert imported.json()["contracts_added"] == rows, imported.text
            importing = Measure(
                f"import a {rows}-row register, through the gateway", rows, elapsed, unit="rows"
            )
        finally:
            for process in (gateway, economy):
                process.terminate()
                process.wait()
        await asyncio.sleep(0.5)
        copy_import = await _raw_copy(copy_dsn, rows * 3)  # three events a row
        copy_import.name = f"raw COPY of {rows * 3} events (asyncpg)"
        copy_import.count = rows
    report(
        "economy: contract commands and the import of a register",
        [
            (by_gateway, copy_commands, "raw COPY of their events"),
            (by_gateway, straight, "the same commands straight to economy"),
            (straight, copy_commands, "raw COPY of their events"),
            (importing, copy_import, "raw COPY of its events"),
            (importing, parse, "reading and checking the file alone"),
        ],
    )


if __name__ == "__main__":
    args = sys.argv
    count = int(args[args.index("--commands") + 1]) if "--commands" in args else 2000
    rows = int(args[args.index("--rows") + 1]) if "--rows" in args else 10000
    run(lambda ep: main(ep, count, rows))
