"""The per-village hash chain: its canonical encoding, and the verifier.

Each event's ``hash`` is SHA-256 (lower-case hex) over the RFC 8785 JSON Canonicalization
Scheme (JCS) encoding of this object::

    {"chain_seq": <int>, "data": <object>, "event_id": "<uuid, lower-case, hyphenated>",
     "meta": <object>, "prev_hash": "<64 hex>", "recorded_at": "YYYY-MM-DDTHH:MM:SS.ffffffZ",
     "stream_id": "<text>", "type": "<type>", "version": <int>, "village": "<12 digits>"}

JCS fixes key order (by UTF-16 code units), whitespace, string escaping and number formatting
(ECMAScript's), so the bytes do not depend on the Python version or the JSON library. The first
event of a village has ``prev_hash`` = 64 zeros. Integers in data must lie within ±2**53
(I-JSON); money and areas are decimal strings, so this costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import rfc8785

from .db import Row
from .envelope import format_time

GENESIS = "0" * 64


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes of ``value``.

    Most events hold only strings, integers, booleans and nulls under ASCII keys; for those
    the standard library's sorted, compact, non-ASCII-preserving JSON is byte-for-byte JCS
    (a property test holds the two equal), and several times faster. Anything else — floats,
    non-ASCII keys, large integers — goes through the reference implementation.
    """
    if _plain(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return rfc8785.dumps(value)


_SAFE_INT = 2**53 - 1


def _plain(value: Any) -> bool:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_SAFE_INT <= value <= _SAFE_INT
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return False


def event_hash(
    *,
    prev_hash: str,
    chain_seq: int,
    event_id: UUID,
    stream_id: str,
    version: int,
    village: str,
    event_type: str,
    data: Mapping[str, Any],
    meta: Mapping[str, Any],
    recorded_at: datetime,
) -> str:
    canonical = canonical_json(
        {
            "chain_seq": chain_seq,
            "data": data,
            "event_id": str(event_id),
            "meta": meta,
            "prev_hash": prev_hash,
            "recorded_at": format_time(recorded_at),
            "stream_id": stream_id,
            "type": event_type,
            "version": version,
            "village": village,
        }
    )
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    chain_seq: int
    event_id: UUID | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    village: str
    checked: int
    head_hash: str
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


class ChainVerifier:
    """Fed a village's rows in chain order, finds the first that breaks the chain."""

    def __init__(self, village: str) -> None:
        self.village = village
        self.prev = GENESIS
        self.checked = 0
        self.first_break: ChainBreak | None = None

    def feed(self, row: Row) -> bool:
        """Check one row; False once the chain is broken (later rows prove nothing more)."""
        if self.first_break is not None:
            return False
        seq = int(row["chain_seq"])
        expected = self.checked + 1
        if seq != expected:
            self.first_break = ChainBreak(
                expected, None, f"chain_seq {expected} is missing (found {seq})"
            )
        elif row["prev_hash"] != self.prev:
            self.first_break = ChainBreak(
                seq, row["event_id"], "prev_hash does not match the previous event's hash"
            )
        else:
            recomputed = event_hash(
                prev_hash=self.prev,
                chain_seq=seq,
                event_id=row["event_id"],
                stream_id=row["stream_id"],
                version=row["version"],
                village=row["village"],
                event_type=row["type"],
                data=row["data"],
                meta=row["meta"],
                recorded_at=row["recorded_at"],
            )
            if recomputed != row["hash"]:
                self.first_break = ChainBreak(
                    seq, row["event_id"], "content does not match its hash"
                )
            else:
                self.prev = recomputed
                self.checked = seq
        return self.first_break is None

    def finish(self, head_seq: int, head_hash: str) -> ChainReport:
        """The report, given the village's recorded chain head (which catches a cut-off tail)."""
        if self.first_break is None and (head_seq, head_hash) != (self.checked, self.prev):
            self.first_break = ChainBreak(
                self.checked + 1,
                None,
                f"the chain head records {head_seq} events; {self.checked} are stored",
            )
        return ChainReport(self.village, self.checked, self.prev, self.first_break)
