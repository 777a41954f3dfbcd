"""Every role × every command of the permission table, with valid bodies, through the gateway
and straight at each service: allowed exactly where the table grants it, refused (403 naming the
permission, nothing appended) everywhere else — and, for a grant with a rule beyond the role,
allowed where the rule holds and refused, naming the rule, where it does not.

The cases are built from the tables the services serve: a command without a case here fails
the test, so a new command cannot skip the matrix.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from xiangzhi.auth import Principal, TokenIssuer
from xiangzhi.services import UPSTREAM_NAMES

from tests.e2e.people import (
    DONGZHUANG,
    OTHER_COUNTY_VILLAGE,
    XIZHUANG,
    Account,
    CountyPeople,
    account,
    add_user,
    create_api_key,
    eventually,
    new_password,
)
from tests.e2e.running import RunningPlatform

pytestmark = pytest.mark.integration

V = DONGZHUANG
ROLES = (
    "county_admin", "township_officer", "village_secretary", "village_staff", "grid_worker",
    "resident", "api_client",
)  # fmt: skip


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str  # the service's own path, /villages/<v>/…
    body: dict[str, Any] | None = None
    file: bytes | None = None  # a file sent as the body (an import), instead of JSON

    def through_gateway(self) -> str:
        if self.service == "gateway":  # the gateway's own commands: there is no "direct"
            return self.path
        rest = self.path.removeprefix(f"/villages/{V}")
        return f"/api/v1/villages/{V}/{self.service}{rest}"


class Actor:
    """Someone of a role who sends a call through the gateway or straight to the service.

    Headers are made for each call (a token is fresh: the matrix runs for minutes)."""

    def __init__(
        self,
        platform: RunningPlatform,
        role: str,
        headers: Callable[[], dict[str, str]],
        direct_headers: Callable[[], dict[str, str]] | None = None,
    ) -> None:
        self.platform, self.role, self.headers = platform, role, headers
        self.direct_headers = direct_headers or headers

    def send(self, call: Call, *, direct: bool) -> httpx.Response:
        base = self.platform.gateway_url if not direct else self.platform.service_urls[call.service]
        assert not (direct and call.service == "gateway"), call
        url = call.path if direct else call.through_gateway()
        headers = self.direct_headers() if direct else self.headers()
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            if call.file is not None:
                csv = {"Content-Type": "text/csv"}
                return http.request(call.method, url, content=call.file, headers=csv)
            return http.request(call.method, url, json=call.body)


class Village:
    """Dongzhuang's state that the cases need, set up by the secretary through the gateway."""

    def __init__(self, platform: RunningPlatform, county: CountyPeople, grid: str) -> None:
        self.platform = platform
        people = county.villages[V]
        self.secretary, self.staff, self.worker = people.secretary, people.staff, people.grid_worker
        self.resident, self.neighbour = people.residents
        self.grid = grid
        self.secretaries = {code: p.secretary for code, p in county.villages.items()}
        self._other_admin: Account | None = None
        self._worker_grid: str | None = None
        self._grid_numbers = iter(range(700, 1000))
        self.village_numbers = iter(range(300201, 309999))
        self.objector = add_user(platform, self.secretary, account("resident", V, "objector"))
        self._orgs: set[str] = set()
        self._members: set[str] = set()

    # -------------------------------------------------------------- plumbing

    def do(self, who: Account, call: Call) -> dict[str, Any]:
        with self.platform.client(who) as http:
            response = http.request(call.method, call.through_gateway(), json=call.body)
        assert response.status_code in (200, 201), (call, response.text)
        return response.json()  # type: ignore[no-any-return]

    @staticmethod
    def uid(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    def new_grid_id(self) -> str:
        return f"{V}{next(self._grid_numbers):03d}"

    # -------------------------------------------------------------- grid

    def worker_call(self) -> str:
        """A grid whose grid chief is the grid worker (their own grid)."""
        if self._worker_grid is None:
            grid_id = self.new_grid_id()
            self.do(self.staff, Call("grid", "POST", f"/villages/{V}/grids", {
                "grid_id": grid_id, "name": "网格员的网格", "level": "grid", "households": 20,
            }))  # fmt: skip
            chief = f"/villages/{V}/grids/{grid_id}/chiefs/grid_chief"
            body = {"person_id": self.worker.person_id, "name": "王网格员"}
            self.do(self.staff, Call("grid", "PUT", chief, body))
            self._worker_grid = grid_id
        return self._worker_grid

    def issue(self, *, by: Account | None = None, grid: str | None = None) -> str:
        who = by or self.resident
        issue_id = self.uid("issue")
        self.do(who, Call("grid", "POST", f"/villages/{V}/issues", {
            "issue_id": issue_id, "grid_id": grid or self.grid, "category": "road",
            "title": "路面坑洼", "description": "雨后积水", "address": "北街9号",
        }))  # fmt: skip
        return issue_id

    def on_issue(self, issue_id: str, action: str, body: dict[str, Any]) -> None:
        self.do(self.staff, Call("grid", "POST", f"/villages/{V}/issues/{issue_id}/{action}", body))

    def assigned(self, **kw: Any) -> str:
        issue_id = self.issue(**kw)
        self.on_issue(issue_id, "assign", {"assignee_kind": "chief", "assignee_id": "chief-1"})
        return issue_id

    def resolved(self, **kw: Any) -> str:
        issue_id = self.assigned(**kw)
        self.on_issue(issue_id, "resolve", {"resolution": "已修好"})
        return issue_id

    def at_township(self, *, assigned: bool = True) -> str:
        issue_id = self.assigned() if assigned else self.issue()
        self.on_issue(issue_id, "escalate", {"level": "township", "reason": "dispute"})
        return issue_id

    def team(self, *, led_by: Account | None = None) -> tuple[str, str]:
        """A volunteer team and one member of it (the leader, when there is one)."""
        team_id = self.uid("team")
        self.do(self.staff, Call("grid", "POST", f"/villages/{V}/volunteer-teams", {
            "team_id": team_id, "name": "应急救助队", "kind": "emergency_rescue",
        }))  # fmt: skip
        member = led_by.person_id if led_by else self.uid("volunteer")
        body = {
            "person_id": member,
            "name": "志愿者",
            "background": "youth",
            "leader": bool(led_by),
        }
        self.do(
            self.staff,
            Call("grid", "POST", f"/villages/{V}/volunteer-teams/{team_id}/members", body),
        )
        return team_id, str(member)

    def api_key(self, village: str) -> str:
        """A new API key of ``village``, issued by whoever administers it: its id."""
        issuer = self.secretaries.get(village) or self.other_county_admin()
        made = create_api_key(self.platform, issuer, [village], ("read",))
        assert made.status_code == 201, made.text
        return str(made.json()["key_id"])

    def other_county_admin(self) -> Account:
        """The administrator of the neighbouring county, made as the first one was."""
        if self._other_admin is None:
            admin = Account("admin-141122", new_password(), "county_admin", county="141122")
            made = self.platform.gateway_admin(
                "create-county-admin", admin.username, "--county", "141122",
                stdin=f"{admin.password}\n",
            )  # fmt: skip
            assert made.returncode == 0, made.stderr
            self._other_admin = admin
        return self._other_admin

    # -------------------------------------------------------------- party

    def branch(self, n: int = 1) -> str:
        """The general branch (1), or a branch under it (2)."""
        org_id = "general-branch" if n == 1 else f"branch-{n}"
        if org_id not in self._orgs:
            body: dict[str, Any] = {
                "org_id": org_id,
                "name": f"党支部{n}",
                "kind": "general_branch",
            }
            if n != 1:
                body |= {"kind": "branch", "parent_id": self.branch()}
            self.do(self.secretary, Call("party", "POST", f"/villages/{V}/organizations", body))
            self._orgs.add(org_id)
        return org_id

    def member(self, member_id: str | None = None) -> str:
        """A registered party member: a new one, or ``member_id`` (registered once)."""
        if member_id in self._members:
            return str(member_id)
        member_id = member_id or self.uid("pm")
        self.do(self.secretary, Call("party", "POST", f"/villages/{V}/members", {
            "member_id": member_id, "name": "党员", "org_id": self.branch(), "status": "full",
            "joined_on": "2001-07-01",
        }))  # fmt: skip
        self._members.add(member_id)
        return member_id

    def published(self, period: int) -> int:
        self.do(
            self.secretary,
            Call("party", "POST", f"/villages/{V}/points/notices/{period}", {"days": 7}),
        )
        return period

    def objection(self) -> tuple[int, str]:
        period = self.published(self.new_period())
        self.member(str(self.objector.person_id))
        raised = self.do(self.objector, Call(
            "party", "POST", f"/villages/{V}/points/notices/{period}/objections",
            {"member_id": self.member(), "text": "积分有误"},
        ))  # fmt: skip
        return period, str(raised["id"])

    _periods = iter(range(2030, 2100))

    def new_period(self) -> int:
        return next(self._periods)

    def activity(self) -> str:
        activity_id = self.uid("day")
        self.do(self.staff, Call("party", "POST", f"/villages/{V}/activities", {
            "activity_id": activity_id, "kind": "theme_party_day", "title": "主题党日",
            "date": "2026-11-01",
        }))  # fmt: skip
        return activity_id

    def deliberation(self, *, through_plan: bool = False) -> str:
        deliberation_id = self.uid("delib")
        base = f"/villages/{V}/deliberations"
        self.do(self.staff, Call("party", "POST", base, {
            "deliberation_id": deliberation_id, "kind": "villager_deliberation",
            "topic": "村内道路硬化", "matter": "other",
        }))  # fmt: skip
        if through_plan:
            steps: list[tuple[str, dict[str, Any]]] = [
                ("collect_opinions", {"summary": "收集意见"}),
                ("set_agenda", {"summary": "确定议题"}),
                ("consult", {"summary": "协商", "questions": [
                    {"question": "资金?", "asked_by": "村民", "answer": "村集体出资"}]}),
                ("report", {"summary": "报告"}),
                ("make_plan", {"summary": "方案", "plan_items": ["硬化北街"]}),
            ]  # fmt: skip
            for step, body in steps:
                self.do(
                    self.staff,
                    Call("party", "POST", f"{base}/{deliberation_id}/steps/{step}", body),
                )
        return deliberation_id

    # -------------------------------------------------------------- economy

    def asset(self) -> str:
        asset_id = self.uid("plot")
        self.do(self.secretary, Call("economy", "POST", f"/villages/{V}/assets", {
            "asset_id": asset_id, "kind": "farmland", "name": "承包地", "area_mu": "12.50",
        }))  # fmt: skip
        return asset_id

    def contract(self) -> str:
        contract_id = self.uid("ht")
        self.do(self.secretary, Call("economy", "POST", f"/villages/{V}/contracts", {
            "contract_id": contract_id, "asset_id": self.asset(), "contractor_id": self.uid("p"),
            "contractor_name": "承包户", "area_mu": "6.37", "annual_fee_yuan": "3200.00",
            "starts_on": "2019-01-01", "ends_on": "2028-12-31",
        }))  # fmt: skip
        return contract_id

    def campaign(self) -> str:
        campaign_id = self.uid("qingli")
        self.do(self.secretary, Call("economy", "POST", f"/villages/{V}/campaigns", {
            "campaign_id": campaign_id, "name": "合同清理", "year": 2026,
            "starts_on": "2026-03-01",
        }))  # fmt: skip
        return campaign_id

    def reviewed(self, **findings: Any) -> str:
        contract_id = self.contract()
        body = {"campaign_id": self.campaign(), **findings}
        self.do(
            self.secretary,
            Call("economy", "POST", f"/villages/{V}/contracts/{contract_id}/review", body),
        )
        return contract_id

    def coop(self) -> str:
        coop_id = self.uid("coop")
        self.do(self.secretary, Call("economy", "POST", f"/villages/{V}/cooperatives", {
            "coop_id": coop_id, "name": "田园薯业专业合作社", "crops": ["马铃薯", "西兰花"],
            "members": 120, "registered_on": "2018-04-01",
        }))  # fmt: skip
        return coop_id

    def enterprise(self) -> str:
        enterprise_id = self.uid("ent")
        self.do(self.secretary, Call("economy", "POST", f"/villages/{V}/enterprises", {
            "enterprise_id": enterprise_id, "name": "新光华铸管", "sector": "casting",
            "state_owned": True,
        }))  # fmt: skip
        return enterprise_id

    # -------------------------------------------------------------- livelihood

    _public_works: str | None = None

    def public_works(self) -> str:
        """A deliberation on public works passed in party (made once), and known to
        livelihood's copy of party's events: a throwaway works item approved on it."""
        if self._public_works is None:
            deliberation_id = self.uid("pw")
            base = f"/villages/{V}/deliberations"
            self.do(self.secretary, Call("party", "POST", base, {
                "deliberation_id": deliberation_id, "kind": "villager_deliberation",
                "topic": "村内小型公益工程", "matter": "public_works",
            }))  # fmt: skip
            meeting = {"members_total": 90, "attending": 72, "agreeing": 70}
            self.do(
                self.secretary,
                Call("party", "POST", f"{base}/{deliberation_id}/party-meeting", meeting),
            )
            resolved = self.do(self.secretary, Call(
                "party", "POST", f"{base}/{deliberation_id}/villagers-resolution",
                {"representatives": True, "votes_for": 40, "votes_against": 3},
            ))  # fmt: skip
            approval = Call(
                "livelihood", "POST", f"/villages/{V}/works/{self.works()}/approval",
                {"deliberation_id": deliberation_id, "funding": ["collective"]},
            )  # fmt: skip
            party = {"X-Consistency-Token": resolved["consistency_token"]}

            def approved() -> bool | None:
                with self.platform.client(self.secretary, **party) as http:
                    response = http.post(approval.through_gateway(), json=approval.body)
                if response.status_code == 422 and "is known" in response.text:
                    return None  # livelihood has not received party's events yet
                assert response.status_code == 200, response.text
                return True

            eventually(approved, timeout=30, every=0.2)
            self._public_works = deliberation_id
        return self._public_works

    def works(self, stage: str = "proposed", *, contractor: str = "p-builder-1") -> str:
        """A works item of the village proposed, and taken on by the secretary to ``stage``
        (approved, in_progress, completed) by a contractor who is not the one testing."""
        works_id = self.uid("works")
        self.do(self.secretary, Call("livelihood", "POST", f"/villages/{V}/works", {
            "works_id": works_id, "category": "other", "title": "村内小型工程",
            "planned_quantity": "10", "unit": "item", "budget_yuan": "20000.00",
        }))  # fmt: skip
        stages = ("proposed", "approved", "in_progress", "completed")
        steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("approval", lambda: {"deliberation_id": self.public_works(),
                                  "funding": ["collective", "county"]}),
            ("start", lambda: {"started_on": "2026-06-01", "contractor_id": contractor,
                               "contractor": "东庄建筑队"}),
            ("completion", lambda: {"quantity": "10", "cost_yuan": "19000.00",
                                    "completed_on": "2026-07-01"}),
        ]  # fmt: skip
        for step, body in steps[: stages.index(stage)]:
            tail = f"/villages/{V}/works/{works_id}/{step}"
            self.do(self.secretary, Call("livelihood", "POST", tail, body()))
        return works_id

    def remediation_campaign(self) -> str:
        campaign_id = self.uid("liuluan")
        self.do(self.secretary, Call("livelihood", "POST", f"/villages/{V}/remediation/campaigns", {
            "campaign_id": campaign_id, "name": "人居环境整治", "starts_on": "2026-03-01",
            "partners": ["新光华铸管"],
        }))  # fmt: skip
        return campaign_id

    def practical_thing(self, *, asked_by: Account | None = None, done: bool = False) -> str:
        """A practical thing promised by the secretary (a resident's request: ``asked_by``,
        the first resident by default), and done if asked."""
        item_id = self.uid("thing")
        self.do(self.secretary, Call("livelihood", "POST", f"/villages/{V}/practical-things", {
            "item_id": item_id, "title": "村口路灯维修", "owner_id": self.secretary.person_id,
            "deadline": "2027-06-30", "resident_id": (asked_by or self.resident).person_id,
        }))  # fmt: skip
        if done:
            tail = f"/villages/{V}/practical-things/{item_id}/done"
            body = {"done_on": "2026-10-01", "beneficiaries": 12}
            self.do(self.secretary, Call("livelihood", "POST", tail, body))
        return item_id


