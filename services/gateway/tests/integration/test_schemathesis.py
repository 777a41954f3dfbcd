"""schemathesis against the merged OpenAPI document, authenticated, on real servers: no 5xx
and no response that breaks its own schema."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from gateway_testing import DONGZHUANG, Platform, free_port, serve


async def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    platform: Platform, tmp_path: Path
) -> None:
    secretary = await platform.bearer("secretary")
    await platform.http.post(
        f"/api/v1/villages/{DONGZHUANG}/grid/grids",
        json={"grid_id": f"{DONGZHUANG}001", "name": "一组", "level": "grid", "households": 30},
        headers=secretary,
    )
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.village" = "{DONGZHUANG}"\n'
        '"path.county" = "141121"\n'
        '"path.fmt" = "json"\n'
    )
    platform.app.state.limiter.per_minute = 1_000_000
    async with serve(platform.app, free_port()) as base:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
            f"{base}/openapi.json",
            "--header", f"Authorization: {secretary['Authorization']}",
            "--checks", "not_a_server_error,response_schema_conformance",
            "--phases", "examples,fuzzing", "--max-examples", "10", "--seed", "7",
            "--exclude-path-regex", "^/api/v1/auth/",  # logging in is tested on its own
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await process.communicate()
    text = output.decode()
    (tmp_path / "schemathesis.out").write_text(text)
    assert process.returncode == 0, text[-6000:]
    cases = re.search(r"Test cases:\s*\n?\s*(\d+) generated", text)
    assert cases is not None, text[-3000:]
    print(f"schemathesis: {cases.group(1)} test cases")
    assert int(cases.group(1)) > 100
