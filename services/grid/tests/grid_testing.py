"""Helpers for the grid service's tests: a client over HTTP and Dongzhuang's grids."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from grid.settings import GridSettings
from xiangzhi.app import Runtime

DONGZHUANG = "141121100201"


@dataclass
class GridService:
    http: httpx.AsyncClient
    app: FastAPI
    runtime: Runtime
    settings: GridSettings

    async def command(
        self,
        path: str,
        body: dict,
        *,
        actor: str = "clerk-1",
        role: str = "village_staff",
        status: int = 201,
    ) -> dict:
        response = await self.http.post(
            path, json=body, headers={"X-Actor": actor, "X-Actor-Role": role}
        )
        assert response.status_code == status, response.text
        return response.json()

    async def read(self, path: str, token: str | None = None, **params: object) -> httpx.Response:
        headers = {"X-Consistency-Token": token} if token else {}
        headers |= {"X-Actor": "clerk-1", "X-Actor-Role": "village_staff"}
        return await self.http.get(path, headers=headers, params=params)


async def establish_grid(
    svc: GridService, village: str = DONGZHUANG, n: int = 1, micro: int = 0
) -> dict:
    """A grid ``n`` and, under it, ``micro`` micro-grids, each with its three chiefs."""
    grid_id = f"{village}{n:03d}"
    last = await svc.command(
        f"/villages/{village}/grids",
        {
            "grid_id": grid_id,
            "name": f"第{n}片区",
            "level": "grid",
            "households": 0,
        },
    )
    for m in range(1, micro + 1):
        micro_id = f"{village}{n * 100 + m:03d}"
        await svc.command(
            f"/villages/{village}/grids",
            {
                "grid_id": micro_id,
                "name": f"第{n}片区第{m}微网格",
                "level": "micro_grid",
                "parent_id": grid_id,
                "households": 30 + m,
            },
        )
        for role, party in (
            ("grid_chief", False),
            ("party_group_leader", True),
            ("villager_group_leader", False),
        ):
            response = await svc.http.put(
                f"/villages/{village}/grids/{micro_id}/chiefs/{role}",
                json={
                    "person_id": f"{micro_id}-{role}",
                    "name": f"{role[:4]}{m}",
                    "is_party_member": party,
                    "party_member_id": f"pm-{micro_id}" if party else None,
                },
            )
            assert response.status_code == 200, response.text
            last = response.json()
    return last