# A case: given the village, the acting role, and whether the grant's rule should hold, the call.
Case = Callable[[Village, str, bool], Call]


def _issue_case(action: str, body: dict[str, Any], state: str) -> Case:
    def build(v: Village, role: str, holds: bool) -> Call:
        if role == "township_officer":
            issue_id = v.at_township(assigned=state != "raised") if holds else v.assigned()
            payload = {**body, "level": "county"} if action == "escalate" else body
            return Call("grid", "POST", f"/villages/{V}/issues/{issue_id}/{action}", payload)
        grid = (v.worker_call() if holds else v.grid) if role == "grid_worker" else None
        issue_id = v.assigned(grid=grid) if state == "assigned" else v.issue(grid=grid)
        return Call("grid", "POST", f"/villages/{V}/issues/{issue_id}/{action}", body)

    return build


def _own_issue_case(action: str, body: dict[str, Any]) -> Case:
    def build(v: Village, role: str, holds: bool) -> Call:
        if role == "resident":
            issue_id = v.resolved(by=v.resident if holds else v.neighbour)
            return Call("grid", "POST", f"/villages/{V}/issues/{issue_id}/{action}", body)
        issue_id = v.resolved()
        payload = {**body, "on_behalf": holds} if action == "confirm" else body
        return Call("grid", "POST", f"/villages/{V}/issues/{issue_id}/{action}", payload)

    return build


