"""Keeps `make run`'s services running: a crashed service is restarted, the platform stays up.

Two parts. ``RestartPolicy`` and ``CrashHistory`` decide (no I/O, the clock is passed in):
exponential backoff between restarts, reset once a service has stayed up a while, and a limit in
the manner of systemd's StartLimitBurst/StartLimitIntervalSec after which a service that keeps
crashing is left down. ``Supervisor`` applies them to the uvicorn processes ``run`` started.

One service left down costs only that service: the gateway answers 503 for its routes while
everything else goes on, which is better than taking Kafka and PostgreSQL down with it.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from . import platform, procs
from .config import StackSettings


@dataclass(frozen=True)
class RestartPolicy:
    """When to restart a crashed service, and when to stop trying."""

    first_delay: float = 0.5
    max_delay: float = 10.0
    factor: float = 2.0
    # A service that ran this long before it crashed is back to the first delay: it was
    # working, so this crash is news rather than the next round of a crash loop.
    reset_after: float = 30.0
    # Give up once it has crashed `burst` times within `interval` seconds.
    burst: int = 5
    interval: float = 60.0

    def __post_init__(self) -> None:
        if self.first_delay <= 0 or self.max_delay < self.first_delay or self.factor < 1:
            raise ValueError("need 0 < first_delay <= max_delay and factor >= 1")
        if self.burst < 1 or self.interval <= 0:
            raise ValueError("need burst >= 1 and interval > 0")

    @classmethod
    def from_settings(cls, settings: StackSettings) -> RestartPolicy:
        return cls(
            first_delay=settings.restart_delay,
            max_delay=settings.restart_max_delay,
            reset_after=settings.restart_reset_after,
            burst=settings.restart_limit_burst,
            interval=settings.restart_limit_interval,
        )

    def delay(self, attempt: int) -> float:
        """The wait before restart number ``attempt`` (1, 2, …) of one run of crashes."""
        if attempt < 1:
            raise ValueError("attempts count from 1")
        # The exponent is capped: a service that crashes every 20 s for days never resets its
        # count, and 2.0 ** 1024 would overflow.
        return min(self.max_delay, self.first_delay * self.factor ** min(attempt - 1, 64))


@dataclass(frozen=True)
class Restart:
    attempt: int
    delay: float


@dataclass(frozen=True)
class GiveUp:
    crashes: int
    interval: float


@dataclass
class CrashHistory:
    """One service's crashes; ``crashed`` says what to do about the latest one."""

    policy: RestartPolicy
    _attempt: int = field(default=0, init=False)
    _recent: deque[float] = field(default_factory=deque, init=False)

    def crashed(self, *, at: float, up_for: float) -> Restart | GiveUp:
        """``at``: when it crashed (a monotonic clock); ``up_for``: how long that run lasted."""
        if up_for >= self.policy.reset_after:
            self._attempt = 0
        while self._recent and at - self._recent[0] >= self.policy.interval:
            self._recent.popleft()
        self._recent.append(at)
        if len(self._recent) >= self.policy.burst:
            return GiveUp(len(self._recent), self.policy.interval)
        self._attempt += 1
        return Restart(self._attempt, self.policy.delay(self._attempt))


def describe_exit(code: int | None) -> str:
    """``code`` as subprocess gives it (-N: signal N) in words."""
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


Say = Callable[[str], None]


@dataclass
class _Watched:
    name: str
    port: int
    history: CrashHistory
    record: procs.ProcessRecord | None
    started: float
    restart_at: float | None = None
    # When the process went missing from /proc; only used for one we cannot wait for.
    missing_since: float | None = None
    # When it crashed, until the restarted process answers /health.
    down_since: float | None = None
    given_up: bool = False


