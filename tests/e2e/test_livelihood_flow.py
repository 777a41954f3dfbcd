"""The platform's cross-service flow with real producers on both sides, through the gateway on
the platform as ``make run`` starts it: a resident's issue escalated as needing works → works
proposed by livelihood's policy → approved on a deliberation that passed 四议两公开 → completed
→ the issue resolved in grid by grid's policy → confirmed by the resident → the party member
who led the works scored by party's policy. One correlation id runs through every event of it,
and every projection rebuilt from Kafka shows the same, nothing twice.

And the upcaster end to end: a make-plan step stored as v1 (free-text works items, as before the
change) reads as v2 in party and becomes works proposed in livelihood."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from xiangzhi import db
from xiangzhi.store import EventMeta, EventStore, NewEvent

from tests.e2e.people import DONGZHUANG, CountyPeople, eventually, passed_deliberation, post_ok
from tests.e2e.running import RunningPlatform
from tests.e2e.test_personal_data import _ops

pytestmark = pytest.mark.integration

V = DONGZHUANG
API = f"/api/v1/villages/{V}"
LEAD = "pm-dz-lead-works"
TODAY = datetime.now(UTC).date().isoformat()


def _get(http: httpx.Client, path: str, **params: Any) -> dict[str, Any] | None:
    response = http.get(path, params=params)
    return response.json() if response.status_code == 200 else None  # type: ignore[no-any-return]


def _events(platform: RunningPlatform, service: str, corr: str) -> list[tuple[str, str]]:
    rows = platform.query(
        service,
        "select type, stream_id from events where meta->>'correlation_id' = $1 order by position",
        corr,
    )
    return [(r["type"], r["stream_id"]) for r in rows]


def test_an_issue_needing_works_is_resolved_by_them_and_its_resolver_scored(
    platform: RunningPlatform, county: CountyPeople, grids: dict[str, str]
) -> None:
    people = county.villages[V]
    corr = f"flow-{uuid.uuid4()}"
    c = {"X-Correlation-ID": corr}
    issue_id = f"dz-drain-{uuid.uuid4().hex[:8]}"
    with (
        platform.client(people.secretary) as secretary,
        platform.client(people.staff) as staff,
        platform.client(people.residents[0]) as resident,
    ):
        # The party member who will lead the works, known to party (and so to grid's copy).
        post_ok(secretary, f"{API}/party/organizations",
              {"org_id": "dz-flow-branch", "name": "东庄村党总支", "kind": "general_branch"},
              ok=(201, 409))  # fmt: skip
        post_ok(secretary, f"{API}/party/members", {
            "member_id": LEAD, "name": "王支委", "org_id": "dz-flow-branch", "status": "full",
            "joined_on": "1998-07-01"}, ok=(201, 409))  # fmt: skip

        post_ok(resident, f"{API}/grid/issues", {
            "issue_id": issue_id, "grid_id": grids[V], "category": "drainage",
            "title": "正街下水不通", "description": "雨后积水没过脚踝", "address": "正街18号",
        }, **c)  # fmt: skip
        post_ok(staff, f"{API}/grid/issues/{issue_id}/escalate",
              {"level": "village_committee", "reason": "needs_works"}, **c)  # fmt: skip

        # livelihood's policy proposes works linked to the issue, from grid's event.
        def proposed() -> dict[str, Any] | None:
            page = _get(staff, f"{API}/livelihood/works", stage="proposed", limit=500)
            found = [w for w in (page or {}).get("items", []) if issue_id in w["issue_ids"]]
            return found[0] if found else None

        works = eventually(proposed, timeout=60)
        assert (works["category"], works["source"]) == ("drainage", "issue_escalated")
        works_id = works["works_id"]
        w = f"{API}/livelihood/works/{works_id}"

        delib = f"dz-drain-{uuid.uuid4().hex[:6]}"
        token = passed_deliberation(
            secretary, V, delib, matter="public_works", topic="正街下水改造", votes=(40, 2), **c
        )
        post_ok(secretary, f"{w}/change", {"budget_yuan": "360000.00", "planned_quantity": "300",
                                         "reason": "按方案: 正街下水 300 米"}, **c)  # fmt: skip
        post_ok(secretary, f"{w}/approval", {"deliberation_id": delib, "funding": ["collective"]},
              **{**c, "X-Consistency-Token": token})  # fmt: skip
        post_ok(staff, f"{w}/funding", {"source": "collective", "amount_yuan": "360000.00"}, **c)
        post_ok(staff, f"{w}/start", {"started_on": "2026-09-01", "contractor_id": "builder-dz",
                                    "contractor": "东庄建筑队"}, **c)  # fmt: skip
        post_ok(staff, f"{w}/progress", {"quantity_done": "150", "note": "完成一半",
                                       "photos": ["photo://works/drain-1.jpg"]}, **c)  # fmt: skip
        post_ok(staff, f"{w}/completion", {"quantity": "300", "cost_yuan": "352000.00",
                                         "completed_on": TODAY,
                                         "lead_party_member_id": LEAD}, **c)  # fmt: skip

        # grid resolves the issue from livelihood's event; the resident confirms it.
        def resolved() -> dict[str, Any] | None:
            issue = _get(resident, f"{API}/grid/issues/{issue_id}")
            return issue if issue and issue["status"] == "resolved" else None

        issue = eventually(resolved, timeout=60)
        assert (issue["resolved_via"], issue["works_id"]) == ("works_completed", works_id)
        post_ok(resident, f"{API}/grid/issues/{issue_id}/confirm", {"satisfaction": 5}, **c)

        # party scores the member who led the works, from grid's event.
        cause = f"grid-issue:{issue_id}"

        def scored() -> list[dict[str, Any]] | None:
            points = _get(secretary, f"{API}/party/members/{LEAD}/points", period=2026)
            found = [e for e in (points or {}).get("entries", []) if e["source_event_id"] == cause]
            return found or None

        assert len(eventually(scored, timeout=60)) == 1

    # One correlation id through all of it, in every service's own events.
    grid_types = [t for t, _ in _events(platform, "grid", corr)]
    assert grid_types == [
        "grid.issue.raised.v1", "grid.issue.escalated.v1", "grid.issue.resolved.v1",
        "grid.issue.confirmed.v1",
    ]  # fmt: skip
    livelihood_types = [t for t, _ in _events(platform, "livelihood", corr)]
    for step in ("proposed", "change_approved", "approved", "funded", "started",
                 "progress_reported", "completed"):  # fmt: skip
        assert f"livelihood.works.{step}.v1" in livelihood_types, livelihood_types
    assert "party.member.scored.v1" in [t for t, _ in _events(platform, "party", corr)]

    # Every projection and policy rebuilt from Kafka: the same state, nothing twice.
    for service, projections in (
        ("grid", ("grid", "party_copy", "works_completed_policy")),
        ("livelihood", ("livelihood", "party_copy", "escalation_policy", "plan_policy")),
        ("party", ("party", "grid_copy", "grid_policies")),
    ):
        for projection in projections:
            rebuilt = _ops(platform, service, "rebuild", projection)
            assert rebuilt.returncode == 0, (service, projection, rebuilt.stdout, rebuilt.stderr)
    with platform.client(people.secretary) as secretary:
        issue = eventually(lambda: _get(secretary, f"{API}/grid/issues/{issue_id}"))
        assert issue["status"] == "confirmed" and issue["works_id"] == works_id
        done = eventually(lambda: _get(secretary, f"{API}/livelihood/works/{works_id}"))
        assert done["stage"] == "completed" and done["quantity_done"] == "300.000"
        assert len(eventually(lambda: scored_again(secretary, cause), timeout=60)) == 1
    assert [t for t, _ in _events(platform, "livelihood", corr)].count(
        "livelihood.works.proposed.v1"
    ) == 1
    assert [t for t, _ in _events(platform, "party", corr)].count("party.member.scored.v1") == 1


def scored_again(http: httpx.Client, cause: str) -> list[dict[str, Any]] | None:
    points = _get(http, f"{API}/party/members/{LEAD}/points", period=2026)
    found = [e for e in (points or {}).get("entries", []) if e["source_event_id"] == cause]
    return found or None


def test_a_plan_stored_as_v1_reads_as_v2_and_its_works_are_proposed(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    people = county.villages[V]
    deliberation_id = f"dz-v1-{uuid.uuid4().hex[:6]}"
    base = f"{API}/party/deliberations"
    with platform.client(people.secretary) as http:
        post_ok(http, base, {"deliberation_id": deliberation_id, "kind": "sentiment_talk",
                           "topic": "村内道路", "matter": "other"})  # fmt: skip
        for step, body in (
            ("collect_opinions", {"summary": "入户收集"}),
            ("set_agenda", {"summary": "确定议题"}),
            ("consult", {"summary": "协商", "questions": [
                {"question": "钱从哪来?", "asked_by": "村民甲", "answer": "村集体"}]}),
            ("report", {"summary": "通报"}),
        ):  # fmt: skip
            post_ok(http, f"{base}/{deliberation_id}/steps/{step}", body)

    # The plan as the service wrote it before works items were structured: a v1 event.
    async def append_v1() -> None:
        pool = await db.create_pool(platform.dsn("party"), min_size=1, max_size=1)
        store = EventStore(pool)
        stream = f"deliberation-{V}-{deliberation_id}"
        version = len(await store.read_stream(stream))
        plan = NewEvent("party.deliberation.step_completed.v1", {
            "deliberation_id": deliberation_id, "step": "make_plan", "summary": "方案",
            "attachments": [], "questions": [], "plan_items": ["修路"],
            "works_items": ["北街路面修补", "村口漏水点"],
        })  # fmt: skip
        meta = EventMeta(correlation_id="v1-plan", actor="before-the-change")
        await store.append(stream, version, [plan], village=V, meta=meta)
        await pool.close()

    asyncio.run(append_v1())
    with platform.client(people.secretary) as http:
        # party folds it through the upcaster: the next step follows the plan.
        announced = http.post(f"{base}/{deliberation_id}/announcement", json={"text": "公告"})
        assert announced.status_code in (200, 201), announced.text

        def proposed() -> list[dict[str, Any]] | None:
            page = _get(http, f"{API}/livelihood/works", stage="proposed", limit=500)
            ours = [w for w in (page or {}).get("items", [])
                    if w["deliberation_id"] == deliberation_id]  # fmt: skip
            return ours if len(ours) == 2 else None

        works = eventually(proposed, timeout=60)
    assert sorted(w["title"] for w in works) == ["北街路面修补", "村口漏水点"]
    assert {(w["category"], w["source"]) for w in works} == {("other", "deliberation_plan")}
