"""End-to-end: the platform started exactly as `make run` starts it, used only over HTTP.

One platform per test session: ``python -m xiangzhi_stack.cli run`` (what `make run` runs) in a
private state folder on free ports, so that the shared stack and a developer's own platform
are left alone; only ports and folders differ from `make run`. Ctrl-C and
``xiangzhi-stack down`` end it. Starting it takes 15-30 s (Kafka, PostgreSQL, five uvicorn
processes), so everything below is session-scoped and tests add their own data with their own
ids rather than expecting a clean platform. A test that breaks the platform on purpose says
``RUNS_LAST = True`` at module level and runs after all the others.

Fixtures (all session-scoped):

``platform`` -> :class:`tests.e2e.running.RunningPlatform`
    ``gateway_url``; ``service_urls[name]`` (each service direct); ``env`` (the launcher's,
    with the XZ_STACK_* overrides); ``state_dir``; ``dsn(database)`` (user xiangzhi, password
    xiangzhi-local, the private port); ``pid(service)``; ``launcher_output()``;
    ``service_log(name)``; ``gateway_admin(*args, stdin=…)`` (the ``gateway-admin`` console
    script against the private ``gateway`` database); ``login(username, password) -> access
    token``; ``bearer(account) -> headers``; ``client(account | None) -> httpx.Client`` of the
    gateway, logged in (close it: ``with platform.client(who) as http: …``); ``query(db, sql)``.

``readme_login`` -> :class:`tests.e2e.running.ReadmeRun`
    README.md's login block run with bash as written (ports substituted), a generated
    password typed at its prompt. It is what creates ``admin``: ``.result`` (the completed
    process), ``.answer()`` (the JSON curl printed), ``.password``.

``county_admin`` -> :class:`tests.e2e.people.Account`
    ``admin`` of county 141121, made by ``gateway-admin create-county-admin admin --county
    141121`` (by the README's block; by ``gateway-admin`` directly, the password on stdin, if
    the block did not get that far).

``county`` -> :class:`tests.e2e.people.CountyPeople`
    Built through the gateway's HTTP API only: the county admin registers Dongzhuang
    (``DONGZHUANG`` 141121100201) and ``XIZHUANG`` (141121100202), creates
    ``township_officer`` (township 141121100) and each village's secretary; each secretary
    creates their village's staff, grid worker and two residents (each with a person id).
    ``county.admin``, ``county.township_officer``, ``county.villages[code]`` ->
    :class:`VillagePeople` (``secretary``, ``staff``, ``grid_worker``, ``residents``,
    ``by_role()``), ``county.accounts()`` (every account by label, for a role matrix).

``demo`` -> ``dict`` (what ``xiangzhi-stack demo --json`` reported)
    `make demo` run once on the platform: Dongzhuang and ``XZ_DEMO_VILLAGES`` further villages
    (default 20, as `make demo`); ``report["users"]`` has every demo user with their password.

``grids`` -> ``dict[village, grid_id]``
    In each village, the grid ``<village>001`` established by its village staff through the
    gateway and visible in grid's read model.

The helpers a role × command matrix needs are in :mod:`tests.e2e.people`: ``account()``,
``create_user()``, ``create_api_key()``, ``revoke_api_key()`` (each answers the raw response),
``assert_problem()`` and ``eventually()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e import browser, people
from tests.e2e.people import COUNTY, Account, CountyPeople
from tests.e2e.running import (
    ReadmeRun,
    RunningPlatform,
    platform_running,
    run_demo,
    run_readme_login,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that break the platform on purpose (``RUNS_LAST = True``) run after the rest."""
    items.sort(key=lambda item: bool(getattr(getattr(item, "module", None), "RUNS_LAST", False)))


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with platform_running(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def readme_login(platform: RunningPlatform) -> ReadmeRun:
    return run_readme_login(platform, people.new_password())


@pytest.fixture(scope="session")
def county_admin(platform: RunningPlatform, readme_login: ReadmeRun) -> Account:
    admin = Account("admin", readme_login.password, "county_admin", county=COUNTY)
    exists = platform.query("gateway", "select 1 from users where username = $1", admin.username)
    if not exists:  # the README's block failed before creating it; its own test says why
        made = platform.gateway_admin(
            "create-county-admin", admin.username, "--county", COUNTY, stdin=admin.password + "\n"
        )
        assert made.returncode == 0, made.stdout + made.stderr
    return admin


@pytest.fixture(scope="session")
def county(platform: RunningPlatform, county_admin: Account) -> CountyPeople:
    return people.build_county(platform, county_admin)


@pytest.fixture(scope="session")
def grids(platform: RunningPlatform, county: CountyPeople) -> dict[str, str]:
    return {
        code: people.establish_grid(platform, village.staff, f"{code}001", "一组")
        for code, village in county.villages.items()
    }


@pytest.fixture(scope="session")
def demo(platform: RunningPlatform) -> dict[str, Any]:
    report = run_demo(platform, int(os.environ.get("XZ_DEMO_VILLAGES", "20")))
    figures = {k: report[k] for k in ("villages", "created", "requests", "seconds")}
    browser.record("demo", {**figures, "villages": len(report["villages"])})
    return report
