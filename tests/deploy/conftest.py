"""A private stack for the launcher's tests: its own state folder, ports, Kafka and PostgreSQL.

It lets a test prove that `down` (or Ctrl-C) leaves no process of ours running, or kill a
service, without touching the stack the other tests use. The Kafka jars come from the shared
cache, so nothing is downloaded twice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.private_stack import private_env, private_ports

CLI = [sys.executable, "-m", "xiangzhi_stack.cli"]


def our_processes(marker: str) -> list[int]:
    """Every process (but this one) whose command line contains ``marker``."""
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


@dataclass
class RunningPlatform:
    """`xiangzhi-stack run` as a child of the test; its console read by a thread as it comes."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> str:
        """The first line containing ``text``; fails with the output so far if none comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the reader catch the last lines
                break
            time.sleep(0.1)
        pytest.fail(f"no {text!r} from `run` in {timeout}s:\n{self.output}")

    def interrupt(self, timeout: float = 120.0) -> int:
        """Ctrl-C, as in a terminal; its exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)


@dataclass
class PrivateStack:
    state: Path
    env: dict[str, str]
    ports: dict[str, int]
    started: list[RunningPlatform] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *args], env=self.env, capture_output=True, text=True, timeout=300, check=False
        )

    def records(self) -> dict[str, dict[str, object]]:
        """The launcher's process records, by name."""
        return {
            p.stem: json.loads(p.read_text()) for p in sorted((self.state / "run").glob("*.json"))
        }

    def run(self) -> RunningPlatform:
        process = subprocess.Popen(
            [*CLI, "run"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.started.append(RunningPlatform(process))
        return self.started[-1]


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[PrivateStack]:
    state = tmp_path / "stack"
    env = private_env(state)
    ports = private_ports(env)
    stack = PrivateStack(state, env, ports)
    yield stack
    for running in stack.started:  # still going if the test failed
        if running.process.poll() is None:
            try:
                running.interrupt()
            except subprocess.TimeoutExpired:
                running.process.kill()
                running.process.wait()
    stack.cli("down")
    pointer = state / "postgres" / "location"
    if pointer.exists():
        shutil.rmtree(pointer.read_text().strip(), ignore_errors=True)