def _raise(v: Village, role: str, holds: bool) -> Call:
    body: dict[str, Any] = {
        "issue_id": v.uid("issue"), "grid_id": v.grid, "category": "garbage", "title": "垃圾未清运",
        "description": "三天没有清运", "address": "南街2号",
    }  # fmt: skip
    if not holds:  # in somebody else's name
        body["raised_by"] = "p-someone-else"
    elif role not in ("resident", "api_client"):
        body["raised_by"] = v.resident.person_id  # staff record it for the resident
    return Call("grid", "POST", f"/villages/{V}/issues", body)


def _log_service(v: Village, role: str, holds: bool) -> Call:
    leaders = {"grid_worker": v.worker, "resident": v.resident}
    team_id, member = v.team(led_by=leaders.get(role) if holds else None)
    served = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    return Call("grid", "POST", f"/villages/{V}/volunteer-teams/{team_id}/service", {
        "person_id": member, "hours": "1.5", "description": "送药上门", "served_on": served,
    })  # fmt: skip


def _object(v: Village, role: str, holds: bool) -> Call:
    period = v.published(v.new_period())
    if holds:  # the resident is a registered party member of the village
        v.member(str(v.resident.person_id))
    return Call("party", "POST", f"/villages/{V}/points/notices/{period}/objections", {
        "member_id": v.member(), "text": "志愿服务时数有误",
    })  # fmt: skip


