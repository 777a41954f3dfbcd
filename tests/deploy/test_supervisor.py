"""`make run` heals: a service killed with SIGKILL comes back by itself, the others never stop.

On a private stack (conftest.py), because the test kills a service and ends with Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
from xiangzhi_stack.procs import cmdline_contains

from .conftest import PrivateStack, our_processes

pytestmark = pytest.mark.integration

# Village 141121100201; Open311 reads are public and the gateway relays them to grid.
OPEN311 = "/api/v1/open311/v2/villages/141121100201/services.json"


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return None


def _next_pid(stack: PrivateStack, *, after: int, timeout: float) -> int:
    """The pid of the grid that replaced ``after``, once the supervisor has recorded it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = stack.records().get("service-grid")
        if record is not None and record["pid"] != after:
            return int(str(record["pid"]))
        time.sleep(0.05)
    pytest.fail(f"grid was not restarted after pid {after} within {timeout}s")


def test_a_killed_service_is_restarted_and_the_rest_keep_answering(
    private_stack: PrivateStack,
) -> None:
    stack = private_stack
    # Three crashes within a minute and it gives up (the default is five; the policy's unit
    # tests cover the arithmetic, this covers what giving up does to the platform).
    stack.env["XZ_STACK_RESTART_LIMIT_BURST"] = "3"
    run = stack.run()
    run.wait_for("Xiangzhi is up", timeout=240)
    stack_pids = [int(str(r["pid"])) for k, r in stack.records().items() if k.startswith("service")]
    before = stack.records()["service-grid"]
    old_pid = int(str(before["pid"]))
    assert _status(f"{stack.url('grid')}/health") == 200

    killed_at = time.monotonic()
    os.kill(old_pid, signal.SIGKILL)

    others: dict[str, list[int | None]] = {"party": [], "gateway": []}
    through_gateway: list[int | None] = []
    new_pid: int | None = None
    back_after: float | None = None
    while time.monotonic() - killed_at < 60:
        for name, seen in others.items():
            seen.append(_status(f"{stack.url(name)}/health"))
        through_gateway.append(_status(f"{stack.gateway}{OPEN311}"))
        record = stack.records().get("service-grid")
        if (
            record is not None
            and record["pid"] != old_pid
            and _status(f"{stack.url('grid')}/health") == 200
        ):
            back_after = time.monotonic() - killed_at
            new_pid = int(str(record["pid"]))
            break
        time.sleep(0.1)
    assert back_after is not None, f"grid did not come back within 60 s:\n{run.output}"
    print(f"\ngrid answered /health again {back_after:.2f}s after kill -9")

    assert not cmdline_contains(old_pid, "grid.app:create_app"), "the killed grid lingers"
    for name, seen in others.items():
        assert seen and all(code == 200 for code in seen), (name, seen)
    # While grid was down the gateway answered 503 for it (and only for it: its own /health
    # stayed 200 above); once grid is back the same route answers again.
    assert 503 in through_gateway, through_gateway
    assert _status(f"{stack.gateway}{OPEN311}") not in (None, 502, 503, 504)

    run.wait_for("grid stopped (killed by SIGKILL); restart 1 in 0.5s", timeout=5)
    run.wait_for(f"grid restarted, pid {new_pid}", timeout=5)
    run.wait_for("grid answers again", timeout=10)
    log = (stack.state / "logs" / "grid.log").read_text()
    assert "[xiangzhi-stack] grid stopped (killed by SIGKILL); restart 1 in 0.5s" in log
    assert f"[xiangzhi-stack] restarted by the launcher, pid {new_pid}" in log

    # Crash it twice more: one more restart, then the supervisor gives up on grid alone.
    os.kill(new_pid, signal.SIGKILL)
    run.wait_for("grid stopped (killed by SIGKILL); restart 2 in 1s", timeout=10)
    third = _next_pid(stack, after=new_pid, timeout=10)
    os.kill(third, signal.SIGKILL)
    run.wait_for("giving up on", timeout=10)
    time.sleep(2)  # longer than any backoff so far: nothing restarts it
    assert "service-grid" not in stack.records()
    assert _status(f"{stack.url('grid')}/health") is None
    assert _status(f"{stack.gateway}{OPEN311}") == 503
    assert run.process.poll() is None, "the platform keeps running without grid"
    for name in ("party", "economy", "livelihood", "gateway"):
        assert _status(f"{stack.url(name)}/health") == 200, name
    assert "giving up on it" in (stack.state / "logs" / "grid.log").read_text()

    assert run.interrupt() == 0
    # `run` started the stack, so Ctrl-C stops it too: nothing of ours is left.
    assert stack.records() == {}
    for pid in stack_pids:
        assert not cmdline_contains(pid, "app:create_app"), pid
    assert our_processes(str(stack.state)) == []
