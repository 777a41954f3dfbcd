"""The platform as `make run` runs it, in a private state folder on free ports.

`make run` is ``uv run --frozen xiangzhi-stack run``: the launcher's ``run`` command starts Kafka
and PostgreSQL, then every service and the gateway as uvicorn processes, prints
"Xiangzhi is up: <url>" and runs until Ctrl-C. :func:`platform_running` does exactly that
(``python -m xiangzhi_stack.cli run``) with only the ports and folders changed, so that it
leaves the shared stack of the other tests (and a developer's own ``make run``) alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import httpx

from tests.private_stack import ROOT, private_env

CLI = [sys.executable, "-m", "xiangzhi_stack.cli"]
HOST = "127.0.0.1"
# The launcher's PostgreSQL role (StackSettings' defaults, as `make run` uses them).
PG_USER, PG_PASSWORD = "xiangzhi", "xiangzhi-local"
# What `make run` answers with once every service and the gateway answer /health.
UP_LINE = re.compile(r"Xiangzhi is up: (http://[0-9.]+:\d+)")


class Credentials(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...


@dataclass
class RunningPlatform:
    """A running `make run`: where everything answers, and how to act on it."""

    state_dir: Path
    env: dict[str, str]  # the launcher's environment (XZ_STACK_* overrides included)
    gateway_url: str  # as the launcher printed it: http://127.0.0.1:<port>
    service_urls: dict[str, str]  # each service's own base URL, e.g. service_urls["grid"]
    launcher: subprocess.Popen[bytes]
    launcher_log: Path  # everything the launcher printed
    _tokens: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ---------------------------------------------------------------- where things are

    @property
    def postgres_port(self) -> int:
        return int(self.env["XZ_STACK_POSTGRES_PORT"])

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    def dsn(self, database: str) -> str:
        """The PostgreSQL DSN of one of the platform's databases (grid, party, …, gateway)."""
        return f"postgresql://{PG_USER}:{PG_PASSWORD}@{HOST}:{self.postgres_port}/{database}"

    def pid(self, service: str) -> int | None:
        """The pid the launcher recorded for a service (``run/service-<name>.json``)."""
        record = self.run_dir / f"service-{service}.json"
        if not record.exists():
            return None
        return int(json.loads(record.read_text())["pid"])

    def launcher_output(self, lines: int = 40) -> str:
        text = self.launcher_log.read_text(errors="replace") if self.launcher_log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def service_log(self, service: str, lines: int = 40) -> str:
        log = self.state_dir / "logs" / f"{service}.log"
        text = log.read_text(errors="replace") if log.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # ---------------------------------------------------------------- acting on it

    def gateway_admin(
        self, *args: str, stdin: str | None = None, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the gateway's ``gateway-admin`` against this platform's ``gateway`` database.

        ``stdin`` is what it reads (a password prompt reads it too: the command runs in a
        session of its own, without a terminal for ``getpass`` to open)."""
        script = Path(sys.executable).parent / "gateway-admin"
        cmd = [str(script)] if script.exists() else ["uv", "run", "--frozen", "gateway-admin"]
        env = {**os.environ, **(extra_env or {}), "GATEWAY_POSTGRES_DSN": self.dsn("gateway")}
        return subprocess.run(
            [*cmd, *args], input=stdin or "", env=env, cwd=ROOT, capture_output=True, text=True,
            timeout=120, check=False, start_new_session=True,
        )  # fmt: skip

    def token_response(self, username: str, password: str) -> httpx.Response:
        """``POST /api/v1/auth/token`` with the password grant, as any client sends it."""
        return httpx.post(
            f"{self.gateway_url}/api/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": password},
            timeout=30,
        )

    def login(self, username: str, password: str) -> str:
        """Log in through the gateway; the access token (AssertionError if refused)."""
        response = self.token_response(username, password)
        assert response.status_code == 200, (
            f"login of {username} answered {response.status_code}: {response.text}"
        )
        token: str = response.json()["access_token"]
        return token

    def bearer(self, who: Credentials) -> dict[str, str]:
        """``Authorization: Bearer …`` for ``who``; a token is reused for 10 of its 15 minutes."""
        key = (who.username, who.password)
        with self._lock:
            cached = self._tokens.get(key)
        if cached is None or time.monotonic() - cached[1] > 600:
            cached = (self.login(who.username, who.password), time.monotonic())
            with self._lock:
                self._tokens[key] = cached
        return {"Authorization": f"Bearer {cached[0]}"}

    def client(self, who: Credentials | None = None, **headers: str) -> httpx.Client:
        """An HTTP client of the gateway, logged in as ``who`` (anonymous without)."""
        auth = self.bearer(who) if who is not None else {}
        return httpx.Client(base_url=self.gateway_url, headers={**auth, **headers}, timeout=30)

    def query(self, database: str, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Rows of a query on one of the platform's databases (for checks, not for set-up)."""

        async def fetch() -> list[dict[str, Any]]:
            conn = await asyncpg.connect(self.dsn(database))
            try:
                return [dict(r) for r in await conn.fetch(sql, *args)]
            finally:
                await conn.close()

        # A thread of its own: callers may be inside a running event loop.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, fetch()).result(timeout=60)


def _wait_until_up(launcher: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = UP_LINE.search(text)
        if found:
            return found.group(1)
        if launcher.poll() is not None:
            raise RuntimeError(f"`xiangzhi-stack run` exited ({launcher.returncode}):\n{text}")
        time.sleep(0.2)
    text = log.read_text(errors="replace") if log.exists() else ""
    raise RuntimeError(f"`xiangzhi-stack run` did not say 'Xiangzhi is up' in {timeout}s:\n{text}")


def stop(launcher: subprocess.Popen[bytes], env: dict[str, str], state_dir: Path) -> str:
    """Ctrl-C, as a user ends `make run`; then `down` and the PostgreSQL data folder removed."""
    said = []
    if launcher.poll() is None:
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=120)
        except subprocess.TimeoutExpired:
            said.append("the launcher did not stop on Ctrl-C in 120 s; killed")
            launcher.kill()
            launcher.wait(timeout=30)
    down = subprocess.run(
        [*CLI, "down"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    said.append(down.stdout + down.stderr)
    pointer = state_dir / "postgres" / "location"
    if pointer.exists():
        shutil.rmtree(pointer.read_text().strip(), ignore_errors=True)
    return "\n".join(said)


@contextlib.contextmanager
def platform_running(folder: Path, timeout: float = 300.0) -> Iterator[RunningPlatform]:
    """`make run` in ``folder`` (its state folder and the launcher's output), stopped after."""
    state_dir = folder / "stack"
    env = private_env(state_dir)
    log = folder / "launcher.log"
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            [*CLI, "run"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        gateway_url = _wait_until_up(launcher, log, timeout)
        expected = f"http://{HOST}:{env['XZ_STACK_GATEWAY_PORT']}"
        assert gateway_url == expected, f"the launcher printed {gateway_url}, not {expected}"
        ports = json.loads(env["XZ_STACK_SERVICE_PORTS"])
        yield RunningPlatform(
            state_dir=state_dir,
            env=env,
            gateway_url=gateway_url,
            service_urls={name: f"http://{HOST}:{port}" for name, port in ports.items()},
            launcher=launcher,
            launcher_log=log,
        )
    finally:
        stop(launcher, env, state_dir)


# -------------------------------------------------------------------- the README's login


@dataclass(frozen=True)
class ReadmeRun:
    block: str  # the block as it ran (ports substituted)
    password: str  # what was typed at its prompt
    result: subprocess.CompletedProcess[str]

    def answer(self) -> dict[str, Any] | None:
        """The JSON object curl printed last, if any."""
        for line in reversed(self.result.stdout.splitlines()):
            start = line.find("{")
            if start >= 0:
                with contextlib.suppress(ValueError):
                    answer: dict[str, Any] = json.loads(line[start:])
                    return answer
        return None


def readme_login_block(readme: Path = ROOT / "README.md") -> str:
    """The README's ```sh block that creates the first administrator and logs in."""
    blocks = re.findall(r"^```sh\n(.*?)^```", readme.read_text(), flags=re.MULTILINE | re.DOTALL)
    found = [b for b in blocks if "gateway-admin create-county-admin" in b]
    assert len(found) == 1, f"README.md has {len(found)} sh blocks running gateway-admin"
    return str(found[0])


def run_readme_login(platform: RunningPlatform, password: str) -> ReadmeRun:
    """The README's login block, verbatim but for the ports, run with bash from the project
    root; ``password`` is typed at its prompt (stdin)."""
    block = readme_login_block()
    for default in ("127.0.0.1:8000", "127.0.0.1:15432"):
        # Substituting nothing would send the block to the shared stack (or a developer's).
        assert default in block, f"the README's login block no longer names {default}"
    block = block.replace("127.0.0.1:8000", platform.gateway_url.removeprefix("http://"))
    block = block.replace("127.0.0.1:15432", f"{HOST}:{platform.postgres_port}")
    home_bin = str(Path.home() / ".local" / "bin")
    env = {
        **os.environ,
        # As the Makefile has it: uv on the PATH, and uv never rewrites uv.lock.
        "PATH": f"{os.environ.get('PATH', '')}:{home_bin}",
        "UV_FROZEN": "1",
    }
    result = subprocess.run(
        ["bash", "-c", block], input=password + "\n", env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=300, check=False, start_new_session=True,  # no terminal to prompt on
    )  # fmt: skip
    return ReadmeRun(block, password, result)


def run_demo(platform: RunningPlatform, villages: int) -> dict[str, Any]:
    """``xiangzhi-stack demo --villages N`` as `make demo` runs it, pointed at this platform by
    the launcher's own settings (XZ_STACK_*); what it did, from its ``--json``."""
    done = subprocess.run(
        [*CLI, "demo", "--villages", str(villages), "--json", "--all-users"],
        env=platform.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-4000:]}"
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report