def _answer(v: Village, role: str, holds: bool) -> Call:
    period, objection_id = v.objection()
    return Call(
        "party", "POST", f"/villages/{V}/points/notices/{period}/objections/{objection_id}/answer",
        {"text": "已核实，调整", "adjusted": True, "points": "-1.00"},
    )  # fmt: skip


def _call(service: str, method: str, tail: str, body: dict[str, Any]) -> Call:
    return Call(service, method, f"/villages/{V}/{tail}", body)


def _establish(v: Village, role: str, holds: bool) -> Call:
    body = {"grid_id": v.new_grid_id(), "name": "新网格", "level": "grid", "households": 10}
    return _call("grid", "POST", "grids", body)


def _assign_chief(v: Village, role: str, holds: bool) -> Call:
    body = {"person_id": v.uid("p"), "name": "赵组长"}
    return _call("grid", "PUT", f"grids/{v.grid}/chiefs/villager_group_leader", body)


def _form_team(v: Village, role: str, holds: bool) -> Call:
    body = {"team_id": v.uid("team"), "name": "矛盾调解队", "kind": "dispute_mediation"}
    return _call("grid", "POST", "volunteer-teams", body)


def _join_team(v: Village, role: str, holds: bool) -> Call:
    body = {"person_id": v.uid("p"), "name": "学生志愿者", "background": "student"}
    return _call("grid", "POST", f"volunteer-teams/{v.team()[0]}/members", body)


def _close(v: Village, role: str, holds: bool) -> Call:
    return _call("grid", "POST", f"issues/{v.resolved()}/close", {})


def _establish_org(v: Village, role: str, holds: bool) -> Call:
    body = {"org_id": v.uid("org"), "name": "第一支部", "kind": "branch", "parent_id": v.branch()}
    return _call("party", "POST", "organizations", body)


def _register(v: Village, role: str, holds: bool) -> Call:
    body = {
        "member_id": v.uid("pm"), "name": "新党员", "org_id": v.branch(), "status": "probationary",
        "joined_on": "2026-07-01",
    }  # fmt: skip
    return _call("party", "POST", "members", body)


