"""PostgreSQL from Debian's packages, with its own cluster in the stack's state folder.

PostgreSQL refuses to run as root. When the launcher runs as root (CI does) the server runs as
the unprivileged ``postgres`` user that the Debian package creates.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import asyncpg

from . import procs
from .config import StackSettings

NAME = "postgres"


def bindir() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = []
    for candidate in Path("/usr/lib/postgresql").glob("*/bin/postgres"):
        major = candidate.parent.parent.name
        if re.fullmatch(r"\d+", major):
            found.append((int(major), candidate.parent))
    if found:
        return max(found)[1]
    postgres = shutil.which("postgres")
    return Path(postgres).resolve().parent if postgres else None


def install() -> Path:
    """Install the server with apt when its binaries are missing."""
    existing = bindir()
    if existing is not None:
        return existing
    if os.geteuid() != 0:
        raise procs.StackError(
            "PostgreSQL is not installed; run as root or: sudo apt-get install -y postgresql"
        )
    print("installing PostgreSQL from Debian's packages (apt-get install postgresql)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
    ):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise procs.StackError(f"{' '.join(cmd)} failed:\n{result.stderr[-2000:]}")
    found = bindir()
    if found is None:
        raise procs.StackError("apt installed postgresql but no server binary was found")
    return found


def _as_server_user(settings: StackSettings, cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", settings.postgres_os_user, "--", *cmd]


def _server_can_reach(settings: StackSettings, path: Path) -> bool:
    check = _as_server_user(settings, ["test", "-w", str(path)])
    return subprocess.run(check, capture_output=True, check=False).returncode == 0


def cluster_dir(settings: StackSettings) -> Path:
    """Where the cluster lives: in the state folder, or beside it when the server user can't
    reach the project (a checkout under /root, say)."""
    pointer = settings.state_dir / "postgres" / "location"
    if pointer.exists():
        return Path(pointer.read_text().strip())
    base = settings.state_dir / "postgres"
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, user=settings.postgres_os_user, group=settings.postgres_os_user)
        if not _server_can_reach(settings, base):
            digest = hashlib.sha256(str(settings.state_dir.resolve()).encode()).hexdigest()[:12]
            # Outside /tmp: systemd-tmpfiles cleans /tmp, and a database must not vanish.
            base = Path("/var/tmp") / f"xiangzhi-postgres-{digest}"  # noqa: S108
            base.mkdir(parents=True, exist_ok=True)
            shutil.chown(base, user=settings.postgres_os_user, group=settings.postgres_os_user)
    pointer.write_text(str(base))
    return base


def _initdb(settings: StackSettings, bin_dir: Path, data: Path) -> None:
    if (data / "PG_VERSION").exists():
        return
    pwfile = data.parent / "initdb.pw"
    pwfile.write_text(settings.postgres_password.get_secret_value())
    if os.geteuid() == 0:
        shutil.chown(pwfile, user=settings.postgres_os_user)
    try:
        cmd = [
            str(bin_dir / "initdb"),
            "-D", str(data),
            "-U", settings.postgres_user,
            f"--pwfile={pwfile}",
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
        ]  # fmt: skip
        result = subprocess.run(
            _as_server_user(settings, cmd), capture_output=True, text=True, check=False
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise procs.StackError(f"initdb failed:\n{result.stdout}\n{result.stderr}")


def _server_options(settings: StackSettings, socket_dir: Path) -> list[str]:
    return [
        "-p", str(settings.postgres_port),
        "-c", f"listen_addresses={settings.host}",
        "-c", f"unix_socket_directories={socket_dir}",
        # Tests give every test its own database and each service keeps a pool.
        "-c", "max_connections=300",
        "-c", "shared_buffers=512MB",
        "-c", "timezone=UTC",
        "-c", "log_timezone=UTC",
    ]  # fmt: skip


def start(settings: StackSettings) -> procs.ProcessRecord:
    existing = procs.running(settings.run_dir, NAME)
    if existing is not None:
        asyncio.run(wait_accepting(settings))
        return existing
    bin_dir = install()
    base = cluster_dir(settings)
    data = base / "data"
    _initdb(settings, bin_dir, data)
    record = procs.spawn(
        settings.run_dir,
        NAME,
        _as_server_user(
            settings,
            [str(bin_dir / "postgres"), "-D", str(data), *_server_options(settings, base)],
        ),
        log=settings.log_dir / "postgres.log",
        marker=f"-D {data}",
    )
    # runuser stays in between as the parent; record the postmaster itself so that a stop
    # signals the server and not only its wrapper.
    postmaster = _wait_postmaster_pid(record, data)
    record = procs.ProcessRecord(NAME, postmaster, f"-D {data}", record.log, record.started_at)
    procs.save(settings.run_dir, record)
    asyncio.run(wait_accepting(settings, record))
    asyncio.run(ensure_databases(settings))
    return record


def _wait_postmaster_pid(record: procs.ProcessRecord, data: Path, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    pidfile = data / "postmaster.pid"
    while time.monotonic() < deadline:
        try:
            pid = int(pidfile.read_text().splitlines()[0])
            if procs.cmdline_contains(pid, f"-D {data}"):
                return pid
        except (FileNotFoundError, IndexError, ValueError, PermissionError):
            pass
        if record.has_exited():
            raise procs.StackError(f"PostgreSQL exited during start-up:\n{procs.tail(record.log)}")
        time.sleep(0.1)
    raise procs.StackError(f"PostgreSQL wrote no postmaster.pid within {timeout}s")


async def wait_accepting(
    settings: StackSettings, record: procs.ProcessRecord | None = None, within: float = 60.0
) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            conn = await asyncpg.connect(settings.postgres_dsn(), timeout=5)
            await conn.execute("select 1")
            await conn.close()
            return
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            if record is not None and record.has_exited():
                raise procs.StackError(
                    f"PostgreSQL exited during start-up:\n{procs.tail(record.log)}"
                ) from exc
            if asyncio.get_running_loop().time() > deadline:
                raise procs.StackError(f"PostgreSQL refused connections: {exc}") from exc
            await asyncio.sleep(0.2)


async def ensure_databases(settings: StackSettings) -> None:
    """One database per service; created once, kept across restarts."""
    conn = await asyncpg.connect(settings.postgres_dsn())
    try:
        existing = {r["datname"] for r in await conn.fetch("select datname from pg_database")}
        for name in settings.databases:
            if name not in existing:
                await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()


async def server_version(settings: StackSettings) -> str:
    conn = await asyncpg.connect(settings.postgres_dsn(), timeout=5)
    try:
        return str(await conn.fetchval("show server_version"))
    finally:
        await conn.close()


def stop(settings: StackSettings) -> bool:
    # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    return procs.stop(settings.run_dir, NAME, sig=signal.SIGINT, timeout=60.0)
