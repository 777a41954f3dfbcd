"""The committed AsyncAPI document is the one the code generates, and it is valid AsyncAPI 3.0.

Regenerate with: uv run python -m tests.docs.test_asyncapi
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from grid.domain.events import registry as grid_events
from party.domain.events import registry as party_events
from xiangzhi import asyncapi

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "asyncapi.json"
SCHEMA = ROOT / "deploy/tools/node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"


def generated() -> str:
    services = {"grid": ("grid.events", grid_events), "party": ("party.events", party_events)}
    return asyncapi.dumps(asyncapi.document(services, version="1.0.0"))


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