def _transfer(v: Village, role: str, holds: bool) -> Call:
    return _call("party", "POST", f"members/{v.member()}/transfer", {"to_org_id": v.branch(2)})


def _define_rule(v: Village, role: str, holds: bool) -> Call:
    body = {
        "rule_id": f"rule_{uuid.uuid4().hex[:8]}", "name": "环境整治", "category": "service",
        "points": "2",
    }  # fmt: skip
    return _call("party", "POST", "points/rules", body)


def _score(v: Village, role: str, holds: bool) -> Call:
    body = {"rule_id": "attended_study", "period": 2026, "reason": "参加主题党日"}
    return _call("party", "POST", f"members/{v.member()}/scores", body)


def _publish(v: Village, role: str, holds: bool) -> Call:
    return _call("party", "POST", f"points/notices/{v.new_period()}", {"days": 7})


def _close_notice(v: Village, role: str, holds: bool) -> Call:
    return _call("party", "POST", f"points/notices/{v.published(v.new_period())}/close", {})


def _hold(v: Village, role: str, holds: bool) -> Call:
    body = {
        "activity_id": v.uid("day"), "kind": "party_lesson", "title": "党课", "date": "2026-11-02",
        "lecturer_member_id": v.member(),
    }  # fmt: skip
    return _call("party", "POST", "activities", body)


def _attend(v: Village, role: str, holds: bool) -> Call:
    return _call(
        "party", "POST", f"activities/{v.activity()}/attendance", {"member_id": v.member()}
    )


def _open(v: Village, role: str, holds: bool) -> Call:
    body = {
        "deliberation_id": v.uid("delib"), "kind": "women_deliberation", "topic": "广场舞场地",
        "matter": "livelihood",
    }  # fmt: skip
    return _call("party", "POST", "deliberations", body)


def _step(v: Village, role: str, holds: bool) -> Call:
    tail = f"deliberations/{v.deliberation()}/steps/collect_opinions"
    return _call("party", "POST", tail, {"summary": "入户收集意见"})


def _meeting(v: Village, role: str, holds: bool) -> Call:
    body = {"members_total": 40, "attending": 36, "agreeing": 35}
    return _call("party", "POST", f"deliberations/{v.deliberation()}/party-meeting", body)


def _announce(v: Village, role: str, holds: bool) -> Call:
    tail = f"deliberations/{v.deliberation(through_plan=True)}/announcement"
    return _call("party", "POST", tail, {"text": "北街硬化方案公告"})


def _rotation(v: Village, role: str, holds: bool) -> Call:
    body = {
        "person_id": v.uid("rep"), "name": "钱代表", "starts_on": "2027-01-01",
        "ends_on": "2027-03-31", "duty": "人居环境监督",
    }  # fmt: skip
    return _call("party", "POST", "representatives/rotation", body)


def _register_village(v: Village, role: str, holds: bool) -> Call:
    county = "141121" if holds else "141122"
    body = {"code": f"{county}{next(v.village_numbers):06d}", "name": "新村"}
    return Call("gateway", "POST", f"/api/v1/counties/{county}/villages", body)


def _create_user(v: Village, role: str, holds: bool) -> Call:
    """A county administrator creates a secretary of a village of theirs; a secretary, a
    resident of their village. The rule fails outside: another county, another village."""
    if role == "county_admin":
        village, new_role = (V if holds else OTHER_COUNTY_VILLAGE), "village_secretary"
    else:
        village, new_role = (V if holds else XIZHUANG), "resident"
    return Call("gateway", "POST", "/api/v1/users", account(new_role, village, v.uid("u")).body())


def _create_key(v: Village, role: str, holds: bool) -> Call:
    outside = OTHER_COUNTY_VILLAGE if role == "county_admin" else XIZHUANG
    body = {"name": "matrix", "villages": [V if holds else outside], "scopes": ["read"]}
    return Call("gateway", "POST", "/api/v1/api-keys", body)


def _revoke_key(v: Village, role: str, holds: bool) -> Call:
    outside = OTHER_COUNTY_VILLAGE if role == "county_admin" else XIZHUANG
    return Call("gateway", "DELETE", f"/api/v1/api-keys/{v.api_key(V if holds else outside)}")


def _forget(v: Village, role: str, holds: bool) -> Call:
    body = {"person": v.uid("gone"), "reason": "request"}
    return Call("gateway", "POST", f"/api/v1/villages/{V}/personal-data/forget", body)


def _export(v: Village, role: str, holds: bool) -> Call:
    body = {"person": v.uid("asks")}
    return Call("gateway", "POST", f"/api/v1/villages/{V}/personal-data/export", body)


def _export_from(service: str) -> Case:
    def case(v: Village, role: str, holds: bool) -> Call:
        return _call(service, "POST", "personal-data/export", {"person": v.uid("asks")})

    return case


def _register_asset(v: Village, role: str, holds: bool) -> Call:
    body = {"asset_id": v.uid("pond"), "kind": "pond", "name": "村南坑塘", "area_mu": "3.20"}
    return _call("economy", "POST", "assets", body)


def _register_contract(v: Village, role: str, holds: bool) -> Call:
    body = {
        "contract_id": v.uid("ht"), "asset_id": v.asset(), "contractor_id": v.uid("p"),
        "contractor_name": "承包户", "area_mu": "5.00", "annual_fee_yuan": "2500.00",
        "starts_on": "2020-01-01", "ends_on": "2029-12-31", "written": False,
    }  # fmt: skip
    return _call("economy", "POST", "contracts", body)


