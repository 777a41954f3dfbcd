"""schemathesis against a running app's OpenAPI document, for the services' and the gateway's
tests: no 5xx, and no answer that breaks its own schema."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path


async def schemathesis(
    openapi_url: str,
    authorization: str,
    folder: Path,
    parameters: dict[str, str | int],
    *,
    max_examples: int = 10,
    extra: tuple[str, ...] = (),
) -> int:
    """Run it (seeded), fail with its report's tail on any finding; the cases it generated."""
    config = folder / "schemathesis.toml"
    # A TOML basic string or integer is written as JSON writes it.
    lines = [f'"{name}" = {json.dumps(value)}' for name, value in parameters.items()]
    config.write_text("\n".join(["[parameters]", *lines]) + "\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
        openapi_url, "--header", f"Authorization: {authorization}",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", "examples,fuzzing", "--max-examples", str(max_examples), "--seed", "7",
        *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    text = output.decode()
    (folder / "schemathesis.out").write_text(text)
    assert process.returncode == 0, text[-6000:]
    cases = re.search(r"Test cases:\s*\n?\s*(\d+) generated", text)
    assert cases is not None, text[-3000:]
    return int(cases.group(1))
