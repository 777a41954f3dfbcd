"""Text the platform can keep: no NUL bytes and no lone surrogates.

PostgreSQL cannot store either, so a command that carries one would fail deep in the store
with a 500. Refused at the edge instead, naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            raise ValueError("text may not contain NUL characters or unpaired surrogates")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            storable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key)
            storable(item)
    return value


class StorableModel(BaseModel):
    """Base of every command: unknown fields refused, every text storable."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable(value)