def _import(v: Village, role: str, holds: bool) -> Call:
    row = (
        f"{v.uid('ht')},{v.uid('plot')},耕地,{v.uid('p')},承包户,4.10,2100.00,2021-01-01,2030-12-31"
    )
    header = (
        "合同编号,资产编号,资产类别,承包方编号,承包方,承包面积(亩),年承包费(元),起始日期,终止日期"
    )
    return Call(
        "economy", "POST", f"/villages/{V}/contracts/import",
        file=f"{header}\n{row}\n".encode(),
    )  # fmt: skip


def _start_campaign(v: Village, role: str, holds: bool) -> Call:
    body = {"campaign_id": v.uid("qingli"), "name": "合同清理", "year": 2026,
            "starts_on": "2026-03-01"}  # fmt: skip
    return _call("economy", "POST", "campaigns", body)


def _review(v: Village, role: str, holds: bool) -> Call:
    body = {"campaign_id": v.campaign(), "findings": ["fee_arrears"], "arrears_yuan": "800.00"}
    return _call("economy", "POST", f"contracts/{v.contract()}/review", body)


def _rectify(v: Village, role: str, holds: bool) -> Call:
    contract_id = v.reviewed(findings=["fee_arrears"], arrears_yuan="800.00")
    body = {"action": "arrears_recovered", "recovered_yuan": "800.00"}
    return _call("economy", "POST", f"contracts/{contract_id}/rectifications", body)


def _clear(v: Village, role: str, holds: bool) -> Call:
    return _call("economy", "POST", f"contracts/{v.reviewed()}/clear", {})


def _record_income(v: Village, role: str, holds: bool) -> Call:
    body = {
        "entry_id": v.uid("in"), "source": "subsidy", "amount_yuan": "12000.00", "year": 2026,
        "received_on": "2026-06-30", "reference": "县级乡村振兴补助",
    }  # fmt: skip
    return _call("economy", "POST", "income", body)


def _register_coop(v: Village, role: str, holds: bool) -> Call:
    body = {"coop_id": v.uid("coop"), "name": "西兰花合作社", "crops": ["西兰花"], "members": 30,
            "registered_on": "2020-03-01"}  # fmt: skip
    return _call("economy", "POST", "cooperatives", body)


def _harvest(v: Village, role: str, holds: bool) -> Call:
    body = {
        "harvest_id": v.uid("h"), "crop": "马铃薯", "area_mu": "300.00", "output_kg": "900000",
        "season": "2026-autumn", "harvested_on": "2026-09-20",
    }  # fmt: skip
    return _call("economy", "POST", f"cooperatives/{v.coop()}/harvests", body)


def _sale(v: Village, role: str, holds: bool) -> Call:
    body = {
        "sale_id": v.uid("s"), "crop": "西兰花", "quantity_kg": "20000", "amount_yuan": "56000.00",
        "buyer": "太原蔬菜批发市场", "sold_on": "2026-10-08",
    }  # fmt: skip
    return _call("economy", "POST", f"cooperatives/{v.coop()}/sales", body)


def _register_enterprise(v: Village, role: str, holds: bool) -> Call:
    body = {"enterprise_id": v.uid("ent"), "name": "东庄铸造厂", "sector": "casting",
            "park": "东庄铸造产业园区"}  # fmt: skip
    return _call("economy", "POST", "enterprises", body)


def _employment(v: Village, role: str, holds: bool) -> Call:
    body = {"villagers_employed": 180, "as_of": "2026-10-31"}
    return _call("economy", "POST", f"enterprises/{v.enterprise()}/employment", body)


def _propose_works(v: Village, role: str, holds: bool) -> Call:
    body = {
        "works_id": v.uid("works"), "category": "drainage", "title": "北街下水",
        "planned_quantity": "120", "unit": "m", "budget_yuan": "96000.00",
    }  # fmt: skip
    return _call("livelihood", "POST", "works", body)


def _approve_works(v: Village, role: str, holds: bool) -> Call:
    """A township officer approves only works the county funds (the rule)."""
    funding = ["collective", "county"] if holds else ["collective"]
    body = {"deliberation_id": v.public_works(), "funding": funding}
    return _call("livelihood", "POST", f"works/{v.works()}/approval", body)


def _fund_works(v: Village, role: str, holds: bool) -> Call:
    body = {"source": "county", "amount_yuan": "12000.00"}
    return _call("livelihood", "POST", f"works/{v.works('approved')}/funding", body)


def _start_works(v: Village, role: str, holds: bool) -> Call:
    body = {"started_on": "2026-06-01", "contractor_id": v.uid("p"), "contractor": "东庄建筑队"}
    return _call("livelihood", "POST", f"works/{v.works('approved')}/start", body)


def _report_progress(v: Village, role: str, holds: bool) -> Call:
    body = {"quantity_done": "4", "note": "已完成四处", "photos": ["photos/progress-1.jpg"]}
    return _call("livelihood", "POST", f"works/{v.works('in_progress')}/progress", body)


def _approve_change(v: Village, role: str, holds: bool) -> Call:
    body = {"budget_yuan": "25000.00", "planned_quantity": "12", "reason": "增加两处"}
    return _call("livelihood", "POST", f"works/{v.works()}/change", body)


