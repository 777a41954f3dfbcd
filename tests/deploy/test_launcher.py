"""The local launcher as an operator uses it: up (twice), status, run, Ctrl-C, down.

It starts a second, private stack (its own state folder and ports; see conftest.py) so that it
can prove that `down` leaves no process of ours running without touching the stack the other
tests use.
"""

from __future__ import annotations

import httpx
import pytest
from xiangzhi import services
from xiangzhi_stack.procs import cmdline_contains

from .conftest import PrivateStack, our_processes

pytestmark = pytest.mark.integration

SERVICE_RECORDS = {f"service-{s.name}" for s in services.SERVICES}


def test_up_is_idempotent_and_down_leaves_nothing_running(private_stack: PrivateStack) -> None:
    stack = private_stack
    first = stack.cli("up")
    assert first.returncode == 0, first.stderr
    started = stack.records()
    assert set(started) == {"kafka", "postgres"}

    second = stack.cli("up")
    assert second.returncode == 0, second.stderr
    assert stack.records() == started, "a second `up` must reuse the running processes"

    status = stack.cli("status", "--check")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "1 broker(s)" in status.stdout
    assert "grid.events" in status.stdout

    # `make run`: every service and the gateway, the URL printed, Ctrl-C ends them.
    run = stack.run()
    up = run.wait_for("Xiangzhi is up", timeout=120)
    assert stack.gateway in up
    assert httpx.get(f"{stack.gateway}/health").json() == {"status": "ok", "service": "gateway"}
    for name in stack.ports:
        ready = httpx.get(f"{stack.url(name)}/ready")
        assert ready.status_code == 200, (name, ready.text)
    assert {k for k in stack.records() if k.startswith("service-")} == SERVICE_RECORDS
    assert "launcher" in stack.records(), "`stop` finds a running `run` by this record"

    # A second `run` beside the first would supervise the same services twice.
    again = stack.cli("run")
    assert again.returncode == 1
    assert "already runs" in again.stderr

    assert run.interrupt() == 0
    # The stack was up before `run`, so `run` stops only what it started: the services.
    assert set(stack.records()) == {"kafka", "postgres"}

    # `run` again, then `down` (what `make stop` calls) from another terminal: it asks `run` to
    # stop rather than stopping the services under the supervisor, which would restart them.
    rerun = stack.run()
    rerun.wait_for("Xiangzhi is up", timeout=120)
    services = [r["pid"] for k, r in stack.records().items() if k.startswith("service-")]
    down = stack.cli("down")
    assert down.returncode == 0, down.stderr
    assert rerun.process.wait(timeout=30) == 0
    assert "restart" not in rerun.output, rerun.output
    assert stack.records() == {}
    assert our_processes(str(stack.state)) == []
    assert not [pid for pid in services if cmdline_contains(int(str(pid)), "app:create_app")]
    pointer = (stack.state / "postgres" / "location").read_text().strip()
    assert our_processes(f"-D {pointer}/data") == []
