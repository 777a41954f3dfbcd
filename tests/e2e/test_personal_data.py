"""Personal data on the platform `make run` starts: sealed per person everywhere it is kept
(Kafka, its files on disk, the event stores, a dump of every database), readable in the read
models, exported on request, and erased everywhere by forgetting the person — with every
chain still verifying and everyone else's data intact.

Markers unique to this run are written through Open311, through the app's JSON API and through
party's member register, then looked for in clear: with kcat (as any Kafka client reads the
topics), in the broker's log segment files, in the event stores' rows and in ``pg_dump`` of
every database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.people import DONGZHUANG, CountyPeople, create_api_key, eventually
from tests.e2e.running import ROOT, RunningPlatform

pytestmark = pytest.mark.integration

ERASED = "[已删除]"
RUN = uuid.uuid4().hex[:10]


class Person:
    """One person's markers: a name, an e-mail address, a phone number, words of their own."""

    def __init__(self, tag: str, phone: str) -> None:
        self.first_name = "秀英"
        self.last_name = f"王{tag}{RUN}"
        self.email = f"{tag}{RUN}@example.cn"
        self.phone = phone
        self.words = f"{tag}{RUN}家门口的水管漏了"

    @property
    def markers(self) -> list[str]:
        return [self.last_name, self.email, self.phone, self.words]

    def contact(self) -> dict[str, str]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
        }


def _phone(n: int) -> str:
    return f"139{int(RUN[:7], 16) % 10**7:07d}{n}"


APP_RESIDENT = Person("app", _phone(1))
CITIZEN = Person("web", _phone(2))
MEMBER_NAME = f"李{RUN}党员"
NEIGHBOUR = Person("kept", _phone(3))  # never forgotten: their data must stay readable
FORGOTTEN = [*APP_RESIDENT.markers, *CITIZEN.markers, MEMBER_NAME]


# ---------------------------------------------------------------- where data is kept


