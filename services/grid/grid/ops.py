"""``grid-ops``: the operators' commands for the grid service."""

from __future__ import annotations

import asyncio

from xiangzhi import db
from xiangzhi.ops import ops_app
from xiangzhi.store import EventStore

from . import demo
from .app import PARTS
from .settings import GridSettings

app = ops_app(GridSettings, PARTS)


@app.command("demo")
def load_demo(village: str = demo.DONGZHUANG) -> None:
    """Load Dongzhuang's grid side (40 micro-grids, their chiefs, 7 teams) into a village."""

    async def run() -> dict[str, int]:
        settings = GridSettings()
        pool = await db.create_pool(settings.postgres_dsn, min_size=1, max_size=2)
        try:
            return await demo.load(EventStore(pool), village)
        finally:
            await pool.close()

    print(asyncio.run(run()))
