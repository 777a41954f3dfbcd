"""A gateway and a grid service on the real stack; the grid verifies the gateway's tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gateway import identity
from gateway.app import create_app as gateway_app
from gateway.settings import GatewaySettings
from gateway_testing import (
    DONGZHUANG,
    OTHER_COUNTY,
    PASSWORD,
    SAME_COUNTY,
    Platform,
    free_port,
    serve,
)
from grid.app import create_app as grid_app
from grid.settings import GridSettings
from xiangzhi.auth import generate_keypair

USERS = [
    identity.NewUser("county", PASSWORD, "county_admin", county="141121"),
    identity.NewUser("other-county", PASSWORD, "county_admin", county="141122"),
    identity.NewUser("township", PASSWORD, "township_officer", township="141121100"),
    identity.NewUser("secretary", PASSWORD, "village_secretary", villages=(DONGZHUANG,)),
    identity.NewUser("secretary-2", PASSWORD, "village_secretary", villages=(SAME_COUNTY,)),
    identity.NewUser("secretary-x", PASSWORD, "village_secretary", villages=(OTHER_COUNTY,)),
    identity.NewUser("clerk", PASSWORD, "village_staff", villages=(DONGZHUANG,)),
    identity.NewUser("worker", PASSWORD, "grid_worker", villages=(DONGZHUANG,)),
    identity.NewUser(
        "resident", PASSWORD, "resident", villages=(DONGZHUANG,), person_id="resident-1"
    ),
    identity.NewUser(
        "neighbour", PASSWORD, "resident", villages=(DONGZHUANG,), person_id="resident-2"
    ),
]


@pytest.fixture
async def platform(
    make_database, kafka_bootstrap: str, make_topic, key_service
) -> AsyncIterator[Platform]:
    private, public = generate_keypair()
    grid = grid_app(GridSettings(
        **key_service,
        postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("grid.events"), livelihood_topic=await make_topic("livelihood.events"),
        party_topic=await make_topic("party.events"), auth_public_key=public, consistency_timeout=20,
    ))  # fmt: skip
    closed = f"http://127.0.0.1:{free_port()}"  # party, economy, livelihood: not running
    async with grid.router.lifespan_context(grid), serve(grid, free_port()) as grid_url:
        settings = GatewaySettings(
        **key_service,
            postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
            # As the launcher configures it: the signing key, and the public key every service
            # gets (the gateway's own routes authenticate their callers themselves).
            signing_key=private, auth_public_key=public, grid_url=grid_url, party_url=closed, economy_url=closed,
            livelihood_url=closed, rate_limit_per_minute=10_000,
        )  # fmt: skip
        app = gateway_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as http,
        ):
            runtime = app.state.runtime
            for user in USERS:
                await identity.create_user(runtime.pool, user)
            yield Platform(http, app, runtime, grid_url)
