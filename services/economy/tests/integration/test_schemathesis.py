"""schemathesis against economy's own OpenAPI document, as the secretary, on the real stack: no
5xx, and no answer that breaks its own schema (money written as strings included)."""

from __future__ import annotations

from pathlib import Path

from economy.app import create_app as economy_app
from economy.settings import EconomySettings
from economy_testing import DONGZHUANG, SECRETARY, SIGNER
from xiangzhi.testing.fuzz import schemathesis
from xiangzhi.testing.servers import free_port, serve


async def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    make_database, kafka_bootstrap: str, make_topic, key_service, tmp_path: Path
) -> None:
    app = economy_app(EconomySettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("economy.events"),
        party_topic=await make_topic("party.events"), auth_public_key=SIGNER.public_pem,
        consistency_timeout=1,
    ))  # fmt: skip
    async with app.router.lifespan_context(app), serve(app, free_port()) as base:
        cases = await schemathesis(
            f"{base}/openapi.json",
            SECRETARY["Authorization"],
            tmp_path,
            {"path.village": DONGZHUANG, "path.year": 2026, "path.quarter": 3},
            max_examples=15,
        )
    assert cases > 100
