"""`make demo` (``xiangzhi-stack demo``): Dongzhuang and further villages of Wenshui county,
loaded into a running platform through the gateway's HTTP API, as its users would enter them.

How it gets in: the county's administrator ``demo-admin`` is created as the README creates the
first one (``gateway-admin create-county-admin``, against the launcher's PostgreSQL); it
registers the villages and creates each secretary; each secretary creates the village's staff,
grid worker and residents; then secretaries, staff, the grid worker and residents send the
services' commands, each as their own role may. Passwords are derived from a secret kept in
the launcher's state folder (``.stack/demo-secret``), so a second run logs in as the first did.

Idempotent: every id is the demo's own; what exists already answers 409 (or is found by a read
first) and is counted as "already there", so a second run creates nothing. The plans are in
:mod:`xiangzhi_stack.demo_data`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import demo_data as data
from .config import PROJECT_ROOT, StackSettings

API = "/api/v1"
CONSISTENCY = "X-Consistency-Token"
PASSWORD_ENV = "XZ_DEMO_PASSWORD"  # noqa: S105 - the variable gateway-admin reads it from
SECRET_FILE = "demo-secret"  # noqa: S105 - the file's name, not a secret
PASSWORD_LENGTH = 20
TRANSIENT = (502, 503, 504)
T = TypeVar("T")

# What the summary counts, in this order (a kind met that is not here comes last).
KINDS = (
    "villages", "users", "grids", "micro-grids", "chiefs", "volunteer teams", "volunteers",
    "volunteer service", "issues", "issue steps", "party organisations", "party members",
    "points rules", "points awarded", "study days", "attendance", "deliberations",
    "deliberation steps", "points notices", "contracts", "campaigns", "contract reviews",
    "rectifications", "contracts cleared", "income entries", "co-operatives", "harvests", "sales",
    "enterprises", "employment", "works", "works steps", "remediation campaigns",
    "remediation actions", "practical things", "practical-thing steps",
)  # fmt: skip


class DemoError(Exception):
    """What stops the demo, said so that the user knows what to do."""


# ------------------------------------------------------------------ passwords and the admin


def demo_secret(state_dir: Path) -> bytes:
    """The installation's secret for the demo's passwords, made once (readable by its owner)."""
    path = state_dir / SECRET_FILE
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another run made it a moment ago
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip().encode()


def password_for(secret: bytes, username: str) -> str:
    """The demo user's password: HMAC-SHA256 of the username, base64url, 20 characters."""
    digest = hmac.new(secret, username.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:PASSWORD_LENGTH]


def gateway_admin_command() -> list[str]:
    """``gateway-admin``, as installed beside this interpreter (the project's environment)."""
    script = Path(sys.executable).parent / "gateway-admin"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gateway.cli"]


def ensure_admin(dsn: str, admin: data.Person, password: str) -> bool:
    """Create the county administrator as the README does; False if it exists already."""
    env = {**os.environ, "GATEWAY_POSTGRES_DSN": dsn, PASSWORD_ENV: password}
    command = [
        *gateway_admin_command(), "create-county-admin", admin.username,
        "--county", data.COUNTY, "--password-env", PASSWORD_ENV,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
            check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DemoError(f"gateway-admin could not run: {exc}") from exc
    if done.returncode == 0:
        return True
    said = done.stdout + done.stderr
    if "is taken" in said:
        return False
    last = "\n".join(said.strip().splitlines()[-5:])
    raise DemoError(f"gateway-admin create-county-admin failed ({done.returncode}):\n{last}")


# ------------------------------------------------------------------ what was done


@dataclass
class Tally:
    """Per kind: how many the run created, and how many it found already there."""

    counts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, created: bool, n: int = 1) -> None:
        if n:
            self.counts.setdefault(kind, [0, 0])[0 if created else 1] += n

    @property
    def created(self) -> int:
        return sum(c for c, _ in self.counts.values())

    @property
    def existing(self) -> int:
        return sum(e for _, e in self.counts.values())

    def rows(self) -> list[tuple[str, int, int]]:
        order = {kind: i for i, kind in enumerate(KINDS)}
        kinds = sorted(self.counts, key=lambda k: (order.get(k, len(order)), k))
        return [(k, *self.counts[k]) for k in kinds]  # type: ignore[misc]


@dataclass(frozen=True)
class Result:
    created: bool
    token: str  # the answer's consistency token ("" when nothing was recorded)
    body: dict[str, Any]


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:300]}
    return body if isinstance(body, dict) else {"detail": str(body)[:300]}


def _exists(status: int, problem: dict[str, Any]) -> bool:
    """An answer that says the thing is there already (or the step done)."""
    if status == 409:
        return True
    detail = str(problem.get("detail", ""))
    return status == 422 and problem.get("field") == "username" and "is taken" in detail


def _said(method: str, path: str, response: httpx.Response) -> str:
    problem = _problem(response)
    detail = problem.get("detail") or problem.get("title") or response.text[:300]
    fields = [e.get("field") for e in problem.get("errors", []) if isinstance(e, dict)]
    named = f" ({', '.join(str(f) for f in fields)})" if fields else ""
    return f"{method} {path} answered {response.status_code}: {detail}{named}"


