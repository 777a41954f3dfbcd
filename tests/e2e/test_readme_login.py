"""The README's first steps, as a new user takes them after `make run`."""

from __future__ import annotations

import pytest

from tests.e2e.people import Account, assert_problem
from tests.e2e.running import ReadmeRun, RunningPlatform

pytestmark = pytest.mark.integration


def test_the_readme_login_runs_as_written(
    platform: RunningPlatform, readme_login: ReadmeRun, county_admin: Account
) -> None:
    run = readme_login.result
    said = (
        f"$ bash -c <README block>\n{readme_login.block}\n"
        f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    )
    assert "…" not in readme_login.block, "the block has a placeholder to fill in"
    assert run.returncode == 0, said
    assert "created county administrator admin" in run.stdout, said
    answer = readme_login.answer()
    assert answer is not None, said
    assert answer.get("token_type") == "bearer", said
    token = answer.get("access_token")
    assert isinstance(token, str) and token, said
    # The token it printed is one the platform takes.
    with platform.client(**{"Authorization": f"Bearer {token}"}) as http:
        villages = http.get("/api/v1/counties/141121/villages")
    assert villages.status_code == 200, villages.text


def test_a_wrong_password_is_told_so(platform: RunningPlatform, county_admin: Account) -> None:
    for username in (county_admin.username, "nobody-of-that-name"):
        refused = platform.token_response(username, county_admin.password + "-not")
        problem = assert_problem(refused, 401)
        detail = problem["detail"].lower()
        assert "username" in detail and "password" in detail, problem
        assert "access token" not in detail, problem
    # The right one still works (a wrong password locks nobody out).
    assert platform.login(county_admin.username, county_admin.password)
