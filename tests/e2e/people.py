"""The people of a county, set up the way a county sets them up: through the gateway's HTTP API.

The county administrator registers the villages and creates the township officer and each
village's secretary; each secretary creates their village's staff, grid worker and residents.
The helpers answer with the HTTP response where a test wants to see a refusal
(:func:`create_user`, :func:`create_api_key`), so that a role × command matrix can reuse them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from tests.e2e.running import RunningPlatform

COUNTY = "141121"
TOWNSHIP = "141121100"
DONGZHUANG = "141121100201"
XIZHUANG = "141121100202"  # the second village of the same township
OTHER_COUNTY = "141122"
OTHER_COUNTY_VILLAGE = "141122100201"
VILLAGE_NAMES = {DONGZHUANG: "东庄村", XIZHUANG: "西庄村"}
PROBLEM_JSON = "application/problem+json"

T = TypeVar("T")


def new_password() -> str:
    return "pw-" + secrets.token_urlsafe(15)  # 23 characters; at least 12 are required


@dataclass(frozen=True)
class Account:
    """A user of the gateway: what ``POST /api/v1/users`` takes, and the password to log in."""

    username: str
    password: str
    role: str
    county: str | None = None
    township: str | None = None
    villages: tuple[str, ...] = ()
    person_id: str | None = None

    def body(self) -> dict[str, Any]:
        return {
            "username": self.username, "password": self.password, "role": self.role,
            "county": self.county, "township": self.township, "villages": list(self.villages),
            "person_id": self.person_id,
        }  # fmt: skip


def account(role: str, village: str, name: str) -> Account:
    """A new village account (``name`` makes the username and person id unique)."""
    return Account(
        username=f"{village}-{name}",
        password=new_password(),
        role=role,
        villages=(village,),
        person_id=f"p-{village}-{name}",
    )


@dataclass(frozen=True)
class VillagePeople:
    code: str
    name: str
    secretary: Account
    staff: Account
    grid_worker: Account
    residents: tuple[Account, Account]

    def by_role(self) -> dict[str, Account]:
        """One account per role of the village (the first resident)."""
        return {
            "village_secretary": self.secretary,
            "village_staff": self.staff,
            "grid_worker": self.grid_worker,
            "resident": self.residents[0],
        }

    @property
    def accounts(self) -> tuple[Account, ...]:
        return (self.secretary, self.staff, self.grid_worker, *self.residents)


@dataclass(frozen=True)
class CountyPeople:
    county: str
    admin: Account
    township_officer: Account
    villages: dict[str, VillagePeople]  # DONGZHUANG and XIZHUANG

    def accounts(self) -> dict[str, Account]:
        """Every account by a label: county_admin, township_officer, <village>/<role>,
        <village>/resident-2."""
        labelled = {"county_admin": self.admin, "township_officer": self.township_officer}
        for code, village in self.villages.items():
            labelled |= {f"{code}/{role}": who for role, who in village.by_role().items()}
            labelled[f"{code}/resident-2"] = village.residents[1]
        return labelled


# ------------------------------------------------------------------ the calls, as a client


def create_user(platform: RunningPlatform, creator: Account, new: Account) -> httpx.Response:
    """``POST /api/v1/users`` as ``creator``; the response, whatever it is."""
    with platform.client(creator) as http:
        return http.post("/api/v1/users", json=new.body())


def add_user(platform: RunningPlatform, creator: Account, new: Account) -> Account:
    response = create_user(platform, creator, new)
    assert response.status_code == 201, (creator.username, new.username, response.text)
    return new


def register_village(
    platform: RunningPlatform, admin: Account, code: str, name: str
) -> httpx.Response:
    with platform.client(admin) as http:
        return http.post(f"/api/v1/counties/{code[:6]}/villages", json={"code": code, "name": name})


def create_api_key(
    platform: RunningPlatform,
    creator: Account,
    villages: list[str],
    scopes: tuple[str, ...] = ("read", "write"),
    name: str = "e2e",
) -> httpx.Response:
    """``POST /api/v1/api-keys`` as ``creator``; 201 answers {key_id, api_key}."""
    with platform.client(creator) as http:
        return http.post(
            "/api/v1/api-keys", json={"name": name, "villages": villages, "scopes": list(scopes)}
        )


def revoke_api_key(platform: RunningPlatform, who: Account, key_id: str) -> httpx.Response:
    with platform.client(who) as http:
        return http.delete(f"/api/v1/api-keys/{key_id}")


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """``status`` as RFC 9457 problem+json, and nothing but the problem: its extension members
    (``field``, ``permission``, …) are plain values, never data of a village."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == PROBLEM_JSON, response.headers
    body: dict[str, Any] = response.json()
    assert isinstance(body, dict), body
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status, body
    assert all(isinstance(v, str | int) for v in body.values()), body
    return body


