"""schemathesis against livelihood's own OpenAPI document, as the secretary, on the real stack:
no 5xx, and no answer that breaks its own schema."""

from __future__ import annotations

from pathlib import Path

from livelihood.app import create_app as livelihood_app
from livelihood.settings import LivelihoodSettings
from xiangzhi.testing.fuzz import schemathesis
from xiangzhi.testing.servers import free_port, serve
from xiangzhi.testing.tokens import Signer

DONGZHUANG = "141121100201"
SIGNER = Signer()


async def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    make_database, kafka_bootstrap: str, make_topic, key_service, tmp_path: Path
) -> None:
    app = livelihood_app(LivelihoodSettings(
        **key_service, postgres_dsn=await make_database(), kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("livelihood.events"),
        grid_topic=await make_topic("grid.events"), party_topic=await make_topic("party.events"),
        auth_public_key=SIGNER.public_pem, consistency_timeout=1,
    ))  # fmt: skip
    secretary = SIGNER.headers("village_secretary", villages=[DONGZHUANG], person_id="sec")
    async with app.router.lifespan_context(app), serve(app, free_port()) as base:
        cases = await schemathesis(
            f"{base}/openapi.json",
            secretary["Authorization"],
            tmp_path,
            {"path.village": DONGZHUANG},
            max_examples=15,
        )
    assert cases > 100
