"""The party service's own copy of grid's directory, built from grid's events on Kafka (no
calls into grid): what the coverage report measures party groups against."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from xiangzhi.db import Connection
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection


class GridEstablished(BaseModel):
    """Party's copy of ``grid.grid.established``: two fields of six."""

    model_config = ConfigDict(extra="ignore")
    grid_id: str
    level: str
    name: str


class GridCopy(Projection):
    name = "grid_copy"
    ddl = """
    create table if not exists grids (
        village char(12) not null,
        grid_id char(15) primary key,
        level text not null,
        name text not null
    );
    """

    wants = ("grid.grid.established.",)

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if event.type.startswith("grid.grid.established."):
            grid = GridEstablished.model_validate(event.data)
            await conn.execute(
                "insert into grids values ($1, $2, $3, $4) on conflict (grid_id) do nothing",
                event.village,
                grid.grid_id,
                grid.level,
                grid.name,
            )
