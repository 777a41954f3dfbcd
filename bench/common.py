"""What every benchmark shares: the stack, a database of its own, percentiles, the report."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvloop
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.table import Table
from xiangzhi import db, pii
from xiangzhi.kafka_admin import RETAIN_FOREVER, delete_topics, ensure_topics
from xiangzhi.keys import KeyStore

RESULTS = Path(__file__).resolve().parent / "results"
console = Console(width=170)


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    postgres_dsn: str


def endpoints() -> Endpoints:
    """The servers named by XZ_TEST_* variables, or the local stack (started if needed)."""
    kafka, dsn = os.environ.get("XZ_TEST_KAFKA_BOOTSTRAP"), os.environ.get("XZ_TEST_POSTGRES_DSN")
    if kafka and dsn:
        return Endpoints(kafka, dsn)
    from xiangzhi_stack import lifecycle
    from xiangzhi_stack.config import StackSettings

    settings = StackSettings()
    lifecycle.up(settings)
    return Endpoints(settings.kafka_bootstrap, settings.postgres_dsn())


@asynccontextmanager
async def fresh_database(ep: Endpoints, *, migrate: bool = True) -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ep.postgres_dsn)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    dsn = ep.postgres_dsn.rpartition("/")[0] + "/" + name
    if migrate:
        conn = await db.connect(dsn)
        await db.migrate(conn, db.kit_migrations())
        await conn.close()
    try:
        yield dsn
    finally:
        admin = await asyncpg.connect(ep.postgres_dsn)
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.close()


@asynccontextmanager
async def fresh_topic(ep: Endpoints, base: str, partitions: int = 6) -> AsyncIterator[str]:
    name = f"bench.{uuid.uuid4().hex[:8]}.{base}"
    await ensure_topics(
        ep.kafka_bootstrap, [name], partitions=partitions, replication_factor=1,
        configs=dict(RETAIN_FOREVER),
    )  # fmt: skip
    try:
        yield name
    finally:
        await delete_topics(ep.kafka_bootstrap, [name])


def pct(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Measure:
    name: str
    count: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    unit: str = "events"

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name, "count": self.count, "seconds": round(self.seconds, 3),
            "per_second": round(self.rate, 1), "unit": self.unit,
        }  # fmt: skip
        if self.latencies_ms:
            out |= {
                "p50_ms": round(pct(self.latencies_ms, 50), 3),
                "p95_ms": round(pct(self.latencies_ms, 95), 3),
                "p99_ms": round(pct(self.latencies_ms, 99), 3),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 3),
            }
        return out


# A target of issue 15 on one row: (figure, "<=" or ">=", value), figure one of the row's keys
# (``ratio``, ``p99_ms``, ``per_second`` …). The report and the summary say whether it holds.
Target = tuple[str, str, float]


def meets(row: dict[str, Any], target: Target) -> bool:
    figure, op, value = target
    got = row.get(figure)
    if got is None:
        return False
    return bool(got <= value) if op == "<=" else bool(got >= value)


def target_text(row: dict[str, Any]) -> str:
    target = row.get("target")
    if not target:
        return ""
    figure, op, value = target
    return f"{figure} {op} {value:g}: {'met' if meets(row, tuple(target)) else 'NOT met'}"


def report(
    title: str,
    rows: list[tuple[Measure, Measure | None, str]],
    *,
    targets: dict[str, Target] | None = None,
    notes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Each measure beside its limit or peer, as a ratio; written to ``bench/results/<slug>.json``
    (what ``bench.summary`` and docs/performance.md read)."""
    targets = targets or {}
    table = Table(title=title)
    for column in ("measure", "count", "per second", "p50 ms", "p99 ms", "against", "ratio",
                   "target"):  # fmt: skip
        table.add_column(column, justify="right" if column != "measure" else "left")
    record = []
    for ours, limit, relation in rows:
        d = ours.as_dict()
        row = {**d, "against": limit.as_dict() if limit else None, "relation": relation,
               "ratio": round(ours.rate / limit.rate, 4) if limit else None}  # fmt: skip
        if ours.name in targets:
            row["target"] = list(targets[ours.name])
        ratio = f"{ours.rate / limit.rate:.3f} of {relation}" if limit else ""
        table.add_row(
            ours.name, str(ours.count), f"{ours.rate:,.0f} {ours.unit}/s",
            f"{d.get('p50_ms', '')}", f"{d.get('p99_ms', '')}",
            limit.name if limit else "", ratio, target_text(row),
        )  # fmt: skip
        record.append(row)
    console.print(table)
    for name, value in (notes or {}).items():
        console.print(f"{name}: {json.dumps(value, ensure_ascii=False)}")
    RESULTS.mkdir(exist_ok=True)
    slug = title.split(":")[0].strip().lower().replace(" ", "-")
    out = {"title": title, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "command": " ".join(["python -m", f"bench.{Path(sys.argv[0]).stem}", *sys.argv[1:]]),
           "machine": {"cpus": os.cpu_count()}, "rows": record}  # fmt: skip
    if notes:
        out["notes"] = notes
    (RESULTS / f"{slug}.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return out


def arg(name: str, default: float | str) -> str:
    """``--name value`` from the command line, or the default."""
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else str(default)


def run(main: Callable[[Endpoints], Coroutine[Any, Any, None]]) -> None:
    # The launcher runs its own event loops: find the stack before ours starts.
    ep = endpoints()
    # The services run on uvloop (uvicorn's default when installed); so do their benchmarks.
    uvloop.run(main(ep))


def start_service(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A service (or the gateway) as the launcher runs it: uvicorn, its app factory, a port."""
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"{module}.app:create_app", "--factory",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, **env},
        stderr=None if os.environ.get("XZ_BENCH_VERBOSE") else subprocess.DEVNULL,
    )  # fmt: skip


@asynccontextmanager
async def key_service(ep: Endpoints) -> AsyncIterator[tuple[KeyStore, dict[str, str]]]:
    """A key service of its own (a fresh database, a new KEK): the store that seals, and the
    settings a service started for the benchmark needs (``<SERVICE>_`` + each name)."""
    async with fresh_database(ep, migrate=False) as dsn:
        kek = pii.LocalKek.generate()
        keys = await KeyStore.open(dsn, pii.LocalKek.from_text(kek))
        try:
            yield keys, {"KEYS_DSN": dsn, "KEK": kek}
        finally:
            await keys.close()


def prefixed(service: str, settings: dict[str, str]) -> dict[str, str]:
    return {f"{service.upper()}_{name}": value for name, value in settings.items()}


@contextmanager
def profiled(server: subprocess.Popen[bytes], name: str) -> Iterator[None]:
    """With ``XZ_BENCH_PROFILE=DIR``: py-spy samples ``server`` while the block runs and leaves a
    flame graph (``DIR/<name>.svg``) and its folded stacks (``DIR/<name>.txt``) to read."""
    folder = os.environ.get("XZ_BENCH_PROFILE")
    if not folder:
        yield
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    spies = []
    for fmt, ext in (("flamegraph", "svg"), ("raw", "txt")):
        command = ["py-spy", "record", "--pid", str(server.pid), "--rate", "100", "--nonblocking",
                   "--format", fmt, "-o", str(Path(folder) / f"{name}.{ext}")]  # fmt: skip
        spies.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(timeout=60)


async def ready(url: str, timeout: float = 30.0) -> None:
    """Until a service answers ``/ready`` with 200."""
    async with httpx.AsyncClient() as http:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                if (await http.get(f"{url}/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready")


async def raw_consume(
    bootstrap: str, topic: str | Sequence[str], expected: int, name: str = "raw aiokafka consume"
) -> Measure:
    """This machine's Kafka limit: a plain consumer reading ``expected`` records of ``topic``
    (or of several topics)."""
    topics = [topic] if isinstance(topic, str) else list(topic)
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )  # fmt: skip
    await consumer.start()
    seen = 0
    started = time.perf_counter()
    try:
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10000)
            seen += sum(len(rs) for rs in batch.values())
    finally:
        await consumer.stop()
    return Measure(name, seen, time.perf_counter() - started, unit="msgs")


async def histogram(url: str, metric: str) -> dict[float, float]:
    """A Prometheus histogram of a service's ``/metrics``, its labels summed: cumulative count
    per bucket bound (seconds)."""
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{url}/metrics")).text
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith(f"{metric}_bucket{{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            bound = float("inf") if le == "+Inf" else float(le)
            buckets[bound] = buckets.get(bound, 0.0) + float(line.rsplit(" ", 1)[1])
    return buckets


def quantiles(after: dict[float, float], before: dict[float, float]) -> dict[str, float]:
    """What was observed between two readings of a histogram: its count, and p50/p99 as the
    upper bound of the bucket they fall in (ms) — where a latency goes."""
    seen = {b: n - before.get(b, 0.0) for b, n in after.items()}
    total = seen.get(float("inf"), 0.0)
    if not total:
        return {}
    out = {"count": total}
    for p in (50, 99):
        bound = next(b for b in sorted(seen) if seen[b] >= total * p / 100)
        out[f"p{p}_ms_at_most"] = bound * 1000
    return out
