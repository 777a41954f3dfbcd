"""schemathesis against economy's own OpenAPI document, as the secretary, on the real stack: no
5xx, and no answer that breaks its own schema (money written as strings included)."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from economy.app import create_app as economy_app
from economy.settings import EconomySettings
from economy_testing import DONGZHUANG, SECRETARY, SIGNER
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
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f'[parameters]\n"path.village" = "{DONGZHUANG}"\n"path.year" = 2026\n"path.quarter" = 3\n'
    )
    async with app.router.lifespan_context(app), serve(app, free_port()) as base:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
            f"{base}/openapi.json",
            "--header", f"Authorization: {SECRETARY['Authorization']}",
            "--checks", "not_a_server_error,response_schema_conformance",
            "--phases", "examples,fuzzing", "--max-examples", "15", "--seed", "7",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await process.communicate()
    text = output.decode()
    (tmp_path / "schemathesis.out").write_text(text)
    assert process.returncode == 0, text[-6000:]
    cases = re.search(r"Test cases:\s*\n?\s*(\d+) generated", text)
    assert cases is not None, text[-3000:]
    assert int(cases.group(1)) > 100
