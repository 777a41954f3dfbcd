"""The event envelope: CloudEvents 1.0, carried on Kafka in binary content mode.

On Kafka the value is the JSON ``data``; every attribute travels as a ``ce_<name>`` header, the
content type as ``content-type``, and the key is the village code so that one village's events
keep their order on one partition. A CloudEvents SDK (or kcat) reads these records unaided.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

VILLAGE_PATTERN = r"^\d{12}$"
TYPE_PATTERN = r"^[a-z][a-z_]*\.[a-z][a-z_]*\.[a-z][a-z_]*\.v[1-9]\d*$"
CONTENT_TYPE = "application/json"
HEADER_PREFIX = "ce_"

# Attributes in the order they are written as headers; optional ones are left out when None.
_ATTRIBUTES = (
    "specversion",
    "id",
    "source",
    "type",
    "subject",
    "time",
    "village",
    "chainseq",
    "streamversion",
    "correlationid",
    "causationid",
    "actor",
    "hash",
    "prevhash",
)


_ZERO = timedelta(0)
_POSITION_HEADERS = frozenset({"ce_source", "ce_village", "ce_chainseq"})
_SOURCE = re.compile(r"/xiangzhi/[a-z]+")
_VILLAGE = re.compile(VILLAGE_PATTERN)


@dataclass(frozen=True)
class ChainPosition:
    """An event's place: the service that wrote it, its village, its chainseq there."""

    service: str
    village: str
    chainseq: int


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with microseconds and a ``Z``: one spelling for every timestamp."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Envelope(BaseModel):
    """A CloudEvent 1.0 with Xiangzhi's extension attributes (lower-case, as the spec asks)."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: UUID
    source: str = Field(pattern=r"^/xiangzhi/[a-z]+$")
    type: str = Field(pattern=TYPE_PATTERN)
    subject: str
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    village: str = Field(pattern=VILLAGE_PATTERN)
    chainseq: int = Field(ge=1)
    streamversion: int = Field(ge=1)
    correlationid: str
    causationid: str | None = None
    actor: str | None = None
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    prevhash: str = Field(pattern=r"^[0-9a-f]{64}$")
    data: dict[str, Any]

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # Already UTC (every event we write says Z): only the tzinfo object is made the same.
        if value.utcoffset() == _ZERO:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def service(self) -> str:
        """The owning service, from ``source`` (``/xiangzhi/grid`` → ``grid``)."""
        return self.source.rsplit("/", 1)[-1]

    def to_kafka(self) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """(key, value, headers) for Kafka's binary content mode."""
        headers = [("content-type", CONTENT_TYPE.encode())]
        for name in _ATTRIBUTES:
            value = getattr(self, name)
            if value is None:
                continue
            text = format_time(value) if isinstance(value, datetime) else str(value)
            headers.append((HEADER_PREFIX + name, text.encode()))
        value_bytes = json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()
        return self.village.encode(), value_bytes, headers

    @staticmethod
    def type_of(headers: Any) -> str:
        """The event's type from a binary-mode record's headers ("" without one)."""
        for name, raw in headers:
            if name == "ce_type" or name.lower() == "ce_type":
                return str(raw.decode())
        return ""

    @staticmethod
    def position_of(headers: Any) -> ChainPosition:
        """Who wrote the event and where it stands in its village's chain, from the headers
        alone: what a projection's bookkeeping needs of an event it does not apply. Checked
        as ``from_kafka`` checks them (a malformed record is refused, not counted)."""
        found: dict[str, str] = {}
        for name, raw in headers:
            lowered = name.lower()
            if lowered in _POSITION_HEADERS:
                found[lowered] = raw.decode()
        source, village = found.get("ce_source", ""), found.get("ce_village", "")
        chainseq = found.get("ce_chainseq", "")
        if (
            not (_SOURCE.fullmatch(source) and _VILLAGE.fullmatch(village) and chainseq.isdigit())
            or int(chainseq) < 1
        ):
            raise ValueError(f"not a Xiangzhi event: source {source!r}, village {village!r}, "
                             f"chainseq {chainseq!r}")  # fmt: skip
        return ChainPosition(source.rsplit("/", 1)[-1], village, int(chainseq))

    @classmethod
    def from_kafka(cls, value: bytes, headers: Any) -> Envelope:
        """Parse a binary-mode record; ``headers`` as aiokafka gives them (name, bytes) pairs."""
        cut = len(HEADER_PREFIX)
        # Our relay writes the names lower-case: taken in one pass; another producer's
        # spelling (CE_Id, Content-Type) is folded below.
        attributes: dict[str, Any] = {
            name[cut:]: raw.decode() for name, raw in headers if name[:cut] == HEADER_PREFIX
        }
        if len(attributes) != len(headers):
            for name, raw in headers:
                if name[:cut] == HEADER_PREFIX:
                    continue
                lowered = name.lower()
                if lowered.startswith(HEADER_PREFIX):
                    attributes[lowered[cut:]] = raw.decode()
                elif lowered == "content-type":
                    attributes["datacontenttype"] = raw.decode()
        attributes["data"] = json.loads(value) if value else {}
        return cls.model_validate(attributes)