# ------------------------------------------------------------------ the gateway, as a client


class Api:
    """The gateway's HTTP API as the demo's users see it: logged in per user, again after a
    token expires; a rate limit, a restarting service or a dropped connection waited out."""

    def __init__(self, base_url: str, secret: bytes, tally: Tally) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(120.0, connect=10.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        self.secret = secret
        self.tally = tally
        self.requests = 0
        self._tokens: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def close(self) -> None:
        await self.http.aclose()

    def password(self, who: data.Person) -> str:
        return password_for(self.secret, who.username)

    async def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        transient = 0
        for _ in range(200):
            self.requests += 1
            try:
                response = await self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                transient += 1
                if transient > 8:
                    raise DemoError(f"{method} {path}: {exc!r}") from exc
                await asyncio.sleep(min(8.0, 0.25 * 2**transient))
                continue
            if response.status_code == 429:
                wait = float(response.headers.get("Retry-After") or 1)
                await asyncio.sleep(min(wait, 30.0) + secrets.randbelow(500) / 1000)
                continue
            if response.status_code in TRANSIENT and transient < 8:
                transient += 1
                await asyncio.sleep(min(8.0, 0.25 * 2**transient))
                continue
            return response
        raise DemoError(f"{method} {path}: rate-limited or refused too long")

    async def login(self, who: data.Person, *, fresh: bool = False) -> str:
        lock = self._locks.setdefault(who.username, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(who.username)
            # An access token lasts 15 minutes: a new one after 10.
            if cached is not None and not fresh and time.monotonic() - cached[1] < 600:
                return cached[0]
            response = await self.send(
                "POST",
                f"{API}/auth/token",
                data={
                    "grant_type": "password",
                    "username": who.username,
                    "password": self.password(who),
                },
            )
            if response.status_code != 200:
                raise DemoError(
                    f"cannot log in as {who.username}: {_said('POST', '/auth/token', response)}"
                    + (
                        f" (its password comes from {SECRET_FILE} in the state folder: was the "
                        "user made with another one?)"
                        if response.status_code == 401
                        else ""
                    )
                )
            token = str(response.json()["access_token"])
            self._tokens[who.username] = (token, time.monotonic())
            return token

    async def call(
        self, who: data.Person | None, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        """One request to ``/api/v1<path>`` as ``who`` (anonymous without)."""
        headers = dict(kwargs.pop("headers", None) or {})
        for again in (False, True):
            if who is not None:
                headers["Authorization"] = f"Bearer {await self.login(who, fresh=again)}"
            response = await self.send(method, f"{API}{path}", headers=headers, **kwargs)
            if response.status_code == 401 and who is not None and not again:
                continue  # the token expired meanwhile
            return response
        raise AssertionError("unreachable")

    async def read(self, who: data.Person | None, path: str, token: str = "", **params: Any) -> Any:
        """A read's JSON (None if not found)."""
        headers = {CONSISTENCY: token} if token else {}
        response = await self.call(who, "GET", path, params=params, headers=headers)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DemoError(_said("GET", path, response))
        return response.json()

    async def pages(self, who: data.Person, path: str, limit: int, token: str = "") -> list[Any]:
        """Every item of a paged list."""
        items: list[Any] = []
        while True:
            page = await self.read(who, path, token, limit=limit, offset=len(items))
            if page is None:
                return items
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                return items

    async def command(
        self,
        who: data.Person,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        kind: str,
        method: str = "POST",
        cite: str = "",
    ) -> Result:
        """A command; counted as created, or as already there (409, a user that exists, an
        answer that recorded nothing). ``cite``: another service's consistency token, for a
        command citing what that service recorded (a deliberation)."""
        headers = {CONSISTENCY: cite} if cite else {}
        for attempt in range(60):
            response = await self.call(who, method, path, json=body or {}, headers=headers)
            if response.is_success:
                answer = response.json() if response.content else {}
                answer = answer if isinstance(answer, dict) else {}
                token = str(answer.get("consistency_token") or "")
                created = bool(token) if "consistency_token" in answer else True
                self.tally.add(kind, created)
                return Result(created, token, answer)
            problem = _problem(response)
            if response.status_code == 409 and problem.get("expected_version") not in (None, 0):
                # Two of the demo's own commands met on one record: the loser tries again.
                await asyncio.sleep(0.05 * (attempt + 1))
                continue
            if _exists(response.status_code, problem):
                self.tally.add(kind, False)
                return Result(False, "", problem)
            if response.status_code == 422 and "is known" in str(problem.get("detail")):
                await asyncio.sleep(0.25)  # the service has not received party's events yet
                continue
            raise DemoError(_said(method, path, response))
        raise DemoError(f"{method} {path}: still refused after 60 tries")


# ------------------------------------------------------------------ loading a village


async def each(items: Iterable[T], work: Callable[[T], Awaitable[None]], limit: int) -> None:
    """``work`` on every item, ``limit`` at a time (the first failure fails them all)."""
    gate = asyncio.Semaphore(limit)

    async def one(item: T) -> None:
        async with gate:
            await work(item)

    await asyncio.gather(*(one(i) for i in items))


Deliberations = dict[str, "asyncio.Future[str]"]
SECTIONS = ("users", "grid", "party", "economy", "livelihood")
# Which findings each rectification puts right (economy's REMEDIES, as far as the demo uses them).
REMEDIES = {
    "arrears_recovered": {"fee_arrears"},
    "renegotiated": {"below_market_price", "no_written_contract"},
    "written_contract_signed": {"no_written_contract"},
}


class Reporter:
    """The progress bar: the county's villages, and each village's sections while it loads."""

    def __init__(self, progress: Progress | None, total: int, api: Api) -> None:
        self.progress, self.api = progress, api
        self.county: TaskID | None = None
        if progress is not None:
            self.county = progress.add_task("文水县 villages", total=total, note="")

    def start(self, village: data.Village) -> TaskID | None:
        if self.progress is None:
            return None
        label = f"  {village.name} {village.code}"
        return self.progress.add_task(label, total=len(SECTIONS), note="")

    def step(self, task: TaskID | None) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task)
            self._requests()

    def done(self, task: TaskID | None) -> None:
        if self.progress is not None and task is not None and self.county is not None:
            self.progress.remove_task(task)
            self.progress.advance(self.county)
            self._requests()

    def _requests(self) -> None:
        if self.progress is not None and self.county is not None:
            self.progress.update(self.county, note=f"{self.api.requests} requests")


@dataclass
class Loader:
    api: Api
    admin: data.Person
    reporter: Reporter
    registered: set[str]  # the county's villages before this run

    @property
    def tally(self) -> Tally:
        return self.api.tally

    async def create_user(self, creator: data.Person, person: data.Person) -> None:
        body = {
            "username": person.username, "password": self.api.password(person),
            "role": person.role, "county": person.county, "township": person.township,
            "villages": list(person.villages), "person_id": person.person_id,
        }  # fmt: skip
        await self.api.command(creator, "/users", body, kind="users")

    async def village(self, v: data.Village) -> None:
        task = self.reporter.start(v)
        register = await self.api.call(
            self.admin, "POST", f"/counties/{data.COUNTY}/villages",
            json={"code": v.code, "name": v.name},
        )  # fmt: skip
        if register.status_code != 201:
            raise DemoError(_said("POST", f"/counties/{data.COUNTY}/villages", register))
        self.tally.add("villages", v.code not in self.registered)
        secretary = v.people["secretary"]
        await self.create_user(self.admin, secretary)
        for person in v.people.values():
            if person is not secretary:
                await self.create_user(secretary, person)
        self.reporter.step(task)

        loop = asyncio.get_running_loop()
        cited: Deliberations = {d.deliberation_id: loop.create_future() for d in v.deliberations}

        async def section(work: Awaitable[None]) -> None:
            await work
            self.reporter.step(task)

        try:
            await asyncio.gather(
                section(self.grid(v)),
                section(self.party(v, cited)),
                section(self.economy(v, cited)),
                section(self.livelihood(v, cited)),
            )
        finally:
            for future in cited.values():
                if not future.done():
                    future.cancel()
        self.reporter.done(task)

    # -------------------------------------------------------------- grid

    async def grid(self, v: data.Village) -> None:
        staff = v.people["staff"]
        base = f"/villages/{v.code}/grid"
        listed = {g["grid_id"]: g for g in await self.api.read(staff, f"{base}/grids") or []}
        for g in v.grids:
            kind = "grids" if g.level == "grid" else "micro-grids"
            if g.grid_id in listed:
                self.tally.add(kind, False)
            else:
                body = {
                    "grid_id": g.grid_id, "name": g.name, "level": g.level,
                    "households": g.households, "parent_id": g.parent_id,
                }  # fmt: skip
                await self.api.command(staff, f"{base}/grids", body, kind=kind)
            held = {c["role"]: c["person_id"] for c in listed.get(g.grid_id, {}).get("chiefs", [])}
            for chief in g.chiefs:
                if held.get(chief.role) == chief.person_id:
                    self.tally.add("chiefs", False)
                    continue
                body = {
                    "person_id": chief.person_id, "name": chief.name,
                    "is_party_member": chief.party_member_id is not None,
                    "party_member_id": chief.party_member_id,
                }  # fmt: skip
                path = f"{base}/grids/{g.grid_id}/chiefs/{chief.role}"
                await self.api.command(staff, path, body, kind="chiefs", method="PUT")
        await self.teams(v)
        statuses = {
            i["issue_id"]: i["status"]
            for i in await self.api.pages(staff, f"{base}/issues", limit=200)
        }
        await each(v.issues, lambda issue: self.issue(v, issue, statuses.get(issue.issue_id)), 3)

    async def teams(self, v: data.Village) -> None:
        staff = v.people["staff"]
        base = f"/villages/{v.code}/grid/volunteer-teams"
        listed = {t["team_id"]: t for t in await self.api.read(staff, base) or []}
        for team in v.teams:
            found = listed.get(team.team_id)
            if found is None:
                body: dict[str, Any] = {
                    "team_id": team.team_id, "name": team.name, "kind": team.kind,
                }  # fmt: skip
                await self.api.command(staff, base, body, kind="volunteer teams")
            else:
                self.tally.add("volunteer teams", False)
            roster = {m["person_id"] for m in (found or {}).get("members", [])}
            for person_id, name, background, leader in team.members:
                if person_id in roster:
                    self.tally.add("volunteers", False)
                    continue
                body = {
                    "person_id": person_id, "name": name, "background": background,
                    "leader": leader,
                }  # fmt: skip
                await self.api.command(
                    staff, f"{base}/{team.team_id}/members", body, kind="volunteers"
                )
            if found is not None and Decimal(str(found["hours"])) > 0:
                self.tally.add("volunteer service", False, len(team.services))
                continue
            for person_id, hours, what, served_on in team.services:
                body = {
                    "person_id": person_id, "hours": hours, "description": what,
                    "served_on": f"{served_on.isoformat()}T10:00:00+08:00",
                }  # fmt: skip
                await self.api.command(
                    staff, f"{base}/{team.team_id}/service", body, kind="volunteer service"
                )

    async def issue(self, v: data.Village, issue: data.Issue, status: str | None) -> None:
        staff, resident = v.people["staff"], v.people[issue.resident]
        base = f"/villages/{v.code}/grid/issues"
        if status is None:
            body: dict[str, Any] = {
                "issue_id": issue.issue_id, "grid_id": issue.grid_id,
                "category": issue.category, "title": issue.title,
                "description": issue.description, "address": issue.address,
            }  # fmt: skip
            if not issue.by_resident:
                body["raised_by"] = resident.person_id  # recorded by the staff for them
            await self.api.command(
                resident if issue.by_resident else staff, base, body, kind="issues"
            )
            status = "raised"
        else:
            self.tally.add("issues", False)
        flow: tuple[str, ...] = data.ISSUE_FLOW
        if status not in flow:
            return  # escalated or reopened since: left to the village
        at, target = flow.index(status), flow.index(issue.target)
        self.tally.add("issue steps", False, min(at, target))
        path = f"{base}/{issue.issue_id}"
        for step in flow[at + 1 : target + 1]:
            if step == "assigned":
                kind_, assignee = issue.assignee
                body = {"assignee_kind": kind_, "assignee_id": assignee}
                await self.api.command(staff, f"{path}/assign", body, kind="issue steps")
            elif step == "resolved":
                resolver = v.people[issue.resolver]
                body = {"resolution": issue.resolution}
                await self.api.command(resolver, f"{path}/resolve", body, kind="issue steps")
            elif step == "confirmed":
                body = {"satisfaction": issue.satisfaction}
                who = resident if issue.by_resident else staff
                if not issue.by_resident:
                    body["on_behalf"] = True
                await self.api.command(who, f"{path}/confirm", body, kind="issue steps")
            else:
                await self.api.command(staff, f"{path}/close", {}, kind="issue steps")

    # -------------------------------------------------------------- party

    async def party(self, v: data.Village, cited: Deliberations) -> None:
        secretary = v.people["secretary"]
        base = f"/villages/{v.code}/party"
        try:
            published = await self.api.read(None, f"/public{base}/announcements") or []
            announced = {a["deliberation_id"] for a in published}
            for d in v.deliberations:
                token = ""
                if d.deliberation_id in announced:
                    self.tally.add("deliberations", False)
                else:
                    token = await self.deliberation(v, d)
                if not cited[d.deliberation_id].done():
                    cited[d.deliberation_id].set_result(token)
        except BaseException:
            for future in cited.values():
                if not future.done():
                    future.set_exception(DemoError(f"{v.code}: a deliberation failed"))
            raise
        for org in v.orgs:
            body = {
                "org_id": org.org_id, "name": org.name, "kind": org.kind,
                "parent_id": org.parent_id, "grid_id": org.grid_id,
            }  # fmt: skip
            await self.api.command(
                secretary, f"{base}/organizations", body, kind="party organisations"
            )
        for rule in v.rules:
            body = {
                "rule_id": rule.rule_id, "name": rule.name, "category": rule.category,
                "points": rule.points, "cap_per_period": rule.cap,
            }  # fmt: skip
            await self.api.command(secretary, f"{base}/points/rules", body, kind="points rules")
        await each(v.members, lambda m: self.member(v, m), 3)
        for activity in v.activities:
            body = {
                "activity_id": activity.activity_id, "kind": activity.kind,
                "title": activity.title, "date": activity.on.isoformat(),
                "lecturer_member_id": activity.lecturer, "destination": activity.destination,
            }  # fmt: skip
            await self.api.command(secretary, f"{base}/activities", body, kind="study days")
        # One activity's attendance at a time (its record), the activities side by side.
        await each(v.activities, lambda a: self.attendance(v, a), 2)
        if v.notice is not None:
            path = f"{base}/points/notices/{v.notice}"
            await self.api.command(secretary, path, {"days": 15}, kind="points notices")

    async def deliberation(self, v: data.Village, d: data.Deliberation) -> str:
        """The six steps (and the two meetings of 四议两公开); party's last token."""
        staff, secretary = v.people["staff"], v.people["secretary"]
        base = f"/villages/{v.code}/party/deliberations"
        path = f"{base}/{d.deliberation_id}"
        body: dict[str, Any] = {
            "deliberation_id": d.deliberation_id, "kind": d.kind, "topic": d.topic,
            "matter": d.matter,
        }  # fmt: skip
        await self.api.command(staff, base, body, kind="deliberations")
        questions = [{"question": q, "asked_by": who, "answer": a} for q, who, a in d.questions]
        steps: list[tuple[str, dict[str, Any]]] = [
            ("steps/collect_opinions", {"summary": d.opinions}),
            ("steps/set_agenda", {"summary": d.agenda}),
            ("steps/consult", {"summary": "开展协商，现场答疑", "questions": questions}),
            ("steps/report", {"summary": d.report}),
        ]
        if d.meetings is not None:
            (total, attending, agreeing), (representatives, votes_for, against) = d.meetings
            steps += [
                ("party-meeting",
                 {"members_total": total, "attending": attending, "agreeing": agreeing}),
                ("villagers-resolution",
                 {"representatives": representatives, "votes_for": votes_for,
                  "votes_against": against}),
            ]  # fmt: skip
        steps.append(("steps/make_plan", {"summary": "制定方案", "plan_items": list(d.plan)}))
        token = ""
        for step, step_body in steps:
            done = await self.api.command(
                staff, f"{path}/{step}", step_body, kind="deliberation steps"
            )
            token = done.token or token
        announced = await self.api.command(
            secretary, f"{path}/announcement", {"text": d.announcement}, kind="deliberation steps"
        )
        return announced.token or token

    async def member(self, v: data.Village, m: data.Member) -> None:
        secretary = v.people["secretary"]
        base = f"/villages/{v.code}/party/members"
        body = {
            "member_id": m.member_id, "name": m.name, "org_id": m.org_id, "status": m.status,
            "joined_on": m.joined_on.isoformat(), "veteran": m.veteran,
        }  # fmt: skip
        registered = await self.api.command(secretary, base, body, kind="party members")
        given: set[tuple[str, str]] = set()
        if not registered.created and m.scores:
            points = await self.api.read(
                secretary, f"{base}/{m.member_id}/points", period=data.YEAR
            )
            given = {(e["rule_id"], e["reason"]) for e in (points or {}).get("entries", [])}
        for rule_id, reason in m.scores:
            if (rule_id, reason) in given:
                self.tally.add("points awarded", False)
                continue
            body = {"rule_id": rule_id, "period": data.YEAR, "reason": reason}
            await self.api.command(
                secretary, f"{base}/{m.member_id}/scores", body, kind="points awarded"
            )

    async def attendance(self, v: data.Village, activity: data.Activity) -> None:
        staff = v.people["staff"]
        path = f"/villages/{v.code}/party/activities/{activity.activity_id}/attendance"
        for member_id in activity.attendees:
            await self.api.command(staff, path, {"member_id": member_id}, kind="attendance")

    # -------------------------------------------------------------- economy

    async def economy(self, v: data.Village, cited: Deliberations) -> None:
        plan = v.economy
        if plan is None:
            return
        clerk, secretary = v.people[v.clerk], v.people["secretary"]
        base = f"/villages/{v.code}/economy"
        imported = await self.api.call(
            clerk, "POST", f"{base}/contracts/import", content=data.register_csv(plan),
            headers={"Content-Type": "text/csv"}, params={"filename": plan.filename},
        )  # fmt: skip
        if imported.status_code != 201:
            raise DemoError(_said("POST", f"{base}/contracts/import", imported))
        result = imported.json()
        added = int(result["contracts_added"])
        self.tally.add("contracts", True, added)
        self.tally.add("contracts", False, len(plan.contracts) - added)
        body: dict[str, Any] = {
            "campaign_id": plan.campaign_id, "name": plan.campaign_name, "year": data.YEAR,
            "starts_on": plan.campaign_starts.isoformat(),
        }  # fmt: skip
        await self.api.command(secretary, f"{base}/campaigns", body, kind="campaigns")
        token = str(result.get("consistency_token") or "")
        listed = {
            k["contract_id"]: k
            for k in await self.api.pages(clerk, f"{base}/contracts", limit=500, token=token)
        }
        await each(
            plan.contracts, lambda k: self.contract(v, k, listed.get(k.contract_id), cited), 3
        )
        for entry in plan.income:
            await self.api.command(clerk, f"{base}/income", entry, kind="income entries")
        for coop in plan.coops:
            body = {
                "coop_id": coop.coop_id, "name": coop.name, "crops": list(coop.crops),
                "members": coop.members, "registered_on": coop.registered_on.isoformat(),
                "pooled_land_mu": coop.pooled_land_mu, "brand": coop.brand,
            }  # fmt: skip
            await self.api.command(clerk, f"{base}/cooperatives", body, kind="co-operatives")
            path = f"{base}/cooperatives/{coop.coop_id}"
            for harvest in coop.harvests:
                await self.api.command(clerk, f"{path}/harvests", harvest, kind="harvests")
            for sale in coop.sales:
                await self.api.command(clerk, f"{path}/sales", sale, kind="sales")
        for e in plan.enterprises:
            body = {
                "enterprise_id": e.enterprise_id, "name": e.name, "sector": e.sector,
                "park": e.park, "state_owned": e.state_owned,
            }  # fmt: skip
            made = await self.api.command(clerk, f"{base}/enterprises", body, kind="enterprises")
            path = f"{base}/enterprises/{e.enterprise_id}/employment"
            if not made.created:
                points = await self.api.read(clerk, path) or []
                if any(p["as_of"] == e.as_of.isoformat() for p in points):
                    self.tally.add("employment", False)
                    continue
            body = {"villagers_employed": e.employed, "as_of": e.as_of.isoformat()}
            await self.api.command(clerk, path, body, kind="employment")

    async def contract(
        self,
        v: data.Village,
        k: data.Contract,
        listed: dict[str, Any] | None,
        cited: Deliberations,
    ) -> None:
        plan = v.economy
        assert plan is not None
        clerk = v.people[v.clerk]
        path = f"/villages/{v.code}/economy/contracts/{k.contract_id}"
        ours = listed is not None and listed.get("campaign_id") == plan.campaign_id
        status = listed["status"] if listed is not None and ours else "registered"
        if status == "cleared":
            self.tally.add("contracts cleared", False)
            return
        if status == "registered":
            body = {"campaign_id": plan.campaign_id, **k.findings}
            await self.api.command(clerk, f"{path}/review", body, kind="contract reviews")
            still = set(k.findings.get("findings", []))
        else:
            self.tally.add("contract reviews", False)
            still = set(listed["open_findings"] if listed is not None else [])
        for rectification in k.rectifications:
            body = {key: value for key, value in rectification.items() if key != "cites"}
            fixes = REMEDIES[body["action"]]
            if not fixes & still:
                self.tally.add("rectifications", False)
                continue
            cite = await cited[rectification["cites"]] if "cites" in rectification else ""
            await self.api.command(
                clerk, f"{path}/rectifications", body, kind="rectifications", cite=cite
            )
            still -= fixes
        if k.cleared_on is not None:
            body = {"cleared_on": k.cleared_on.isoformat()}
            await self.api.command(clerk, f"{path}/clear", body, kind="contracts cleared")

    # -------------------------------------------------------------- livelihood

    async def livelihood(self, v: data.Village, cited: Deliberations) -> None:
        staff = v.people["staff"]
        base = f"/villages/{v.code}/livelihood"
        listed = {w["works_id"]: w for w in await self.api.pages(staff, f"{base}/works", 500)}
        await each(v.works, lambda w: self.works(v, w, listed.get(w.works_id), cited), 3)
        if v.remediation is not None:
            r = v.remediation
            body = {
                "campaign_id": r.campaign_id, "name": r.name,
                "starts_on": r.starts_on.isoformat(), "partners": list(r.partners),
            }  # fmt: skip
            path = f"{base}/remediation/campaigns"
            await self.api.command(staff, path, body, kind="remediation campaigns")
            done = {
                a["action_id"]
                for a in await self.api.read(staff, f"{path}/{r.campaign_id}/actions") or []
            }
            for action in r.actions:
                if action["action_id"] in done:
                    self.tally.add("remediation actions", False)
                    continue
                await self.api.command(
                    staff, f"{path}/{r.campaign_id}/actions", action, kind="remediation actions"
                )
        things = {
            t["item_id"]: t for t in await self.api.pages(staff, f"{base}/practical-things", 500)
        }
        for thing in v.things:
            await self.thing(v, thing, things.get(thing.item_id))

    async def works(
        self, v: data.Village, w: data.Works, listed: dict[str, Any] | None, cited: Deliberations
    ) -> None:
        staff, secretary = v.people["staff"], v.people["secretary"]
        reporter = v.people["grid-worker"] if v.people["grid-worker"].logs_in else staff
        base = f"/villages/{v.code}/livelihood/works"
        path = f"{base}/{w.works_id}"
        if listed is None:
            body: dict[str, Any] = {
                "works_id": w.works_id, "category": w.category, "title": w.title,
                "planned_quantity": str(w.quantity), "unit": w.unit,
                "budget_yuan": str(w.budget), "deliberation_id": w.deliberation_id,
            }  # fmt: skip
            await self.api.command(staff, base, body, kind="works")
            stage, funded, done = "proposed", Decimal(0), Decimal(0)
        else:
            self.tally.add("works", False)
            stage = listed["stage"]
            funded = Decimal(str(listed["funded_yuan"]))
            done = Decimal(str(listed["quantity_done"]))
        flow: tuple[str, ...] = data.WORKS_FLOW
        if stage not in flow:
            return
        target, skipped = flow.index(w.target), 0
        if target >= flow.index("approved"):
            if flow.index(stage) < flow.index("approved"):
                cite = await cited[w.deliberation_id]
                body = {"deliberation_id": w.deliberation_id, "funding": ["collective", "county"]}
                await self.api.command(
                    secretary, f"{path}/approval", body, kind="works steps", cite=cite
                )
                stage = "approved"
            else:
                skipped += 1
            owed = Decimal(0)
            for source, amount in w.funding:
                owed += amount
                if funded >= owed:
                    skipped += 1
                    continue
                body = {"source": source, "amount_yuan": str(amount)}
                await self.api.command(staff, f"{path}/funding", body, kind="works steps")
        if target >= flow.index("in_progress"):
            if flow.index(stage) < flow.index("in_progress"):
                body = {
                    "started_on": w.started_on.isoformat(), "contractor_id": w.contractor[0],
                    "contractor": w.contractor[1],
                }  # fmt: skip
                await self.api.command(staff, f"{path}/start", body, kind="works steps")
                stage = "in_progress"
            else:
                skipped += 1
            half = w.quantity // 2
            if half > 0 and stage == "in_progress" and done < half:
                body = {
                    "quantity_done": str(half), "note": "完成过半",
                    "photos": [f"photos/{w.works_id}/half.jpg"],
                }  # fmt: skip
                await self.api.command(reporter, f"{path}/progress", body, kind="works steps")
            elif half > 0:
                skipped += 1
        if target >= flow.index("completed"):
            if flow.index(stage) < flow.index("completed"):
                body = {
                    "quantity": str(w.quantity), "cost_yuan": str(w.cost),
                    "completed_on": w.completed_on.isoformat(),
                }  # fmt: skip
                await self.api.command(staff, f"{path}/completion", body, kind="works steps")
                stage = "completed"
            else:
                skipped += 1
        if target >= flow.index("accepted"):
            if flow.index(stage) < flow.index("accepted"):
                body = {"passed": True, "note": "验收合格"}
                await self.api.command(secretary, f"{path}/acceptance", body, kind="works steps")
            else:
                skipped += 1
        self.tally.add("works steps", False, skipped)

    async def thing(self, v: data.Village, t: data.Thing, listed: dict[str, Any] | None) -> None:
        staff, secretary = v.people["staff"], v.people["secretary"]
        base = f"/villages/{v.code}/livelihood/practical-things"
        if listed is None:
            body: dict[str, Any] = {
                "item_id": t.item_id, "title": t.title, "owner_id": secretary.person_id,
                "deadline": t.deadline.isoformat(),
            }  # fmt: skip
            if t.resident is not None:
                body |= {"resident_id": v.people[t.resident].person_id,
                         "words": f"请村里帮忙：{t.title}"}  # fmt: skip
            else:
                body["deliberation_id"] = t.deliberation_id
            await self.api.command(staff, base, body, kind="practical things")
        else:
            self.tally.add("practical things", False)
        if t.done_on is not None:
            if listed is not None and listed["done_on"] is not None:
                self.tally.add("practical-thing steps", False)
            else:
                body = {"done_on": t.done_on.isoformat(), "beneficiaries": t.beneficiaries}
                await self.api.command(
                    staff, f"{base}/{t.item_id}/done", body, kind="practical-thing steps"
                )
        if t.acknowledged and t.resident is not None:
            if listed is not None and listed["satisfied"] is not None:
                self.tally.add("practical-thing steps", False)
            else:
                await self.api.command(
                    v.people[t.resident], f"{base}/{t.item_id}/acknowledgement",
                    {"satisfied": True}, kind="practical-thing steps",
                )  # fmt: skip


# ------------------------------------------------------------------ the run


@dataclass
class Report:
    gateway_url: str
    villages: list[data.Village]
    tally: Tally
    users: list[tuple[data.Person, str]]  # each demo user and their password
    admin_created: bool
    seconds: float
    requests: int
    county: dict[str, Any] | None = None  # the county summary's Dongzhuang, read at the end

    def as_json(self) -> dict[str, Any]:
        return {
            "gateway": self.gateway_url,
            "villages": [v.code for v in self.villages],
            "created": self.tally.created,
            "existing": self.tally.existing,
            "kinds": {k: {"created": c, "existing": e} for k, c, e in self.tally.rows()},
            "admin_created": self.admin_created,
            "users": [
                {
                    "username": p.username,
                    "password": pw,
                    "role": p.role,
                    "villages": list(p.villages),
                    "township": p.township,
                }
                for p, pw in self.users
            ],
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "dongzhuang": self.county,
        }


async def load(
    gateway_url: str,
    gateway_dsn: str,
    state_dir: Path,
    villages: int,
    *,
    concurrency: int = 4,
    progress: Progress | None = None,
) -> Report:
    """Load Dongzhuang and ``villages`` further villages into the platform at ``gateway_url``
    (its gateway database at ``gateway_dsn``, for the administrator); what was done."""
    started = time.monotonic()
    today = datetime.now(UTC).date()
    plans = data.plan(villages, today)
    try:
        async with httpx.AsyncClient(base_url=gateway_url, timeout=5) as probe:
            health = await probe.get("/health")
    except httpx.HTTPError as exc:
        raise DemoError(
            f"the platform does not answer at {gateway_url} ({exc.__class__.__name__}): "
            "start it with `make run` in another terminal"
        ) from exc
    if health.status_code != 200:
        raise DemoError(f"the gateway at {gateway_url} answers /health with {health.status_code}")
    tally = Tally()
    api = Api(gateway_url, demo_secret(state_dir), tally)
    try:
        admin = data.county_admin()
        admin_created = await asyncio.to_thread(
            ensure_admin, gateway_dsn, admin, api.password(admin)
        )
        tally.add("users", admin_created)
        await api.login(admin)
        known = await api.read(admin, f"/counties/{data.COUNTY}/villages") or []
        reporter = Reporter(progress, len(plans), api)
        loader = Loader(api, admin, reporter, {v["code"] for v in known})
        officers = sorted({v.township_code for v in plans})
        for township in officers:
            await loader.create_user(admin, data.township_officer(township))
        gate = asyncio.Semaphore(concurrency)

        async def one(village: data.Village) -> None:
            async with gate:
                await loader.village(village)

        await asyncio.gather(*(one(v) for v in plans))
        summary = await api.read(admin, f"/counties/{data.COUNTY}/summary")
        dongzhuang = next(
            (v for v in (summary or {}).get("villages", []) if v["code"] == data.DONGZHUANG), None
        )
        people = [admin, *(data.township_officer(t) for t in officers)]
        people += [p for v in plans for p in v.people.values()]
        return Report(
            gateway_url, plans, tally, [(p, api.password(p)) for p in people], admin_created,
            time.monotonic() - started, api.requests, dongzhuang,
        )  # fmt: skip
    finally:
        await api.close()


def _summary_table(report: Report) -> Table:
    table = Table(title=f"Loaded through {report.gateway_url}", title_justify="left")
    table.add_column("what")
    table.add_column("created", justify="right")
    table.add_column("already there", justify="right")
    for kind, created, existing in report.tally.rows():
        table.add_row(kind, str(created), str(existing))
    table.add_section()
    table.add_row("[bold]all[/bold]", f"[bold]{report.tally.created}[/bold]",
                  str(report.tally.existing))  # fmt: skip
    return table


def _users_table(report: Report, everyone: bool) -> tuple[Table, int]:
    table = Table(title="Log in as (the same passwords on every run)", title_justify="left")
    for column in ("username", "password"):
        table.add_column(column, no_wrap=True)
    table.add_column("role")
    table.add_column("where")
    shown = {data.DONGZHUANG, *(v.code for v in report.villages[1:3])}
    left = 0
    for person, password in report.users:
        where = ", ".join(person.villages) or person.township or person.county or ""
        if not everyone and person.villages and not set(person.villages) & shown:
            left += 1
            continue
        table.add_row(person.username, password, person.role, where)
    return table, left


def _figures(report: Report) -> str:
    dz = report.county
    if not dz:
        return "Dongzhuang is not in the county summary (yet)."
    services = dz.get("services", {})
    said = []
    grid = services.get("grid")
    if grid:
        said.append(f"{grid['micro_grids']} micro-grids, {grid['volunteer_teams']} teams")
    economy = services.get("economy")
    if economy:
        k = economy["contracts"]
        said.append(f"{k['cleared']} contracts cleared ({k['cleared_area_mu']} mu)")
    livelihood = services.get("livelihood")
    if livelihood:
        said.append(f"{livelihood['practical_things']['done']} practical things done")
    return "Dongzhuang in the county summary: " + "; ".join(said)


def main(
    settings: StackSettings,
    *,
    villages: int = 20,
    concurrency: int = 4,
    everyone: bool = False,
    as_json: bool = False,
    gateway_url: str | None = None,
) -> int:
    """``xiangzhi-stack demo``: load, show progress, then the summary and the users."""
    url = gateway_url or f"http://{settings.host}:{settings.gateway_port}"
    # Piped (a log, a test), the tables keep their passwords whole rather than fit 80 columns.
    err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)
    out = err if as_json else Console(width=None if sys.stdout.isatty() else 120)
    columns = (
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("[dim]{task.fields[note]}[/dim]"),
    )  # fmt: skip
    try:
        with Progress(*columns, console=err, transient=False) as progress:
            report = asyncio.run(
                load(
                    url, settings.postgres_dsn("gateway"), settings.state_dir, villages,
                    concurrency=concurrency, progress=progress,
                )
            )  # fmt: skip
    except DemoError as exc:
        err.print(f"[red]✗[/red] {escape(str(exc))}")
        return 1
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/yellow]: run it again to finish (it picks up where it was)")
        return 130
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
    out.print(_summary_table(report))
    users, left = _users_table(report, everyone)
    out.print(users)
    if left:
        out.print(
            f"… and {left} more users of the other villages (demo-<village code>-<role>): "
            "`xiangzhi-stack demo --all-users` lists them all."
        )
    out.print(escape(_figures(report)))
    verb = "created nothing new" if not report.tally.created else f"created {report.tally.created}"
    out.print(
        f"[green]✓[/green] {len(report.villages)} villages in {report.seconds:.0f} s "
        f"({report.requests} requests); {verb}. Open {url} in a browser and log in as one "
        f"of the users above (the API: {url}/api/v1/auth/token, documented at {url}/docs)."
    )
    return 0