def _complete_works(v: Village, role: str, holds: bool) -> Call:
    body = {"quantity": "10", "cost_yuan": "18800.00", "completed_on": "2026-07-15"}
    return _call("livelihood", "POST", f"works/{v.works('in_progress')}/completion", body)


def _accept_works(v: Village, role: str, holds: bool) -> Call:
    body = {"passed": True, "note": "验收合格"}
    return _call("livelihood", "POST", f"works/{v.works('completed')}/acceptance", body)


def _start_remediation(v: Village, role: str, holds: bool) -> Call:
    body = {"campaign_id": v.uid("liuluan"), "name": "六乱治理", "starts_on": "2026-03-01",
            "partners": ["新光华铸管"]}  # fmt: skip
    return _call("livelihood", "POST", "remediation/campaigns", body)


def _record_remediation(v: Village, role: str, holds: bool) -> Call:
    body = {"action_id": v.uid("act"), "kind": "garbage_cleared", "count": 1, "quantity": "12.5",
            "done_on": "2026-04-01"}  # fmt: skip
    tail = f"remediation/campaigns/{v.remediation_campaign()}/actions"
    return _call("livelihood", "POST", tail, body)


def _promise(v: Village, role: str, holds: bool) -> Call:
    """A resident asks in their own name (the rule); staff record a resident's request."""
    asker = v.neighbour if role == "resident" and not holds else v.resident
    body = {
        "item_id": v.uid("thing"), "title": "村口路灯维修", "owner_id": v.secretary.person_id,
        "deadline": "2027-06-30", "resident_id": asker.person_id, "words": "路灯坏了",
    }  # fmt: skip
    return _call("livelihood", "POST", "practical-things", body)


def _mark_done(v: Village, role: str, holds: bool) -> Call:
    body = {"done_on": "2026-10-01", "beneficiaries": 30}
    return _call("livelihood", "POST", f"practical-things/{v.practical_thing()}/done", body)


def _acknowledge(v: Village, role: str, holds: bool) -> Call:
    """Only the resident who asked acknowledges (the rule): another's request is refused."""
    asker = v.neighbour if role == "resident" and not holds else v.resident
    item_id = v.practical_thing(asked_by=asker, done=True)
    tail = f"practical-things/{item_id}/acknowledgement"
    return _call("livelihood", "POST", tail, {"satisfied": True})


CASES: dict[str, Case] = {
    "gateway.village.register": _register_village,
    "gateway.user.create": _create_user,
    "gateway.api_key.create": _create_key,
    "gateway.api_key.revoke": _revoke_key,
    "grid.grid.establish": _establish,
    "grid.grid.assign_chief": _assign_chief,
    "grid.team.form": _form_team,
    "grid.team.join": _join_team,
    "grid.team.log_service": _log_service,
    "grid.issue.raise": _raise,
    "grid.issue.assign": _issue_case(
        "assign", {"assignee_kind": "team", "assignee_id": "team-1"}, "raised"
    ),
    "grid.issue.escalate": _issue_case(
        "escalate", {"level": "village_committee", "reason": "dispute"}, "raised"
    ),
    "grid.issue.resolve": _issue_case("resolve", {"resolution": "已处理"}, "assigned"),
    "grid.issue.confirm": _own_issue_case("confirm", {"satisfaction": 5}),
    "grid.issue.reopen": _own_issue_case("reopen", {"reason": "还在积水"}),
    "grid.issue.close": _close,
    "party.organization.establish": _establish_org,
    "party.member.register": _register,
    "party.member.transfer": _transfer,
    "party.points_rule.define": _define_rule,
    "party.member.score": _score,
    "party.points_notice.publish": _publish,
    "party.points_notice.object": _object,
    "party.points_notice.answer": _answer,
    "party.points_notice.close": _close_notice,
    "party.activity.hold": _hold,
    "party.activity.attend": _attend,
    "party.deliberation.open": _open,
    "party.deliberation.complete_step": _step,
    "party.deliberation.record_meeting": _meeting,
    "party.deliberation.announce": _announce,
    "party.representative.schedule_rotation": _rotation,
    "gateway.personal_data.forget": _forget,
    "gateway.personal_data.export": _export,
    "grid.personal_data.export": _export_from("grid"),
    "party.personal_data.export": _export_from("party"),
    "economy.asset.register": _register_asset,
    "economy.contract.register": _register_contract,
    "economy.contract.import": _import,
    "economy.campaign.start": _start_campaign,
    "economy.contract.review": _review,
    "economy.contract.rectify": _rectify,
    "economy.contract.clear": _clear,
    "economy.income.record": _record_income,
    "economy.cooperative.register": _register_coop,
    "economy.harvest.record": _harvest,
    "economy.sale.record": _sale,
    "economy.enterprise.register": _register_enterprise,
    "economy.employment.record": _employment,
    "economy.personal_data.export": _export_from("economy"),
    "livelihood.works.propose": _propose_works,
    "livelihood.works.approve": _approve_works,
    "livelihood.works.fund": _fund_works,
    "livelihood.works.start": _start_works,
    "livelihood.works.report_progress": _report_progress,
    "livelihood.works.approve_change": _approve_change,
    "livelihood.works.complete": _complete_works,
    "livelihood.works.accept": _accept_works,
    "livelihood.remediation.start": _start_remediation,
    "livelihood.remediation.record": _record_remediation,
    "livelihood.practical_thing.promise": _promise,
    "livelihood.practical_thing.done": _mark_done,
    "livelihood.practical_thing.acknowledge": _acknowledge,
    "livelihood.personal_data.export": _export_from("livelihood"),
}

