"""`make run`'s environment for a private copy of the platform: only folders and ports change.

Shared by the launcher's own tests and the e2e suite, which start `xiangzhi-stack run` beside
the stack the other tests use (and beside a developer's own `make run`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from xiangzhi import services
from xiangzhi.testing.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
# The services behind the gateway, from the kit's list (the gateway's port is a setting apart).
SERVICES = services.UPSTREAM_NAMES


def private_env(state_dir: Path) -> dict[str, str]:
    """The launcher's settings (XZ_STACK_*) for a state folder of its own, on free ports."""
    service_ports = {name: free_port() for name in SERVICES}
    return {
        **os.environ,
        "XZ_STACK_STATE_DIR": str(state_dir),
        # The Kafka jars of the project's own stack are reused, not downloaded again.
        "XZ_STACK_CACHE_DIR": str(ROOT / ".stack" / "cache"),
        "XZ_STACK_KAFKA_PORT": str(free_port()),
        "XZ_STACK_KAFKA_CONTROLLER_PORT": str(free_port()),
        "XZ_STACK_KAFKA_HEAP": "512m",
        "XZ_STACK_POSTGRES_PORT": str(free_port()),
        "XZ_STACK_GATEWAY_PORT": str(free_port()),
        "XZ_STACK_SERVICE_PORTS": json.dumps(service_ports),
    }


def private_ports(env: dict[str, str]) -> dict[str, int]:
    """Each service's port and the gateway's, as ``private_env`` chose them."""
    return {
        **json.loads(env["XZ_STACK_SERVICE_PORTS"]),
        "gateway": int(env["XZ_STACK_GATEWAY_PORT"]),
    }