def eventually(check: Callable[[], T | None], timeout: float = 30.0, every: float = 0.1) -> T:
    """``check()``'s first answer that is not None, within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found is not None:
            return found
        assert time.monotonic() < deadline, f"not so within {timeout}s"
        time.sleep(every)


# ------------------------------------------------------------------ the county, built


def build_county(platform: RunningPlatform, admin: Account) -> CountyPeople:
    """Villages registered, a township officer, and each village's people, as a county does."""
    for code, name in VILLAGE_NAMES.items():
        registered = register_village(platform, admin, code, name)
        assert registered.status_code == 201, registered.text
    township_officer = add_user(
        platform, admin,
        Account(
            "township-141121100", new_password(), "township_officer", county=COUNTY,
            township=TOWNSHIP, person_id="p-141121100-officer",
        ),
    )  # fmt: skip
    villages = {}
    for code, name in VILLAGE_NAMES.items():
        secretary = add_user(platform, admin, account("village_secretary", code, "secretary"))
        staff, worker, first, second = (
            add_user(platform, secretary, account(role, code, label))
            for role, label in (
                ("village_staff", "staff"),
                ("grid_worker", "grid-worker"),
                ("resident", "resident-1"),
                ("resident", "resident-2"),
            )
        )
        villages[code] = VillagePeople(code, name, secretary, staff, worker, (first, second))
    return CountyPeople(COUNTY, admin, township_officer, villages)


def establish_grid(
    platform: RunningPlatform, who: Account, grid_id: str, name: str, households: int = 30
) -> str:
    """A grid set up through the gateway, returned once the read model lists it."""
    village = grid_id[:12]
    url = f"/api/v1/villages/{village}/grid/grids"
    with platform.client(who) as http:
        made = http.post(
            url, json={"grid_id": grid_id, "name": name, "level": "grid", "households": households}
        )
        assert made.status_code == 201, made.text
        token = made.json()["consistency_token"]

        def listed() -> str | None:
            grids = http.get(url, headers={"X-Consistency-Token": token})
            assert grids.status_code == 200, grids.text
            return grid_id if grid_id in {g["grid_id"] for g in grids.json()} else None

        return eventually(listed)


# ------------------------------------------------------------------ commands, as a client


def post_ok(
    http: httpx.Client,
    path: str,
    body: dict[str, Any],
    ok: tuple[int, ...] = (200, 201),
    **headers: str,
) -> dict[str, Any]:
    """A command that must be accepted; its answer."""
    response = http.post(path, json=body, headers=headers)
    assert response.status_code in ok, (path, response.text)
    return response.json()  # type: ignore[no-any-return]


def chain_head(platform: RunningPlatform, service: str, village: str) -> int:
    """How far the village's record in ``service`` goes: unchanged means nothing was stored."""
    rows = platform.query(service, "select chain_seq from chain_heads where village = $1", village)
    return int(rows[0]["chain_seq"]) if rows else 0


def passed_deliberation(
    http: httpx.Client,
    village: str,
    deliberation_id: str,
    *,
    matter: str,
    topic: str,
    votes: tuple[int, int] = (41, 3),
    **headers: str,
) -> str:
    """A deliberation through party's two meetings of 四议两公开 (both passed); party's
    consistency token of the resolution, for a command that cites it."""
    base = f"/api/v1/villages/{village}/party/deliberations"
    post_ok(http, base, {"deliberation_id": deliberation_id, "kind": "villager_deliberation",
                         "topic": topic, "matter": matter}, **headers)  # fmt: skip
    post_ok(http, f"{base}/{deliberation_id}/party-meeting",
            {"members_total": 90, "attending": 72, "agreeing": 70}, **headers)  # fmt: skip
    resolved = post_ok(
        http, f"{base}/{deliberation_id}/villagers-resolution",
        {"representatives": True, "votes_for": votes[0], "votes_against": votes[1]}, **headers,
    )  # fmt: skip
    return str(resolved["consistency_token"])
