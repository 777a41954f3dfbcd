"""The local launcher as an operator uses it: up (twice), status, run, Ctrl-C, down.

It starts a second, private stack (its own state folder and ports) so that it can prove that
`down` leaves no process of ours running without touching the stack the other tests use.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from xiangzhi.testing.servers import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "xiangzhi_stack.cli"]


def _our_processes(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


@pytest.fixture
def private_stack(tmp_path: Path):
    state = tmp_path / "stack"
    ports = {name: free_port() for name in ("grid", "party", "economy", "livelihood")}
    env = {
        **os.environ,
        "XZ_STACK_STATE_DIR": str(state),
        "XZ_STACK_CACHE_DIR": str(ROOT / ".stack" / "cache"),
        "XZ_STACK_KAFKA_PORT": str(free_port()),
        "XZ_STACK_KAFKA_CONTROLLER_PORT": str(free_port()),
        "XZ_STACK_KAFKA_HEAP": "512m",
        "XZ_STACK_POSTGRES_PORT": str(free_port()),
        "XZ_STACK_GATEWAY_PORT": str(free_port()),
        "XZ_STACK_SERVICE_PORTS": "{" + ",".join(f'"{k}":{v}' for k, v in ports.items()) + "}",
    }
    yield state, env
    subprocess.run([*CLI, "down"], env=env, capture_output=True, check=False)
    pointer = state / "postgres" / "location"
    if pointer.exists():
        shutil.rmtree(pointer.read_text().strip(), ignore_errors=True)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _pids(state: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted((state / "run").glob("*.json"))}


def test_up_is_idempotent_and_down_leaves_nothing_running(private_stack) -> None:
    state, env = private_stack
    first = _cli(env, "up")
    assert first.returncode == 0, first.stderr
    started = _pids(state)
    assert set(started) == {"kafka", "postgres"}

    second = _cli(env, "up")
    assert second.returncode == 0, second.stderr
    assert _pids(state) == started, "a second `up` must reuse the running processes"

    status = _cli(env, "status", "--check")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "1 broker(s)" in status.stdout
    assert "grid.events" in status.stdout

    # `make run`: every service and the gateway, the URL printed, Ctrl-C ends them.
    run = subprocess.Popen(
        [*CLI, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert run.stdout is not None
    output = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = run.stdout.readline()
        output.append(line)
        if "Xiangzhi is up" in line or not line:
            break
    assert "Xiangzhi is up" in output[-1], "".join(output)
    gateway = f"http://127.0.0.1:{env['XZ_STACK_GATEWAY_PORT']}"
    assert gateway in output[-1]
    assert httpx.get(f"{gateway}/health").json() == {"status": "ok", "service": "gateway"}
    ports = {**json.loads(env["XZ_STACK_SERVICE_PORTS"]), "gateway": env["XZ_STACK_GATEWAY_PORT"]}
    for name, port in ports.items():
        ready = httpx.get(f"http://127.0.0.1:{port}/ready")
        assert ready.status_code == 200, (name, ready.text)
    services = {k for k in _pids(state) if k.startswith("service-")}
    assert services == {
        f"service-{n}" for n in ("grid", "party", "economy", "livelihood", "gateway")
    }

    run.send_signal(signal.SIGINT)
    assert run.wait(timeout=60) == 0
    # The stack was up before `run`, so `run` stops only what it started: the services.
    assert set(_pids(state)) == {"kafka", "postgres"}

    down = _cli(env, "down")
    assert down.returncode == 0, down.stderr
    assert _pids(state) == {}
    assert _our_processes(str(state)) == []
    pointer = (state / "postgres" / "location").read_text().strip()
    assert _our_processes(f"-D {pointer}/data") == []
