"""The Kafka cluster id the launcher formats storage with: Kafka's Uuid text form, and never
starting with "-" (the storage tool would take it for an option and refuse to format)."""

from __future__ import annotations

import base64

import pytest
from xiangzhi_stack.kafka import _new_cluster_id

pytestmark = pytest.mark.unit


def test_cluster_ids_are_kafka_uuids_that_never_start_with_a_dash() -> None:
    ids = [_new_cluster_id() for _ in range(5000)]  # a dash would be ~78 of them, by chance
    assert not [i for i in ids if i.startswith("-")]
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
    assert len(set(ids)) == len(ids)
