"""The supervisor's restart policy: backoff, its reset, and the limit after which it gives up."""

from __future__ import annotations

import signal

import pytest
from xiangzhi_stack.config import StackSettings
from xiangzhi_stack.supervisor import (
    CrashHistory,
    GiveUp,
    Restart,
    RestartPolicy,
    describe_exit,
)

pytestmark = pytest.mark.unit


def test_delays_double_from_half_a_second_up_to_the_cap() -> None:
    policy = RestartPolicy(first_delay=0.5, max_delay=10.0)
    assert [policy.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_service_that_crashes_for_days_does_not_overflow_the_delay() -> None:
    assert RestartPolicy().delay(100_000) == RestartPolicy().max_delay


def test_crashes_spread_out_are_restarted_with_growing_delays() -> None:
    # Spaced 20 s apart: never 5 within 60 s, never up long enough to reset.
    history = CrashHistory(RestartPolicy(burst=5, interval=60.0, reset_after=30.0))
    decisions = [history.crashed(at=20.0 * n, up_for=15.0) for n in range(8)]
    assert decisions == [
        Restart(1, 0.5),
        Restart(2, 1.0),
        Restart(3, 2.0),
        Restart(4, 4.0),
        Restart(5, 8.0),
        Restart(6, 10.0),
        Restart(7, 10.0),
        Restart(8, 10.0),
    ]


def test_staying_up_a_while_resets_the_backoff() -> None:
    history = CrashHistory(RestartPolicy(reset_after=30.0))
    assert history.crashed(at=0.0, up_for=1.0) == Restart(1, 0.5)
    assert history.crashed(at=2.0, up_for=1.5) == Restart(2, 1.0)
    assert history.crashed(at=3.5, up_for=0.5) == Restart(3, 2.0)
    assert history.crashed(at=100.0, up_for=90.0) == Restart(1, 0.5)
    assert history.crashed(at=101.0, up_for=0.5) == Restart(2, 1.0)


def test_gives_up_on_the_fifth_crash_within_the_window() -> None:
    history = CrashHistory(RestartPolicy(burst=5, interval=60.0))
    for n, at in enumerate((0.0, 1.0, 3.0, 6.0), start=1):
        assert isinstance(history.crashed(at=at, up_for=0.5), Restart), n
    assert history.crashed(at=59.9, up_for=0.5) == GiveUp(crashes=5, interval=60.0)


def test_crashes_older_than_the_window_no_longer_count() -> None:
    history = CrashHistory(RestartPolicy(burst=3, interval=10.0, reset_after=1000.0))
    assert isinstance(history.crashed(at=0.0, up_for=1.0), Restart)
    assert isinstance(history.crashed(at=5.0, up_for=1.0), Restart)
    # The crash at 0 s has left the window: two in the last 10 s, not three.
    assert history.crashed(at=10.0, up_for=1.0) == Restart(3, 2.0)
    assert history.crashed(at=14.0, up_for=1.0) == GiveUp(crashes=3, interval=10.0)


def test_a_burst_of_one_never_restarts() -> None:
    history = CrashHistory(RestartPolicy(burst=1))
    assert history.crashed(at=0.0, up_for=100.0) == GiveUp(crashes=1, interval=60.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"first_delay": 0.0},
        {"first_delay": 5.0, "max_delay": 1.0},
        {"factor": 0.5},
        {"burst": 0},
        {"interval": 0.0},
    ],
)
def test_nonsense_policies_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="need"):
        RestartPolicy(**bad)  # type: ignore[arg-type]


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        RestartPolicy().delay(0)


def test_the_policy_comes_from_the_stack_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XZ_STACK_RESTART_LIMIT_BURST", "3")
    monkeypatch.setenv("XZ_STACK_RESTART_DELAY", "0.25")
    policy = RestartPolicy.from_settings(StackSettings())
    assert policy.burst == 3
    assert policy.first_delay == 0.25
    assert policy.max_delay == 10.0
    assert policy.interval == 60.0


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (-signal.SIGKILL, "killed by SIGKILL"),
        (-200, "killed by signal 200"),
        (3, "exit status 3"),
        (0, "exit status 0"),
        (None, "exit status unknown"),
    ],
)
def test_exit_codes_in_words(code: int | None, words: str) -> None:
    assert describe_exit(code) == words
