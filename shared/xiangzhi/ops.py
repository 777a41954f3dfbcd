"""The operators' command line, the same for every service: ``<service>-ops --help``.

verify a village's hash chain, tail its events, list and replay parked events, rebuild a
projection, show projection lag, export the event schemas, and seal the personal data of events
recorded before it was sealed (once).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.console import Console
from rich.table import Table

from . import db
from .app import ServiceParts, open_keys
from .chain import ChainReport
from .kafka_admin import partitions_of
from .projection import AlreadyResolvedError, ProjectionRunner
from .reseal import reseal_village
from .settings import ServiceSettings
from .store import EventStore

T = TypeVar("T")
console = Console(soft_wrap=True)


def ops_app(settings: Callable[[], ServiceSettings], parts: ServiceParts[Any]) -> typer.Typer:
    """The kit's operator commands for one service (its ``<service>-ops`` script)."""
    app = typer.Typer(help=f"Operator commands for {parts.title or 'a Xiangzhi service'}.")
    ops = Operator(settings, parts)
    for command in (ops.verify, ops.tail, ops.parked, ops.replay, ops.rebuild, ops.lag, ops.reseal):
        app.command()(command)
    app.command()(ops.schemas)
    return app


class Operator:
    """What the commands share: the service's settings and parts, a pool per command."""

    def __init__(self, settings: Callable[[], ServiceSettings], parts: ServiceParts[Any]) -> None:
        self.settings = settings
        self.parts = parts

    def with_pool(self, work: Callable[[ServiceSettings, db.Pool], Awaitable[T]]) -> T:
        async def run() -> T:
            s = self.settings()
            pool = await db.create_pool(s.postgres_dsn, min_size=1, max_size=4)
            try:
                return await work(s, pool)
            finally:
                await pool.close()

        return asyncio.run(run())

    def runner(self, s: ServiceSettings, pool: db.Pool, name: str) -> ProjectionRunner:
        projections = {p.name: p for p in self.parts.projections(s, EventStore(pool))}
        if name not in projections:
            raise typer.BadParameter(f"no projection {name!r}; there are {sorted(projections)}")
        return ProjectionRunner(
            pool, s.kafka_bootstrap, projections[name], group_id=f"{s.service_name}.{name}"
        )

    def verify(
        self,
        village: Annotated[str | None, typer.Argument(help="12-digit village code")] = None,
    ) -> None:
        """Recompute the hash chain of one village (or of all); exit 1 naming the first break."""

        async def work(s: ServiceSettings, pool: db.Pool) -> bool:
            store = EventStore(pool)
            villages = [village] if village else await store.villages()
            reports = [await store.verify_village(v) for v in villages]
            for report in reports:
                _say(report)
            return all(report.intact for report in reports)

        if not self.with_pool(work):
            raise typer.Exit(1)

    def tail(
        self, village: str, from_seq: Annotated[int, typer.Option("--from")] = 1, limit: int = 50
    ) -> None:
        """Print a village's events in chain order, as JSON lines."""

        async def work(s: ServiceSettings, pool: db.Pool) -> None:
            for event in await EventStore(pool).read_village(village, from_seq, limit):
                print(event.envelope(s.service_name).model_dump_json())

        self.with_pool(work)

    def parked(self, projection: str) -> None:
        """List the events a projection parked (with their errors)."""

        async def work(s: ServiceSettings, pool: db.Pool) -> None:
            table = Table("id", "event", "type", "village", "chainseq", "error", "status")
            for p in await self.runner(s, pool, projection).parked(status=None):
                row = (p.id, p.event_id, p.event_type or "?", p.village or "?", p.chainseq or "?")
                table.add_row(*map(str, row), p.error, p.status)
            console.print(table)

        self.with_pool(work)

    def replay(self, projection: str, failure_id: int) -> None:
        """Apply one parked event to its projection, once."""

        async def work(s: ServiceSettings, pool: db.Pool) -> None:
            try:
                await self.runner(s, pool, projection).replay(failure_id)
            except AlreadyResolvedError as exc:
                console.print(f"[yellow]{exc}[/yellow]")
                raise typer.Exit(1) from exc
            console.print(f"[green]✓[/green] replayed {failure_id}")

        self.with_pool(work)

    def rebuild(self, projection: str) -> None:
        """Replay every event into fresh tables and swap them in; the old ones serve meanwhile."""

        async def work(s: ServiceSettings, pool: db.Pool) -> int:
            with console.status(f"rebuilding {projection} …"):
                return await self.runner(s, pool, projection).rebuild()

        read = self.with_pool(work)
        console.print(f"[green]✓[/green] {projection} rebuilt from {read} events")

    def lag(self) -> None:
        """Events on Kafka not yet applied, per projection and partition."""

        async def work(s: ServiceSettings, pool: db.Pool) -> None:
            table = Table("projection", "topic", "partition", "applied up to", "end", "lag")
            consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None)
            await consumer.start()
            try:
                for p in self.parts.projections(s, EventStore(pool)):
                    layout = await partitions_of(s.kafka_bootstrap, p.topics)
                    tps = [TopicPartition(t, n) for t, ns in layout.items() for n in ns]
                    ends = await consumer.end_offsets(tps)
                    stored = await self.runner(s, pool, p.name).stored_positions(p.schema)
                    for tp in tps:
                        at, end = stored.get(tp, 0), ends[tp]
                        row = (tp.topic, tp.partition, at, end, end - at)
                        table.add_row(p.name, *map(str, row))
            finally:
                await consumer.stop()
            console.print(table)

        self.with_pool(work)

    def reseal(
        self,
        village: Annotated[str | None, typer.Argument(help="12-digit village code")] = None,
    ) -> None:
        """Seal the personal fields of events recorded in clear and re-hash the village's chain
        (verified before and after). Once, with the services stopped: docs/privacy.md."""

        async def work(s: ServiceSettings, pool: db.Pool) -> bool:
            keys = await open_keys(s)
            if keys is None:
                raise typer.BadParameter("the key service is not configured (keys_dsn, kek)")
            try:
                villages = [village] if village else await EventStore(pool).villages()
                ok = True
                for v in villages:
                    done = await reseal_village(pool, keys, self.parts.registry, v)
                    ok &= done.after.intact
                    console.print(
                        f"{v}: {done.sealed} of {done.events} events sealed; chain "
                        f"{done.before.head_hash[:12]}… → {done.after.head_hash[:12]}…, "
                        f"{'intact' if done.after.intact else 'BROKEN'}"
                    )
                return ok
            finally:
                await keys.close()

        if not self.with_pool(work):
            raise typer.Exit(1)

    def schemas(self, folder: Path) -> None:
        """Write the JSON Schema of every event type this service owns."""
        written = self.parts.registry.export_json_schemas(folder)
        console.print(json.dumps([str(p) for p in written], indent=1))


def _say(report: ChainReport) -> None:
    if report.intact:
        console.print(f"[green]✓[/green] {report.village}: {report.checked} events, chain intact")
        return
    b = report.first_break
    assert b is not None
    console.print(
        f"[red]✗[/red] {report.village}: chain broken at chain_seq {b.chain_seq}"
        f" (event {b.event_id}): {b.reason}"
    )
