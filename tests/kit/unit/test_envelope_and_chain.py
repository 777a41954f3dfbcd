"""The envelope's Kafka form and the chain's canonical encoding — pure, no I/O."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from xiangzhi.chain import GENESIS, ChainVerifier, canonical_json, event_hash
from xiangzhi.consistency import InvalidTokenError, Position, parse
from xiangzhi.envelope import Envelope

EVENT_ID = uuid.UUID("0b5c7f5e-6a51-4c39-9a43-3c1f6a2a9d10")


def _envelope(**changes: object) -> Envelope:
    fields: dict[str, object] = {
        "id": EVENT_ID,
        "source": "/xiangzhi/grid",
        "type": "grid.issue.raised.v1",
        "subject": "issue-1",
        "time": datetime(2026, 11, 29, 16, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8))),
        "village": "141121100201",
        "chainseq": 7,
        "streamversion": 1,
        "correlationid": "corr-1",
        "hash": "a" * 64,
        "prevhash": "b" * 64,
        "data": {"title": "正街下水", "location": {"lat": 37.43, "lon": 112.03}},
    }
    fields.update(changes)
    return Envelope.model_validate(fields)


def test_binary_mode_round_trip() -> None:
    envelope = _envelope(actor="clerk-7")
    key, value, headers = envelope.to_kafka()
    assert key == b"141121100201"
    names = dict(headers)
    assert names["content-type"] == b"application/json"
    assert names["ce_specversion"] == b"1.0"
    assert names["ce_time"] == b"2026-11-29T08:30:00.123456Z", "times travel in UTC"
    assert names["ce_chainseq"] == b"7"
    assert "ce_causationid" not in names, "absent optional attributes are left out"
    assert Envelope.from_kafka(value, headers) == envelope
    assert envelope.service == "grid"


@pytest.mark.parametrize(
    ("field", "value"),
    [("village", "14112110020"), ("type", "grid.IssueRaised"), ("chainseq", 0), ("hash", "xyz")],
)
def test_envelope_refuses_malformed_attributes(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        _envelope(**{field: value})


def test_hash_is_sha256_over_the_rfc8785_encoding() -> None:
    recorded_at = datetime(2026, 11, 29, 8, 30, 0, 123456, tzinfo=UTC)
    digest = event_hash(
        prev_hash=GENESIS,
        chain_seq=1,
        event_id=EVENT_ID,
        stream_id="issue-1",
        version=1,
        village="141121100201",
        event_type="grid.issue.raised.v1",
        data={"title": "正街下水", "lat": 37.5, "count": 3},
        meta={"correlation_id": "c"},
        recorded_at=recorded_at,
    )
    # The canonical text written out by hand: keys sorted, no spaces, UTF-8, ES number format.
    canonical = (
        '{"chain_seq":1,"data":{"count":3,"lat":37.5,"title":"正街下水"},'
        '"event_id":"0b5c7f5e-6a51-4c39-9a43-3c1f6a2a9d10","meta":{"correlation_id":"c"},'
        f'"prev_hash":"{GENESIS}","recorded_at":"2026-11-29T08:30:00.123456Z",'
        '"stream_id":"issue-1","type":"grid.issue.raised.v1","version":1,"village":"141121100201"}'
    )
    assert digest == hashlib.sha256(canonical.encode()).hexdigest()


def _row(seq: int, prev: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "chain_seq": seq,
        "event_id": uuid.UUID(int=seq),
        "stream_id": f"s-{seq}",
        "version": 1,
        "village": "141121100201",
        "type": "grid.issue.raised.v1",
        "data": {"n": seq},
        "meta": {},
        "recorded_at": datetime(2026, 1, 1, tzinfo=UTC),
        "prev_hash": prev,
    }
    row["hash"] = event_hash(
        prev_hash=prev, chain_seq=seq, event_id=row["event_id"], stream_id=row["stream_id"],
        version=1, village="141121100201", event_type="grid.issue.raised.v1",
        data=row["data"], meta={}, recorded_at=row["recorded_at"],
    )  # fmt: skip
    row.update(changes)
    return row


def _chain(n: int) -> list[dict[str, object]]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        rows.append(_row(seq, prev))
        prev = str(rows[-1]["hash"])
    return rows


def test_verifier_accepts_an_intact_chain() -> None:
    rows = _chain(4)
    verifier = ChainVerifier("141121100201")
    assert all(verifier.feed(r) for r in rows)
    report = verifier.finish(4, str(rows[-1]["hash"]))
    assert report.intact and report.checked == 4


def test_verifier_names_a_changed_event_a_missing_one_and_a_cut_tail() -> None:
    rows = _chain(4)
    rows[2]["data"] = {"n": 999}
    verifier = ChainVerifier("v")
    for row in rows:
        verifier.feed(row)
    report = verifier.finish(4, str(rows[-1]["hash"]))
    assert report.first_break is not None
    assert report.first_break.event_id == uuid.UUID(int=3)

    rows = _chain(4)
    verifier = ChainVerifier("v")
    for row in [rows[0], rows[2], rows[3]]:
        verifier.feed(row)
    assert verifier.finish(4, str(rows[-1]["hash"])).first_break.chain_seq == 2  # type: ignore[union-attr]

    rows = _chain(4)
    verifier = ChainVerifier("v")
    for row in rows[:3]:
        verifier.feed(row)
    cut = verifier.finish(4, str(rows[-1]["hash"]))
    assert (
        cut.first_break is not None and "records 4 events; 3 are stored" in cut.first_break.reason
    )


def test_consistency_tokens_parse_and_refuse_nonsense() -> None:
    assert parse("grid:141121100201:42,party:141121100202:7") == [
        Position("grid", "141121100201", 42),
        Position("party", "141121100202", 7),
    ]
    with pytest.raises(InvalidTokenError):
        parse("grid:1411:42")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_is_rfc8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


def test_an_events_place_reads_from_its_headers_as_the_envelope_has_it() -> None:
    envelope = _envelope()
    _, _, headers = envelope.to_kafka()
    place = Envelope.position_of(headers)
    assert (place.service, place.village, place.chainseq) == (
        envelope.service,
        envelope.village,
        envelope.chainseq,
    )
    assert Envelope.type_of(headers) == envelope.type


@pytest.mark.parametrize(
    ("header", "value"),
    [("ce_village", b"14112110020"), ("ce_chainseq", b"0"), ("ce_chainseq", b"x"),
     ("ce_source", b"/elsewhere/grid")],
)  # fmt: skip
def test_a_malformed_place_is_refused_not_counted(header: str, value: bytes) -> None:
    _, _, headers = _envelope().to_kafka()
    changed = [(n, value if n == header else v) for n, v in headers]
    with pytest.raises(ValueError, match="not a Xiangzhi event"):
        Envelope.position_of(changed)
