"""The topics described as an AsyncAPI 3.0 document, generated from the services' registries.

Each service's topic is a channel; each event type a message whose payload is the type's JSON
Schema and whose headers are the CloudEvents binary-mode ``ce_*`` headers. The generated
document is committed (``docs/asyncapi.json``) and a test fails when it drifts from the code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .registry import EventRegistry

HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0, Kafka binary content mode: every attribute a ce_ header.",
    "properties": {
        "content-type": {"const": "application/json"},
        "ce_specversion": {"const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid"},
        "ce_source": {"type": "string", "pattern": "^/xiangzhi/[a-z]+$"},
        "ce_type": {"type": "string"},
        "ce_subject": {"type": "string", "description": "the stream id"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_village": {"type": "string", "pattern": "^\\d{12}$"},
        "ce_chainseq": {"type": "string", "pattern": "^[1-9]\\d*$"},
        "ce_streamversion": {"type": "string", "pattern": "^[1-9]\\d*$"},
        "ce_correlationid": {"type": "string"},
        "ce_causationid": {"type": "string"},
        "ce_actor": {"type": "string"},
        "ce_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "ce_prevhash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_subject",
        "ce_time",
        "ce_village",
        "ce_chainseq",
        "ce_streamversion",
        "ce_correlationid",
        "ce_hash",
        "ce_prevhash",
    ],
}


def _hoist(schema: dict[str, Any], prefix: str, into: dict[str, Any]) -> dict[str, Any]:
    """Move a payload's ``$defs`` into components, rewriting its references to them."""
    defs = schema.pop("$defs", {})
    text = json.dumps(schema)
    for name, definition in defs.items():
        into[f"{prefix}.{name}"] = json.loads(
            json.dumps(definition).replace('"#/$defs/', f'"#/components/schemas/{prefix}.')
        )
        text = text.replace(f'"#/$defs/{name}"', f'"#/components/schemas/{prefix}.{name}"')
    return json.loads(text)  # type: ignore[no-any-return]


def document(services: Mapping[str, tuple[str, EventRegistry]], version: str) -> dict[str, Any]:
    """``services``: name → (topic, registry)."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"CloudEventHeaders": HEADERS}
    for service, (topic, registry) in sorted(services.items()):
        channel = f"{service}Events"
        refs = {}
        for event_type, schema in registry.json_schemas().items():
            payload = _hoist(schema, event_type, schemas)
            payload.pop("$id", None)
            messages[event_type] = {
                "name": event_type,
                "title": event_type,
                "contentType": "application/json",
                "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
                "payload": payload,
            }
            refs[event_type.replace(".", "_")] = {"$ref": f"#/components/messages/{event_type}"}
        channels[channel] = {
            "address": topic,
            "description": f"The {service} service's events; key = the village code, kept forever.",
            "messages": refs,
        }
        operations[f"{service}Publishes"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in refs],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Xiangzhi 乡治 events",
            "version": version,
            "description": "Every service owns its events on one Kafka topic.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
