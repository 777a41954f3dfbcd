"""The gateway in front of a real grid service (over real HTTP), for the gateway's tests."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from xiangzhi.app import Runtime
from xiangzhi.testing.servers import free_port, serve

DONGZHUANG = "141121100201"  # county 141121, township 141121100
SAME_COUNTY = "141121101201"  # another township of the county
OTHER_COUNTY = "141122100201"
PASSWORD = "correct horse battery"

__all__ = ["free_port", "serve"]


@dataclass
class Platform:
    http: httpx.AsyncClient  # to the gateway
    app: FastAPI  # the gateway
    gateway: Runtime
    grid_url: str

    async def login(self, username: str, password: str = PASSWORD) -> dict:
        response = await self.http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": password},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def bearer(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {(await self.login(username))['access_token']}"}
