"""HTTP → event store → Kafka → projection → HTTP, on the real stack."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer
from grid import sla
from grid_testing import DONGZHUANG, GridService, as_, establish_grid, register_party_member

OTHER_VILLAGE = "141121100202"
GRID = f"{DONGZHUANG}001"
HERE = {"lat": "37.4367000", "lon": "112.0293000"}


async def _raise(svc: GridService, **changes: object) -> dict:
    body = {
        "grid_id": GRID, "category": "drainage", "title": "正街下水堵塞",
        "description": "雨后积水，出行不便", "location": HERE, "raised_by": "resident-1",
    }  # fmt: skip
    body.update(changes)
    return await svc.command(
        f"/villages/{DONGZHUANG}/issues", body, actor=str(body["raised_by"]), role="resident"
    )


async def _issue(svc: GridService, issue_id: str, token: str) -> dict:
    response = await svc.read(f"/villages/{DONGZHUANG}/issues/{issue_id}", token)
    assert response.status_code == 200, response.text
    assert response.headers["X-Consistency"] == "caught-up"
    return response.json()


async def test_grid_directory_with_three_chiefs_and_reassignment(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc, micro=1)
    micro = f"{DONGZHUANG}101"
    response = await svc.http.put(
        f"/villages/{DONGZHUANG}/grids/{micro}/chiefs/grid_chief",
        json={"person_id": "new-chief", "name": "刘网格长"},
    )
    token = response.json()["consistency_token"]
    grids = (await svc.read(f"/villages/{DONGZHUANG}/grids", token)).json()
    assert [g["grid_id"] for g in grids] == [GRID, micro]
    chiefs = {c["role"]: c for c in grids[1]["chiefs"]}
    assert set(chiefs) == {"grid_chief", "party_group_leader", "villager_group_leader"}
    assert chiefs["grid_chief"]["person_id"] == "new-chief"
    assert chiefs["party_group_leader"]["is_party_member"] is True
    history = await svc.runtime.pool.fetch(
        "select person_id, to_at is null as current from proj_grid.chief_history "
        "where grid_id = $1 and role = 'grid_chief' order by from_at",
        micro,
    )
    assert [(r["person_id"], r["current"]) for r in history] == [
        (f"{micro}-grid_chief", False),
        ("new-chief", True),
    ]


async def test_an_issue_from_raise_to_confirm(
    grid_service: GridService, kafka_bootstrap: str
) -> None:
    svc = grid_service
    await establish_grid(svc)
    await register_party_member(svc, kafka_bootstrap, "pm-1")
    raised = await _raise(svc)
    issue_id = raised["id"]
    assert raised["version"] == 1
    card = await _issue(svc, issue_id, raised["consistency_token"])
    assert card["status"] == "raised"
    assert card["due_at"] > card["raised_at"]

    assigned = await svc.command(
        f"/villages/{DONGZHUANG}/issues/{issue_id}/assign",
        {
            "assignee_kind": "chief",
            "assignee_id": "chief-1",
            "role": "grid_chief",
            "expected_version": 1,
        },
        status=200,
    )
    resolved = await svc.command(
        f"/villages/{DONGZHUANG}/issues/{issue_id}/resolve",
        {
            "resolution": "已疏通",
            "person_id": "chief-1",
            "party_member_id": "pm-1",
            "expected_version": assigned["version"],
        },
        status=200,
    )
    confirmed = await svc.command(
        f"/villages/{DONGZHUANG}/issues/{issue_id}/confirm",
        {"satisfaction": 5, "comment": "满意"}, actor="resident-1", role="resident", status=200,
    )  # fmt: skip
    assert confirmed["version"] == resolved["version"] + 1 == 4
    card = await _issue(svc, issue_id, confirmed["consistency_token"])
    assert card["status"] == "confirmed"
    assert card["satisfaction"] == 5
    assert card["resolver_party_member_id"] == "pm-1"

    stats = (
        await svc.read(f"/villages/{DONGZHUANG}/statistics", confirmed["consistency_token"])
    ).json()
    assert stats["issues"]["raised"] == 1
    assert stats["issues"]["resolved"] == 1
    assert stats["issues"]["resolution_rate"] == "1.0000"
    assert stats["issues"]["mean_satisfaction"] == "5.00"
    assert stats["issues"]["median_response_hours"] is not None

    # The events are on Kafka as CloudEvents, keyed by the village.
    consumer = AIOKafkaConsumer(
        svc.settings.topic,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=5000)
    finally:
        await consumer.stop()
    types = [
        dict(r.headers)["ce_type"].decode()
        for rs in batch.values()
        for r in rs
        if r.key == DONGZHUANG.encode()
    ]
    assert "grid.issue.confirmed.v1" in types


async def test_resolve_before_assign_is_409_with_the_current_state_and_changes_nothing(
    grid_service: GridService,
) -> None:
    svc = grid_service
    await establish_grid(svc)
    raised = await _raise(svc)
    refused = await svc.http.post(
        f"/villages/{DONGZHUANG}/issues/{raised['id']}/resolve", json={"resolution": "x"}
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["current_state"] == "raised"
    events = await svc.runtime.store.read_stream(f"issue-{raised['id']}")
    assert [e.type for e in events] == ["grid.issue.raised.v1"]


async def test_a_stale_version_is_a_conflict(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc)
    raised = await _raise(svc)
    url = f"/villages/{DONGZHUANG}/issues/{raised['id']}/assign"
    await svc.command(
        url, {"assignee_kind": "team", "assignee_id": "t1", "expected_version": 1}, status=200
    )
    stale = await svc.http.post(
        url, json={"assignee_kind": "team", "assignee_id": "t2", "expected_version": 1}
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


async def test_confirm_by_someone_else_is_refused(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc)
    issue_id = (await _raise(svc))["id"]
    base = f"/villages/{DONGZHUANG}/issues/{issue_id}"
    await svc.command(f"{base}/assign", {"assignee_kind": "chief", "assignee_id": "c"}, status=200)
    await svc.command(f"{base}/resolve", {"resolution": "done"}, status=200)
    neighbour = await svc.http.post(
        f"{base}/confirm", json={"satisfaction": 1}, headers=as_("resident", "neighbour")
    )
    assert neighbour.status_code == 403
    on_behalf = await svc.command(
        f"{base}/confirm",
        {"satisfaction": 4, "on_behalf": True},
        actor="clerk-1",
        role="village_staff",
        status=200,
    )
    assert on_behalf["version"] == 4


async def test_bad_input_names_the_field_and_writes_nothing(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc)
    url = f"/villages/{DONGZHUANG}/issues"
    cases = {
        "body.grid_id": {"grid_id": "123"},
        "body.location.lat": {"location": {"lat": "91", "lon": "112"}},
        "body.title": {"title": ""},
    }
    for field, change in cases.items():
        body = {"grid_id": GRID, "category": "drainage", "title": "t", "description": "d",
                "location": HERE, "raised_by": "r"} | change  # fmt: skip
        response = await svc.http.post(url, json=body)
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
    unknown_category = await svc.http.post(
        url,
        json={
            "grid_id": GRID,
            "category": "ufo",
            "title": "t",
            "description": "d",
            "location": HERE,
            "raised_by": "r",
        },
    )
    assert unknown_category.status_code == 422
    assert unknown_category.json()["field"] == "category"
    foreign_grid = await svc.http.post(
        url,
        json={
            "grid_id": f"{OTHER_VILLAGE}001",
            "category": "drainage",
            "title": "t",
            "description": "d",
            "location": HERE,
            "raised_by": "r",
        },
    )
    assert foreign_grid.status_code == 422
    assert foreign_grid.json()["field"] == "grid_id"
    assert (
        await svc.runtime.pool.fetchval(
            "select count(*) from events where type like 'grid.issue.%'"
        )
        == 0
    )


async def test_another_villages_issue_is_not_found(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc)
    raised = await _raise(svc)
    await _issue(svc, raised["id"], raised["consistency_token"])
    elsewhere = await svc.http.post(
        f"/villages/{OTHER_VILLAGE}/issues/{raised['id']}/assign",
        json={"assignee_kind": "chief", "assignee_id": "x"},
        headers=as_("village_staff", "clerk-9", OTHER_VILLAGE),
    )
    assert elsewhere.status_code == 404
    assert (await svc.read(f"/villages/{OTHER_VILLAGE}/issues/{raised['id']}")).status_code == 404


async def test_nearby_issues_of_a_kind_are_linked_both_ways(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc)
    first = await _raise(svc)
    await _issue(svc, first["id"], first["consistency_token"])
    second = await _raise(
        svc, location={"lat": "37.4369000", "lon": "112.0293000"}, raised_by="resident-2"
    )
    other_kind = await _raise(svc, category="road", raised_by="resident-3")
    card = await _issue(svc, second["id"], other_kind["consistency_token"])
    assert card["duplicates"] == [first["id"]]
    assert (await _issue(svc, first["id"], other_kind["consistency_token"]))["duplicates"] == [
        second["id"]
    ]
    assert (await _issue(svc, other_kind["id"], other_kind["consistency_token"]))[
        "duplicates"
    ] == []


async def test_an_anonymous_reporter_is_hidden_from_the_public(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc)
    raised = await _raise(svc, anonymous=True)
    await _issue(svc, raised["id"], raised["consistency_token"])
    url = f"/villages/{DONGZHUANG}/issues/{raised['id']}"
    public = await svc.http.get(url, headers=as_("resident", "someone"))
    assert public.json()["raised_by"] is None
    own = await svc.http.get(url, headers=as_("resident", "resident-1"))
    assert own.json()["raised_by"] == "resident-1"
    staff = await svc.http.get(url, headers=as_("grid_worker", "c"))
    assert staff.json()["raised_by"] == "resident-1"


async def test_issue_lists_filter_and_page(grid_service: GridService) -> None:
    svc = grid_service
    await establish_grid(svc, n=1)
    await establish_grid(svc, n=2)
    token = ""
    for n in range(5):
        raised = await _raise(
            svc,
            category="garbage" if n % 2 else "road",
            grid_id=f"{DONGZHUANG}00{1 + n % 2}",
            location={"lat": f"37.{4000000 + n * 10000}", "lon": "112.0293000"},
            raised_by="resident-1" if n < 3 else "resident-2",
        )
        token = raised["consistency_token"]
    url = f"/villages/{DONGZHUANG}/issues"
    page = (await svc.read(url, token, limit=2, offset=0)).json()
    assert page["total"] == 5
    assert len(page["items"]) == 2
    assert (await svc.read(url, token, category="garbage")).json()["total"] == 2
    assert (await svc.read(url, token, grid_id=f"{DONGZHUANG}002")).json()["total"] == 2
    assert (await svc.read(url, token, status="raised")).json()["total"] == 5
    assert (await svc.read(url, token, overdue="true")).json()["total"] == 0
    # A resident's own (我的事项): by the token's person, whatever the request says.
    headers = {"X-Consistency-Token": token} | as_("resident", "resident-2")
    mine = (await svc.http.get(url, headers=headers, params={"mine": "true"})).json()
    assert mine["total"] == 2
    assert {i["raised_by"] for i in mine["items"]} == {"resident-2"}


async def test_the_sla_watcher_escalates_once_per_level_even_when_two_race(
    grid_service: GridService,
) -> None:
    svc = grid_service
    await establish_grid(svc)
    raised = await _raise(svc, category="garbage")  # 24 hours
    card = await _issue(svc, raised["id"], raised["consistency_token"])
    due = datetime.fromisoformat(card["due_at"])
    assert await sla.sweep(svc.runtime, due - timedelta(minutes=1)) == 0
    made = await asyncio.gather(sla.sweep(svc.runtime, due), sla.sweep(svc.runtime, due))
    assert sum(made) == 1
    events = await svc.runtime.store.read_stream(f"issue-{raised['id']}")
    token = f"grid:{DONGZHUANG}:{events[-1].chain_seq}"
    await _issue(svc, raised["id"], token)
    assert await sla.sweep(svc.runtime, due + timedelta(hours=1)) == 0
    assert await sla.sweep(svc.runtime, due + timedelta(hours=24)) == 1
    levels = [
        e.data["level"]
        for e in await svc.runtime.store.read_stream(f"issue-{raised['id']}")
        if e.type == "grid.issue.escalated.v1"
    ]
    assert levels == ["village_committee", "township"]
    overdue = (await svc.read(f"/villages/{DONGZHUANG}/issues", overdue="true")).json()
    assert overdue["total"] == 0 or overdue["items"][0]["level"] in (
        "village_committee",
        "township",
    )
    assert (
        datetime.now(UTC) < due
    )  # the figures above came from the watcher's clock, not the wall's


async def test_a_filter_that_postgres_could_not_store_is_422_not_500(
    grid_service: GridService,
) -> None:
    response = await grid_service.http.get(
        f"/villages/{DONGZHUANG}/issues", params={"category": "road\x00"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("query.category")


async def test_a_resolver_who_is_not_a_registered_party_member_is_refused(
    grid_service: GridService,
) -> None:
    svc = grid_service
    await establish_grid(svc)
    raised = await _raise(svc)
    base = f"/villages/{DONGZHUANG}/issues/{raised['id']}"
    await svc.command(f"{base}/assign", {"assignee_kind": "chief", "assignee_id": "c"}, status=200)
    refused = await svc.http.post(
        f"{base}/resolve", json={"resolution": "疏通", "party_member_id": "pm-unknown"}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "party_member_id"
    events = await svc.runtime.store.read_stream(f"issue-{raised['id']}")
    assert [e.type for e in events][-1] == "grid.issue.assigned.v1"