# Allowed, but the command cannot succeed yet in a test's time: the notice runs five days at
# least. The permission passed when the domain answers (409 "runs until"), not 403.
NOT_YET = {"party.points_notice.close": 409}


def _actors(platform: RunningPlatform, county: CountyPeople) -> dict[str, Actor]:
    people = county.villages[V]
    by_role: dict[str, Account] = {
        "county_admin": county.admin, "township_officer": county.township_officer,
        **people.by_role(),
    }  # fmt: skip
    actors = {
        role: Actor(platform, role, lambda who=who: platform.bearer(who))  # type: ignore[misc]
        for role, who in by_role.items()
    }
    made = create_api_key(platform, people.secretary, [V], ("read", "write"), name="matrix")
    assert made.status_code == 201, made.text
    key = made.json()
    # Straight at a service, an API client carries what the gateway sends for its key: a
    # short token of the client, signed with the platform's key (the launcher's key file).
    issuer = TokenIssuer(
        (platform.state_dir / "keys" / "signing.pem").read_text(),
        issuer="xiangzhi-gateway", audience="xiangzhi", ttl=60,
    )  # fmt: skip
    client = Principal(
        f"apikey:{key['key_id']}", "api_client", villages=frozenset({V}),
        scopes=frozenset({"read", "write"}), person_id=f"apikey:{key['key_id']}",
    )  # fmt: skip
    actors["api_client"] = Actor(
        platform, "api_client", lambda: {"X-API-Key": key["api_key"]},
        lambda: {"Authorization": f"Bearer {issuer.issue(client)}"},
    )  # fmt: skip
    return actors


def _chain_head(platform: RunningPlatform, service: str) -> int:
    """How far the village's record goes (for the gateway: how many identities it holds)."""
    if service == "gateway":
        rows = platform.query(
            "gateway",
            "select (select count(*) from users) + (select count(*) from villages) "
            "+ (select count(*) from api_keys where revoked_at is null) as n",
        )
        return int(rows[0]["n"])
    rows = platform.query(service, "select chain_seq from chain_heads where village = $1", V)
    return int(rows[0]["chain_seq"]) if rows else 0


def _tables(platform: RunningPlatform) -> dict[str, list[dict[str, Any]]]:
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as http:
        published = http.get("/api/v1/permissions")
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["partial"] is False, body
    # What the gateway publishes is what each service serves (and enforces); every service's
    # table is in the matrix, so a new service's commands need their cases here.
    for service in UPSTREAM_NAMES:
        served = httpx.get(f"{platform.service_urls[service]}/permissions", timeout=30).json()
        assert body["services"][service] == served
    return dict(body["services"])


def test_every_role_and_every_command_as_the_permission_table_says(
    platform: RunningPlatform, county: CountyPeople, grids: dict[str, str]
) -> None:
    tables = _tables(platform)
    permissions = [p for table in tables.values() for p in table]
    assert {p["permission"] for p in permissions} == set(CASES), "a command has no case here"
    village = Village(platform, county, grids[V])
    actors = _actors(platform, county)

    # (role, permission, rule holds, direct): each run in order, the refusals first, so a
    # refusal that depends on what was not set up yet (not a party member) comes before it is.
    runs: list[tuple[str, dict[str, Any], bool, bool]] = []
    for permission in permissions:
        for role in ROLES:
            rule = permission["roles"].get(role, "absent")
            states = [True] if rule in (None, "absent") else [False, True]
            ways = (False,) if permission["permission"].startswith("gateway.") else (False, True)
            runs += [(role, permission, h, direct) for h in states for direct in ways]
    runs.sort(key=lambda run: run[2])  # every "rule does not hold" before any "holds"

    outcomes: dict[str, int] = {"allowed": 0, "refused by role": 0, "refused by rule": 0}
    for role, permission, holds, direct in runs:
        name = permission["permission"]
        granted = role in permission["roles"]
        rule = permission["roles"].get(role)
        call = CASES[name](village, role, holds)
        before = _chain_head(platform, call.service)
        response = actors[role].send(call, direct=direct)
        where = (name, role, "direct" if direct else "gateway", f"rule holds: {holds}")
        if granted and (rule is None or holds):
            expected = NOT_YET.get(name)
            if expected:
                assert response.status_code == expected, (*where, response.text)
            else:
                assert response.status_code in (200, 201, 204), (*where, response.text)
            outcomes["allowed"] += 1
            continue
        assert response.status_code == 403, (*where, response.text)
        assert response.headers["content-type"] == "application/problem+json", where
        problem = response.json()
        assert problem["permission"] == name, (*where, problem)
        if granted:
            assert problem.get("rule") == rule, (*where, problem)
            outcomes["refused by rule"] += 1
        else:
            assert "rule" not in problem, (*where, problem)
            outcomes["refused by role"] += 1
        after = _chain_head(platform, call.service)
        assert after == before, (*where, "a refused command appended events")
    commands = len(permissions)
    print(
        f"permission matrix: {len(ROLES)} roles × {commands} commands = "
        f"{len(ROLES) * commands} pairs, {len(runs)} requests (gateway and direct): {outcomes}"
    )
