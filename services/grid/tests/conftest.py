"""The grid service on the real stack: its own database and topics, driven over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from grid.app import create_app
from grid.settings import GridSettings
from grid_testing import SIGNER, GridService, as_


@pytest.fixture
async def grid_service(
    pg_dsn: str, kafka_bootstrap: str, make_topic, key_service
) -> AsyncIterator[GridService]:
    settings = GridSettings(
        **key_service,
        postgres_dsn=pg_dsn,
        kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("grid.events"),
        livelihood_topic=await make_topic("livelihood.events"),
        party_topic=await make_topic("party.events"),
        sla_interval_seconds=3600,
        consistency_timeout=20,
        auth_public_key=SIGNER.public_pem,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        # A clerk of Dongzhuang unless a request says who else it is.
        async with httpx.AsyncClient(
            transport=transport, base_url="http://grid", headers=as_("village_staff", "clerk-1")
        ) as http:
            yield GridService(http, app, app.state.runtime, settings)
