"""A service of the smallest possible domain, built the way every real service is: it proves
the kit's scaffolding end to end (HTTP → store → Kafka → projection → HTTP)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from xiangzhi import consistency
from xiangzhi.app import ServiceParts, create_app
from xiangzhi.db import Connection
from xiangzhi.deps import MetaDep, RuntimeDep, StoreDep, consistent_read
from xiangzhi.envelope import VILLAGE_PATTERN, Envelope
from xiangzhi.errors import NotFoundError
from xiangzhi.guard import requires
from xiangzhi.permissions import Permission, grants, table_of
from xiangzhi.projection import Projection
from xiangzhi.registry import EventPayload, EventRegistry
from xiangzhi.settings import ServiceSettings

registry = EventRegistry()


@registry.register
class Counted(EventPayload):
    event_type = "tally.tally.counted.v1"
    amount: Decimal


class TallyProjection(Projection):
    name = "tallies"
    ddl = """
    create table if not exists tallies (
        tally_id text primary key,
        village char(12) not null,
        total numeric(14, 2) not null,
        counts int not null
    );
    """

    async def apply(self, conn: Connection, event: Envelope) -> None:
        counted = registry.parse(event.type, event.data)
        assert isinstance(counted, Counted)
        await conn.execute(
            "insert into tallies values ($1, $2, $3, 1) on conflict (tally_id) do update "
            "set total = tallies.total + excluded.total, counts = tallies.counts + 1",
            event.subject,
            event.village,
            counted.amount,
        )


class Count(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    expected_version: int = Field(ge=0)


class Accepted(BaseModel):
    version: int
    consistency_token: str


class Tally(BaseModel):
    tally_id: str
    village: str
    total: Decimal
    counts: int


router = APIRouter(prefix="/villages/{village}/tallies", tags=["tallies"])
Village = Annotated[str, Path(pattern=VILLAGE_PATTERN)]


COUNT = Permission("tally.tally.count", "add to a tally", grants("village_staff"))
PERMISSIONS = table_of("tally", [COUNT])


@router.post("/{tally_id}/counts", status_code=201, dependencies=[requires(COUNT)])
async def count(
    village: Village, tally_id: str, body: Count, store: StoreDep, meta: MetaDep
) -> Accepted:
    """Add an amount to a tally."""
    events = await store.append(
        tally_id, body.expected_version, [Counted(amount=body.amount)], village=village, meta=meta
    )
    return Accepted(
        version=events[-1].version, consistency_token=consistency.token_for("tally", events)
    )


@router.get("/{tally_id}", dependencies=[consistent_read("tallies")])
async def read(village: Village, tally_id: str, rt: RuntimeDep) -> Tally:
    """One tally as the read model has it."""
    row = await rt.pool.fetchrow(
        f"select * from {rt.projections['tallies'].table('tallies')} "
        "where tally_id = $1 and village = $2",
        tally_id,
        village,
    )
    if row is None:
        raise NotFoundError(f"no tally {tally_id} in village {village}")
    return Tally(**dict(row))


def build(settings: ServiceSettings):  # type: ignore[no-untyped-def]
    return create_app(
        settings,
        ServiceParts(
            registry=registry,
            projections=lambda s, store: [TallyProjection([s.topic])],
            routers=[router],
            permissions=PERMISSIONS,
        ),
    )