class Supervisor:
    """Watches the services ``run`` started; call ``tick`` a few times a second.

    ``tick`` never blocks for long: backoff delays are deadlines checked on later ticks, and a
    process is found dead by ``waitpid`` (it is our child) rather than by ``procs.running``,
    whose one-second grace per dead process would stall every other service's check.
    """

    # How long a process that is not our child must stay gone from /proc to count as dead
    # (see procs.ProcessRecord.has_exited: one look may catch it mid-exec).
    MISSING_GRACE = 1.0

    def __init__(
        self,
        settings: StackSettings,
        services: dict[str, int],
        *,
        say: Say,
        warn: Say,
        alarm: Say,
        policy: RestartPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._say, self._warn, self._alarm = say, warn, alarm
        self._clock = clock
        policy = policy or RestartPolicy.from_settings(settings)
        now = clock()
        self._watched = [
            _Watched(
                name,
                port,
                CrashHistory(policy),
                procs.load(settings.run_dir, platform.record_name(name)),
                # A reused process may have run for long; counting from now is the safe side.
                now,
            )
            for name, port in services.items()
        ]

    def tick(self) -> None:
        for watched in self._watched:
            if not watched.given_up:
                self._check(watched, self._clock())

    def _check(self, w: _Watched, now: float) -> None:
        if w.restart_at is not None:
            if now >= w.restart_at:
                self._restart(w, now)
            return
        exited, code = self._exited(w, now)
        if not exited:
            if w.down_since is not None and self._answers(w):
                self._say(f"{w.name} answers again ({now - w.down_since:.1f}s after it stopped)")
                w.down_since = None
            return
        procs.record_path(self._settings.run_dir, platform.record_name(w.name)).unlink(
            missing_ok=True
        )
        w.record = None
        if w.down_since is None:
            w.down_since = now
        how = describe_exit(code)
        decision = w.history.crashed(at=now, up_for=now - w.started)
        if isinstance(decision, Restart):
            message = f"{w.name} stopped ({how}); restart {decision.attempt} in {decision.delay:g}s"
            self._warn(message)
            self._log(w, message)
            w.restart_at = now + decision.delay
        else:
            message = (
                f"{w.name} stopped ({how}) and crashed {decision.crashes} times within "
                f"{decision.interval:g}s: giving up on it; the other services keep running and "
                f"the gateway answers 503 for {w.name}. See {self._log_path(w)}"
            )
            self._alarm(message)
            self._log(w, message)
            w.given_up = True

    def _exited(self, w: _Watched, now: float) -> tuple[bool, int | None]:
        """Whether the service's process has ended, and its exit code if known."""
        if w.record is None:
            return True, None
        try:
            code = procs.reap(w.record.pid)
        except ChildProcessError:
            # Not our child (a service an earlier `run` started and this one reused): only
            # /proc can tell, and without an exit status.
            if w.record.is_alive():
                w.missing_since = None
                return False, None
            if w.missing_since is None:
                w.missing_since = now
            return now - w.missing_since >= self.MISSING_GRACE, None
        return code is not None, code

    def _restart(self, w: _Watched, now: float) -> None:
        w.restart_at, w.missing_since = None, None
        # Set before spawning: a spawn that fails counts as a crash of a run that lasted 0 s.
        w.started = now
        try:
            w.record = platform.spawn_service(self._settings, w.name, w.port)
        except OSError as exc:
            # Counted as a crash on the next tick (no record), so the backoff and the limit
            # apply to a service that cannot even be started.
            self._warn(f"{w.name} could not be started: {exc}")
            self._log(w, f"could not be started: {exc}")
            return
        self._say(f"{w.name} restarted, pid {w.record.pid}")
        self._log(w, f"restarted by the launcher, pid {w.record.pid}")

    def _answers(self, w: _Watched) -> bool:
        url = f"http://{self._settings.host}:{w.port}/health"
        try:
            # Short: this runs inside the loop that watches every other service too.
            return httpx.get(url, timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    def _log_path(self, w: _Watched) -> Path:
        return platform.log_path(self._settings, w.name)

    def _log(self, w: _Watched, message: str) -> None:
        # The service's own log, so that whoever reads why it crashed also reads what followed.
        path = self._log_path(w)
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        with path.open("a") as log:
            log.write(f"{stamp} [xiangzhi-stack] {message}\n")
