"""Event types, upcasters and their start-up check — pure, no I/O."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from xiangzhi.registry import EventPayload, EventRegistry, RegistryError, UnknownEventTypeError


def _registry_with_v1_v2() -> EventRegistry:
    registry = EventRegistry()

    @registry.register
    class ClearedV1(EventPayload):
        event_type = "economy.contract.cleared.v1"
        area: str

    @registry.register
    class ClearedV2(EventPayload):
        event_type = "economy.contract.cleared.v2"
        area_mu: Decimal
        campaign_id: str | None = None

    @registry.upcaster("economy.contract.cleared.v1", "economy.contract.cleared.v2")
    def rename_area(data: dict[str, object]) -> dict[str, object]:
        return {"area_mu": data.pop("area"), **data}

    return registry


def test_old_events_are_read_as_the_current_version() -> None:
    registry = _registry_with_v1_v2()
    registry.check()
    event_type, _ = registry.upcast("economy.contract.cleared.v1", {"area": "624.16"})
    assert event_type == "economy.contract.cleared.v2"
    parsed = registry.parse("economy.contract.cleared.v1", {"area": "624.16"})
    assert parsed.model_dump() == {"area_mu": Decimal("624.16"), "campaign_id": None}


def test_a_version_without_upcaster_is_a_gap() -> None:
    registry = EventRegistry()

    @registry.register
    class V1(EventPayload):
        event_type = "grid.issue.raised.v1"

    @registry.register
    class V3(EventPayload):
        event_type = "grid.issue.raised.v3"

    with pytest.raises(RegistryError, match=r"gap: 'grid.issue.raised.v1' has no upcaster"):
        registry.check()


def test_an_upcaster_to_nowhere_is_a_gap() -> None:
    registry = EventRegistry()

    @registry.register
    class V3(EventPayload):
        event_type = "grid.issue.raised.v3"

    registry.upcaster("grid.issue.raised.v1", "grid.issue.raised.v2")(lambda d: d)
    with pytest.raises(
        RegistryError,
        match=re.escape("gap: grid.issue.raised.v1 -> grid.issue.raised.v2, and 'grid.issue"),
    ):
        registry.check()


def test_upcasters_in_a_circle_are_refused() -> None:
    registry = EventRegistry()

    @registry.register
    class V2(EventPayload):
        event_type = "grid.issue.raised.v2"

    registry.upcaster("grid.issue.opened.v1", "grid.issue.opened.v2")(lambda d: d)
    registry.upcaster("grid.issue.opened.v2", "grid.issue.opened.v1")(lambda d: d)
    with pytest.raises(
        RegistryError,
        match=re.escape(
            "cycle: grid.issue.opened.v1 -> grid.issue.opened.v2 -> grid.issue.opened.v1"
        ),
    ):
        registry.check()


def test_type_names_follow_the_catalogue() -> None:
    registry = EventRegistry()
    with pytest.raises(RegistryError, match="is not"):

        @registry.register
        class Bad(EventPayload):
            event_type = "IssueRaised"


def test_unknown_types_are_named() -> None:
    with pytest.raises(UnknownEventTypeError, match=re.escape("grid.issue.vanished.v1")):
        EventRegistry().parse("grid.issue.vanished.v1", {})


def test_payloads_refuse_unknown_fields_and_are_frozen() -> None:
    registry = _registry_with_v1_v2()
    model = registry.model("economy.contract.cleared.v2")
    with pytest.raises(ValueError, match="extra"):
        model.model_validate({"area_mu": "1", "surprise": 1})
    cleared = model.model_validate({"area_mu": "1.50"})
    assert cleared.to_data() == {"area_mu": "1.50", "campaign_id": None}


def test_json_schema_exported_for_every_type(tmp_path) -> None:
    registry = _registry_with_v1_v2()
    schemas = registry.json_schemas()
    assert set(schemas) == {"economy.contract.cleared.v1", "economy.contract.cleared.v2"}
    v2 = schemas["economy.contract.cleared.v2"]
    assert v2["title"] == "economy.contract.cleared.v2"
    assert v2["required"] == ["area_mu"]
    assert v2["additionalProperties"] is False
    written = registry.export_json_schemas(tmp_path)
    assert sorted(p.name for p in written) == [
        "economy.contract.cleared.v1.json",
        "economy.contract.cleared.v2.json",
    ]
