"""Event types: from ``type`` to its Pydantic payload model, and upcasters between versions.

Old events are never rewritten. A new shape is a new ``.vN`` type; an upcaster turns the data
of the old type into the new one when it is read. ``check()`` runs at start-up and refuses a
registry in which some stored type could not be brought to a current model (a gap) or in which
upcasters go round in a circle (a cycle).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from .envelope import TYPE_PATTERN

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]


class EventPayload(BaseModel):
    """Base of every event's ``data``: frozen, strict about unknown fields, named by its type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]

    def to_data(self) -> Data:
        """The JSON form stored and published: decimals as strings, times in RFC 3339."""
        return self.model_dump(mode="json")


P = TypeVar("P", bound=type[EventPayload])


class RegistryError(ValueError):
    pass


class UnknownEventTypeError(RegistryError):
    def __init__(self, event_type: str) -> None:
        super().__init__(f"no model or upcaster is registered for {event_type!r}")
        self.event_type = event_type


def _family_and_version(event_type: str) -> tuple[str, int]:
    family, _, version = event_type.rpartition(".v")
    return family, int(version)


class EventRegistry:
    def __init__(self) -> None:
        self._models: dict[str, type[EventPayload]] = {}
        self._upcasters: dict[str, tuple[str, Upcaster]] = {}

    def register(self, model: P) -> P:
        """Class decorator: ``@registry.register`` on a payload with ``event_type`` set."""
        event_type = model.event_type
        if not re.fullmatch(TYPE_PATTERN, event_type):
            raise RegistryError(f"{event_type!r} is not <service>.<aggregate>.<event>.v<N>")
        if event_type in self._models:
            raise RegistryError(f"{event_type!r} is registered twice")
        self._models[event_type] = model
        return model

    def upcaster(self, from_type: str, to_type: str) -> Callable[[Upcaster], Upcaster]:
        """Register ``fn(data) -> data`` turning ``from_type`` data into ``to_type`` data."""

        def decorate(fn: Upcaster) -> Upcaster:
            if from_type in self._upcasters:
                raise RegistryError(f"{from_type!r} already has an upcaster")
            self._upcasters[from_type] = (to_type, fn)
            return fn

        return decorate

    def check(self) -> None:
        """Every known type reaches a registered model; no chain of upcasters loops."""
        problems: list[str] = []
        for start in sorted(set(self._models) | set(self._upcasters)):
            seen = [start]
            current = start
            while current in self._upcasters:
                current = self._upcasters[current][0]
                if current in seen:
                    problems.append(f"cycle: {' -> '.join([*seen, current])}")
                    break
                seen.append(current)
            else:
                if current not in self._models:
                    chain = " -> ".join(seen)
                    problems.append(f"gap: {chain}, and {current!r} has no model")
        latest: dict[str, int] = {}
        for event_type in self._models:
            family, version = _family_and_version(event_type)
            latest[family] = max(latest.get(family, 0), version)
        for event_type in self._models:
            family, version = _family_and_version(event_type)
            if version < latest[family] and event_type not in self._upcasters:
                problems.append(
                    f"gap: {event_type!r} has no upcaster to {family}.v{latest[family]}"
                )
        if problems:
            raise RegistryError("; ".join(problems))

    def upcast(self, event_type: str, data: Data) -> tuple[str, Data]:
        """Bring stored data of any known version to its current type."""
        if event_type not in self._models and event_type not in self._upcasters:
            raise UnknownEventTypeError(event_type)
        while event_type in self._upcasters:
            event_type, fn = self._upcasters[event_type][0], self._upcasters[event_type][1]
            data = fn(dict(data))
        return event_type, data

    def parse(self, event_type: str, data: Data) -> EventPayload:
        current, upcast = self.upcast(event_type, data)
        return self._models[current].model_validate(upcast)

    def model(self, event_type: str) -> type[EventPayload]:
        try:
            return self._models[event_type]
        except KeyError:
            raise UnknownEventTypeError(event_type) from None

    @property
    def types(self) -> list[str]:
        return sorted(self._models)

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        """One JSON Schema per registered type, titled by the type name."""
        schemas = {}
        for event_type, model in sorted(self._models.items()):
            schema = model.model_json_schema()
            schema["title"] = event_type
            schema["$id"] = f"urn:xiangzhi:event:{event_type}"
            schemas[event_type] = schema
        return schemas

    def export_json_schemas(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for event_type, schema in self.json_schemas().items():
            path = folder / f"{event_type}.json"
            path.write_text(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
            written.append(path)
        return written
