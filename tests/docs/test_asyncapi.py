"""The committed AsyncAPI document is the one the code generates, and it is valid AsyncAPI 3.0.

Regenerate with: uv run python -m tests.docs.test_asyncapi
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest
from xiangzhi import asyncapi, services
from xiangzhi.registry import EventRegistry

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "asyncapi.json"
SCHEMA = ROOT / "deploy/tools/node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"


def registries() -> dict[str, tuple[str, EventRegistry]]:
    """Every service of the kit's list that owns a topic and has an event registry
    (``<service>.domain.events.registry``), in the list's order: name → (topic, registry)."""
    found = {}
    for service in services.SERVICES:
        # A service that has no domain yet (economy, livelihood) has no events to document.
        if service.topic is None or importlib.util.find_spec(f"{service.name}.domain") is None:
            continue
        module = f"{service.name}.domain.events"
        if importlib.util.find_spec(module) is None:
            continue
        found[service.name] = (service.topic, importlib.import_module(module).registry)
    return found


def generated() -> str:
    return asyncapi.dumps(asyncapi.document(registries(), version="1.0.0"))


def test_the_committed_document_is_the_generated_one() -> None:
    assert COMMITTED.read_text() == generated(), "run: uv run python -m tests.docs.test_asyncapi"


def test_the_document_is_valid_asyncapi_3() -> None:
    schema = json.loads(SCHEMA.read_text())
    document = json.loads(generated())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(document))
    assert not errors, [e.message for e in errors[:5]]
    assert "grid.issue.raised.v1" in document["components"]["messages"]
    assert document["channels"]["gridEvents"]["address"] == "grid.events"


def test_a_broken_document_is_refused() -> None:
    schema = json.loads(SCHEMA.read_text())
    document = json.loads(generated())
    document["channels"]["gridEvents"]["address"] = 42
    assert list(jsonschema.Draft7Validator(schema).iter_errors(document))


if __name__ == "__main__":
    COMMITTED.write_text(generated())
    print(f"wrote {COMMITTED}")
