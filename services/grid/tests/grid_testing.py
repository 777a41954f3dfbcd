"""Helpers for the grid service's tests: a client over HTTP and Dongzhuang's grids."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from grid.party_copy import registered
from grid.settings import GridSettings
from xiangzhi.app import Runtime
from xiangzhi.envelope import Envelope
from xiangzhi.testing.tokens import Signer

DONGZHUANG = "141121100201"
# The gateway's key pair, as far as the grid under test knows: it verifies these tokens.
SIGNER = Signer()


def as_(role: str, person_id: str, village: str = DONGZHUANG) -> dict[str, str]:
    """The headers of ``person_id`` acting in ``role`` in ``village``."""
    return SIGNER.headers(role, villages=[village], person_id=person_id)


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
            path, json=body, headers=SIGNER.acting_on(path, role, actor)
        )
        assert response.status_code == status, response.text
        return response.json()

    async def read(self, path: str, token: str | None = None, **params: object) -> httpx.Response:
        headers = {"X-Consistency-Token": token} if token else {}
        headers |= SIGNER.acting_on(path, "village_staff", "clerk-1")
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
            chief_url = f"/villages/{village}/grids/{micro_id}/chiefs/{role}"
            response = await svc.http.put(
                chief_url,
                headers=SIGNER.acting_on(chief_url, "village_staff", "clerk-1"),
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


async def send(bootstrap: str, topic: str, envelope: Envelope) -> None:
    """Produce one event on the real broker, as another service's relay would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        key, value, headers = envelope.to_kafka()
        await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def register_party_member(
    svc: GridService, bootstrap: str, member_id: str, village: str = DONGZHUANG, chainseq: int = 1
) -> None:
    """Party registers a member (its event on party's topic); wait until grid's copy knows."""
    await send(bootstrap, svc.settings.party_topic, Envelope(
        id=uuid.uuid4(), source="/xiangzhi/party", type="party.member.registered.v1",
        subject=f"member-{village}-{member_id}", time=datetime.now(UTC), village=village,
        chainseq=chainseq, streamversion=1, correlationid=f"corr-{member_id}",
        hash="c" * 64, prevhash="d" * 64,
        data={"member_id": member_id, "name": "党员", "org_id": "branch-1", "status": "full",
              "joined_on": "2001-07-01", "veteran": False},
    ))  # fmt: skip
    for _ in range(400):
        if await registered(svc.runtime.pool, village, member_id):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"grid's party copy never learnt of {member_id}")
