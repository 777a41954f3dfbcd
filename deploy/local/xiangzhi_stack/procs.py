"""Processes the launcher starts: recorded by pid, recognised by their command line, stopped by pid.

A pid file alone is not enough to stop "exactly the processes we started": after a reboot the
pid may belong to something else. Each record therefore keeps a marker that must appear in
``/proc/<pid>/cmdline`` before we treat the pid as ours.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path


class StackError(RuntimeError):
    """A step of the launcher failed; the message says which and where its log is."""


# The children this process spawned, kept referenced on purpose: a Popen that is garbage
# collected while its child runs goes on subprocess's private list, and the next Popen reaps
# it behind our back, so the supervisor would never learn the exit status. Keyed by pid.
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class ProcessRecord:
    name: str
    pid: int
    marker: str
    log: str
    started_at: float

    def is_alive(self) -> bool:
        return cmdline_contains(self.pid, self.marker)

    def has_exited(self, grace: float = 1.0) -> bool:
        """Dead for sure: still not found after ``grace`` seconds.

        A process in the middle of an exec shows an empty command line for a moment (the JVM's
        launcher re-executes itself); one look is not enough to call it dead.
        """
        if self.is_alive():
            return False
        time.sleep(grace)
        return not self.is_alive()


def cmdline_contains(pid: int, marker: str) -> bool:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    if not raw:  # a zombie has an empty command line
        return False
    return marker in raw.replace(b"\0", b" ").decode(errors="replace")


def record_path(run_dir: Path, name: str) -> Path:
    return run_dir / f"{name}.json"


def save(run_dir: Path, record: ProcessRecord) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: the supervisor rewrites records while `status` or `stop` in
    # another terminal may be reading them, and half a JSON document is no record.
    path = record_path(run_dir, record.name)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(asdict(record)))
    partial.replace(path)


def load(run_dir: Path, name: str) -> ProcessRecord | None:
    path = record_path(run_dir, name)
    if not path.exists():
        return None
    return ProcessRecord(**json.loads(path.read_text()))


def running(run_dir: Path, name: str) -> ProcessRecord | None:
    """The record of ``name`` if that very process still runs; stale records are removed."""
    record = load(run_dir, name)
    if record is None:
        return None
    if not record.has_exited():
        return record
    record_path(run_dir, name).unlink(missing_ok=True)
    return None


def spawn(
    run_dir: Path,
    name: str,
    cmd: list[str],
    *,
    log: Path,
    marker: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> ProcessRecord:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        # A session of its own: Ctrl-C in the terminal reaches the launcher, which then stops
        # its children in order, rather than every child at once.
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    _children[proc.pid] = proc
    record = ProcessRecord(name, proc.pid, marker, str(log), time.time())
    save(run_dir, record)
    return record


def stop(run_dir: Path, name: str, *, sig: int = signal.SIGTERM, timeout: float = 30.0) -> bool:
    """Stop the recorded process ``name``; True if one was running."""
    record = running(run_dir, name)
    if record is None:
        return False
    os.kill(record.pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(record.pid)
        if not record.is_alive():
            break
        time.sleep(0.1)
    else:
        os.kill(record.pid, signal.SIGKILL)
        killed_by = time.monotonic() + 10
        while record.is_alive() and time.monotonic() < killed_by:
            _reap(record.pid)
            time.sleep(0.05)
    record_path(run_dir, name).unlink(missing_ok=True)
    return True


def reap(pid: int) -> int | None:
    """Wait for our child ``pid`` without blocking: its exit code once it has ended, else None.

    The code is spelled as subprocess spells it (-N: ended by signal N). Raises
    ChildProcessError when ``pid`` is not our child (or was reaped already): then only /proc
    can tell whether it runs.
    """
    waited, status = os.waitpid(pid, os.WNOHANG)
    if waited == 0:
        return None
    _children.pop(pid, None)
    return os.waitstatus_to_exitcode(status)


def _reap(pid: int) -> None:
    # Our own children would linger as zombies (and look alive by pid) until waited for.
    with contextlib.suppress(ChildProcessError):
        reap(pid)


def tail(path: Path | str, lines: int = 30) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