def _kcat(platform: RunningPlatform) -> str:
    """Every record of every topic, values and headers, as kcat prints them."""
    bootstrap = f"127.0.0.1:{platform.env['XZ_STACK_KAFKA_PORT']}"
    listing = subprocess.run(
        ["kcat", "-b", bootstrap, "-L", "-J"], capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    topics = [t["topic"] for t in json.loads(listing.stdout)["topics"]]
    out = []
    for topic in topics:
        read = subprocess.run(
            ["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
             "-f", "%k %s %h\n"],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        out.append(read.stdout.decode(errors="replace"))
    return "\n".join(out)


def _segments(platform: RunningPlatform) -> bytes:
    """The broker's log segment files, as they lie on disk."""
    data = platform.state_dir / "kafka" / "data"
    return b"".join(p.read_bytes() for p in sorted(data.glob("*/*.log")))


def _event_rows(platform: RunningPlatform) -> str:
    rows = []
    for database in ("grid", "party", "keys"):
        rows += platform.query(database, "select data::text as d, meta::text as m from events")
    return "".join(r["d"] + r["m"] for r in rows)


def _pg_dumps(platform: RunningPlatform) -> str:
    names = [
        r["datname"]
        for r in platform.query(
            "postgres", "select datname from pg_database where not datistemplate"
        )
    ]
    assert {"grid", "party", "gateway", "keys"} <= set(names), names
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump (Debian's postgresql-client) is not installed"
    dumps = []
    for name in names:
        made = subprocess.run(
            [pg_dump, "--dbname", platform.dsn(name)], capture_output=True, timeout=120,
            check=True,
        )  # fmt: skip
        dumps.append(made.stdout.decode(errors="replace"))
    return "\n".join(dumps)


def _in_clear(platform: RunningPlatform, markers: list[str]) -> dict[str, list[str]]:
    places = {
        "kafka (kcat)": _kcat(platform),
        "kafka (segment files)": _segments(platform).decode(errors="replace"),
        "event stores": _event_rows(platform),
        "pg_dump": _pg_dumps(platform),
    }
    return {
        where: found
        for where, text in places.items()
        if (found := [m for m in markers if m in text])
    }


# ---------------------------------------------------------------- the people and their data


def _raise_in_app(platform: RunningPlatform, who: Any, grid: str, person: Person) -> str:
    body = {
        "grid_id": grid,
        "category": "water_leak",
        "title": person.words[:30],
        "description": person.words,
        "address": f"正街{RUN}号",
        "contact": person.contact(),
    }
    with platform.client(who) as http:
        made = http.post(f"/api/v1/villages/{DONGZHUANG}/grid/issues", json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _raise_in_open311(platform: RunningPlatform, county: CountyPeople, person: Person) -> str:
    key = create_api_key(
        platform, county.villages[DONGZHUANG].secretary, [DONGZHUANG], ("read", "write")
    )
    assert key.status_code == 201, key.text
    made = httpx.post(
        f"{platform.gateway_url}/api/v1/open311/v2/villages/{DONGZHUANG}/requests.json",
        data={
            "api_key": key.json()["api_key"], "service_code": "water_leak",
            "address_string": f"后街{RUN}号", "description": person.words, **person.contact(),
        },
        timeout=30,
    )  # fmt: skip
    assert made.status_code == 200, made.text
    return str(made.json()[0]["service_request_id"])


def _register_member(platform: RunningPlatform, county: CountyPeople) -> str:
    secretary = county.villages[DONGZHUANG].secretary
    org_id, member_id = f"org-{RUN}", f"pm-{RUN}"
    with platform.client(secretary) as http:
        org = http.post(
            f"/api/v1/villages/{DONGZHUANG}/party/organizations",
            json={"org_id": org_id, "name": "隐私支部", "kind": "general_branch"},
        )
        assert org.status_code == 201, org.text
        member = http.post(
            f"/api/v1/villages/{DONGZHUANG}/party/members",
            json={"member_id": member_id, "name": MEMBER_NAME, "org_id": org_id,
                  "status": "full", "joined_on": "2001-07-01"},
        )  # fmt: skip
        assert member.status_code == 201, member.text
    return member_id


def _issue(platform: RunningPlatform, county: CountyPeople, issue_id: str) -> dict[str, Any]:
    with platform.client(county.villages[DONGZHUANG].staff) as http:

        def found() -> dict[str, Any] | None:
            got = http.get(f"/api/v1/villages/{DONGZHUANG}/grid/issues/{issue_id}")
            return got.json() if got.status_code == 200 else None

        return eventually(found)


def _public_request(platform: RunningPlatform, issue_id: str) -> dict[str, Any]:
    url = f"{platform.gateway_url}/api/v1/open311/v2/villages/{DONGZHUANG}/requests/{issue_id}.json"
    [request] = httpx.get(url, timeout=30).json()
    return dict(request)


def _export(platform: RunningPlatform, county: CountyPeople, person: str) -> dict[str, Any]:
    with platform.client(county.admin) as http:
        done = http.post(
            f"/api/v1/villages/{DONGZHUANG}/personal-data/export", json={"person": person}
        )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["partial"] is False, body
    return dict(body)


def _forget(platform: RunningPlatform, county: CountyPeople, person: str) -> dict[str, Any]:
    with platform.client(county.admin) as http:
        done = http.post(
            f"/api/v1/villages/{DONGZHUANG}/personal-data/forget",
            json={"person": person, "reason": "request"},
        )
    assert done.status_code == 200, done.text
    return dict(done.json())


def _ops(platform: RunningPlatform, service: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``<service>-ops`` against this platform, as an operator runs it."""
    prefix = service.upper()
    env = {
        **os.environ,
        f"{prefix}_POSTGRES_DSN": platform.dsn(service),
        f"{prefix}_KAFKA_BOOTSTRAP": f"127.0.0.1:{platform.env['XZ_STACK_KAFKA_PORT']}",
    }
    script = Path(sys.executable).parent / f"{service}-ops"
    return subprocess.run(
        [str(script), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def _both_in_read_models(
    platform: RunningPlatform, county: CountyPeople, app_issue: str, web_issue: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    return _issue(platform, county, app_issue), _issue(platform, county, web_issue)


# ---------------------------------------------------------------- the test


def test_personal_data_is_never_kept_in_clear_and_is_erased_by_forgetting(
    platform: RunningPlatform, county: CountyPeople, grids: dict[str, str]
) -> None:
    village = county.villages[DONGZHUANG]
    resident, neighbour = village.residents
    grid = grids[DONGZHUANG]
    app_issue = _raise_in_app(platform, resident, grid, APP_RESIDENT)
    kept_issue = _raise_in_app(platform, neighbour, grid, NEIGHBOUR)
    web_issue = _raise_in_open311(platform, county, CITIZEN)
    member_id = _register_member(platform, county)

    # The read models show them, to the village's staff.
    shown_app, shown_web = _both_in_read_models(platform, county, app_issue, web_issue)
    assert shown_app["description"] == APP_RESIDENT.words
    assert shown_app["contact"] == APP_RESIDENT.contact()
    assert shown_web["description"] == CITIZEN.words
    assert shown_web["contact"] == CITIZEN.contact()
    public = _public_request(platform, web_issue)
    assert public["description"] == CITIZEN.words
    assert not {"email", "phone", "first_name", "last_name", "contact"} & set(public)
    assert CITIZEN.email not in json.dumps(public, ensure_ascii=False)

    # Nowhere in clear: not on Kafka, not on its disk, not in any database.
    exported_member = _export(platform, county, member_id)
    assert MEMBER_NAME in json.dumps(exported_member, ensure_ascii=False)
    eventually(lambda: True if _kafka_has(platform, app_issue, web_issue) else None, timeout=30)
    assert _in_clear(platform, [*FORGOTTEN, *NEIGHBOUR.markers]) == {}

    # A person's data, exported on request: their own, opened.
    exported = _export(platform, county, CITIZEN.email)
    grid_events = exported["services"]["grid"]
    assert [e["data"]["issue_id"] for e in grid_events] == [web_issue]
    assert grid_events[0]["data"]["contact"] == CITIZEN.contact()

    # Forgotten: the app resident (by their id), the citizen (by e-mail), the member (by id).
    for person in (str(resident.person_id), CITIZEN.email, member_id):
        assert _forget(platform, county, person)["keys_destroyed"] >= 1, person
    assert _forget(platform, county, CITIZEN.email)["keys_destroyed"] == 0  # idempotent

    def erased_everywhere() -> tuple[dict[str, Any], dict[str, Any]] | None:
        app, web = _both_in_read_models(platform, county, app_issue, web_issue)
        return (app, web) if app["description"] == ERASED else None

    app, web = eventually(erased_everywhere)
    assert app["contact"] == dict.fromkeys(APP_RESIDENT.contact(), ERASED)
    assert web["contact"] == dict.fromkeys(CITIZEN.contact(), ERASED)
    assert web["description"] == ERASED
    assert _public_request(platform, web_issue)["description"] == ERASED
    member_after = json.dumps(_export(platform, county, member_id), ensure_ascii=False)
    assert MEMBER_NAME not in member_after and ERASED in member_after
    # Everything else is as it was: the issues themselves, and the neighbour's data.
    assert (app["issue_id"], app["status"], app["grid_id"]) == (app_issue, "raised", grid)
    kept = _issue(platform, county, kept_issue)
    assert kept["description"] == NEIGHBOUR.words and kept["contact"] == NEIGHBOUR.contact()

    # Still nothing in clear, and nothing that can be opened: the keys are gone.
    assert _in_clear(platform, FORGOTTEN) == {}
    live = platform.query(
        "keys",
        "select count(*) as n from subject_keys where wrapped is not null and key_id = any($1)",
        [uuid.UUID(k) for k in _key_ids(platform, app_issue, web_issue, member_id)],
    )
    assert live[0]["n"] == 0

    # Rebuilt from Kafka, the read model shows the same: erased for them, intact for the rest.
    rebuilt = _ops(platform, "grid", "rebuild", "grid")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    app, web = _both_in_read_models(platform, county, app_issue, web_issue)
    assert app["description"] == ERASED and web["contact"]["email"] == ERASED
    assert _issue(platform, county, kept_issue)["contact"] == NEIGHBOUR.contact()

    # Every chain verifies: the services' and the key service's own log of the forgetting.
    for service in ("grid", "party"):
        verified = _ops(platform, service, "verify", DONGZHUANG)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "chain intact" in verified.stdout
    audit = platform.query("keys", "select type, data::text as d from events order by position")
    forgotten = [r for r in audit if r["type"] == "keys.data_subject.forgotten.v1"]
    assert len(forgotten) >= 3
    assert not [m for m in FORGOTTEN if any(m in r["d"] for r in audit)]


def _kafka_has(platform: RunningPlatform, *ids: str) -> bool:
    text = _kcat(platform)
    return all(i in text for i in ids)


def _key_ids(platform: RunningPlatform, *streams: str) -> set[str]:
    """The keys that sealed the personal fields of these issues' and member's events."""
    rows = []
    for database in ("grid", "party"):
        rows += platform.query(
            database,
            "select data::text as d from events where stream_id like any($1)",
            [f"%{s}%" for s in streams],
        )
    found = set()
    for row in rows:
        for part in row["d"].split("pii1:")[1:]:
            found.add(str(uuid.UUID(hex=part[:32])))
    assert found, "no sealed field found in the events of these streams"
    return found
