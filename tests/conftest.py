"""Suite-wide test configuration.

The harness itself (servers, per-test databases and topics, the unit/integration markers and
the no-I/O rule for unit tests) is the kit's pytest plugin, ``xiangzhi.testing.harness``, so
that every service's own tests get the same fixtures. It starts the servers through the stack
providers the launcher registers (``xiangzhi.stack_providers``), never by importing deploy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
