"""grid → party on the real broker: a confirmed issue resolved by a party member scores once
(redelivered, confirmed again after a reopening, rebuilt); volunteer service scores; and each
score explains itself over HTTP."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from party.app import create_app
from party.settings import PartySettings
from party_testing import DONGZHUANG, SECRETARY, SIGNER, as_, register_members
from xiangzhi.envelope import Envelope


@pytest.fixture
async def party(
    pg_dsn: str, kafka_bootstrap: str, make_topic, key_service
) -> AsyncIterator[tuple[httpx.AsyncClient, object, PartySettings]]:
    settings = PartySettings(
        **key_service,
        postgres_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap,
        events_topic=await make_topic("party.events"), grid_topic=await make_topic("grid.events"),
        consistency_timeout=20, auth_public_key=SIGNER.public_pem,
    )  # fmt: skip
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://party", headers=SECRETARY) as http,
    ):
        yield http, app.state.runtime, settings


def _grid_event(
    event_type: str, chainseq: int, data: dict, event_id: uuid.UUID | None = None
) -> Envelope:
    return Envelope(
        id=event_id or uuid.uuid4(), source="/xiangzhi/grid", type=event_type, subject="issue-x",
        time=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), village=DONGZHUANG, chainseq=chainseq,
        streamversion=1, correlationid="corr-grid", hash="c" * 64, prevhash="d" * 64, data=data,
    )  # fmt: skip


async def _send(bootstrap: str, topic: str, *events: Envelope) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for envelope in events:
            key, value, headers = envelope.to_kafka()
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def _applied(runtime, chainseq: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(400):
        seen = await runtime.pool.fetchval(
            "select chainseq from proj_grid_policies._applied where village = $1", DONGZHUANG
        )
        if seen is not None and seen >= chainseq:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the policy did not reach chainseq {chainseq}")


async def test_a_confirmed_issue_scores_its_party_member_resolver_once(
    party, kafka_bootstrap: str
) -> None:
    http, runtime, settings = party
    await register_members(http, "pm-wang")
    confirmed = _grid_event("grid.issue.confirmed.v1", 3, {
        "issue_id": "issue-7", "satisfaction": 5, "comment": "满意", "confirmed_by": "r1",
        "on_behalf": False, "resolver_party_member_id": "pm-wang",
    })  # fmt: skip
    not_a_member = _grid_event("grid.issue.confirmed.v1", 4, {
        "issue_id": "issue-8", "satisfaction": 4, "confirmed_by": "r2", "resolver_party_member_id": None,
    })  # fmt: skip
    service = _grid_event("grid.volunteer_team.service_logged.v1", 5, {
        "team_id": "team-2", "person_id": "p9", "hours": "2.50", "description": "送药上门",
        "issue_id": None, "party_member_id": "pm-wang", "served_on": "2026-11-19T08:00:00Z",
    })  # fmt: skip
    # A volunteer's member id that the register does not know scores nobody.
    unregistered = _grid_event("grid.volunteer_team.service_logged.v1", 6, {
        "team_id": "team-2", "person_id": "p10", "hours": "1.00", "description": "清扫",
        "issue_id": None, "party_member_id": "pm-ghost", "served_on": "2026-11-19T08:00:00Z",
    })  # fmt: skip
    await _send(
        kafka_bootstrap, settings.grid_topic, confirmed, not_a_member, service, unregistered
    )
    await _applied(runtime, 6)
    assert await runtime.store.read_stream(f"points-ledger-{DONGZHUANG}-pm-ghost") == []

    # Delivered again (a relay re-publish), and the same issue confirmed a second time after
    # a reopening: still one score for the issue.
    again = _grid_event("grid.issue.confirmed.v1", 7, {
        "issue_id": "issue-7", "satisfaction": 4, "confirmed_by": "r1", "resolver_party_member_id": "pm-wang",
    })  # fmt: skip
    await _send(kafka_bootstrap, settings.grid_topic, confirmed, again)
    await _applied(runtime, 7)

    scored = await runtime.store.read_stream(f"points-ledger-{DONGZHUANG}-pm-wang")
    assert [(e.data["rule_id"], e.data["points"]) for e in scored] == [
        ("resolved_issue", "2.00"),
        ("volunteer_service", "1.00"),
    ]
    assert scored[0].meta["causation_id"] == str(confirmed.id)
    token = f"party:{DONGZHUANG}:{scored[-1].chain_seq}"

    card = (await http.get(f"/villages/{DONGZHUANG}/members/pm-wang/points", params={"period": 2026},
                           headers={"X-Consistency-Token": token})).json()  # fmt: skip
    assert card["total"] == "3.00"
    assert card["stars"] == 0
    assert [e["source_event_id"] for e in card["entries"]] == [
        "grid-issue:issue-7",
        f"grid-service:{service.id}",
    ]
    assert all(e["rule_version"] == 1 for e in card["entries"])
    assert "issue-7" in card["entries"][0]["reason"]

    # A rebuild of the policy replays every grid event: nothing scores twice.
    await runtime.runners["grid_policies"].rebuild()
    assert len(await runtime.store.read_stream(f"points-ledger-{DONGZHUANG}-pm-wang")) == 2


async def test_rankings_with_stars_and_a_manual_score(party) -> None:
    http, _, _ = party
    await register_members(http, "pm-a", "pm-b", "pm-c")
    last = None
    for member, times in (("pm-a", 49), ("pm-b", 36), ("pm-c", 36)):
        for n in range(times):
            response = await http.post(
                f"/villages/{DONGZHUANG}/members/{member}/scores",
                json={
                    "rule_id": "attended_study" if n < 24 else "gave_party_lesson",
                    "period": 2026,
                    "reason": f"两日活动 #{n}",
                },
            )
            if response.status_code == 409:
                assert response.json()["current_state"] == "capped"
                continue
            assert response.status_code == 201, response.text
            last = response.json()["consistency_token"]
    ranked = (await http.get(f"/villages/{DONGZHUANG}/points/rankings", params={"period": 2026},
                             headers={"X-Consistency-Token": last})).json()  # fmt: skip
    # 24 study days (cap 24) + lessons at 3 points up to the cap of 12: 36 at most.
    assert [(r["member_id"], r["total"], r["rank"]) for r in ranked] == [
        ("pm-a", "36.00", 1),
        ("pm-b", "36.00", 1),
        ("pm-c", "36.00", 1),
    ]
    bad = await http.post(
        f"/villages/{DONGZHUANG}/members/pm-a/scores",
        json={"rule_id": "no_such_rule", "period": 2026, "reason": "x"},
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "rule_id"
    stranger = await http.post(
        f"/villages/{DONGZHUANG}/members/pm-nobody/scores",
        json={"rule_id": "attended_study", "period": 2026, "reason": "x"},
    )
    assert stranger.status_code == 422
    assert stranger.json()["field"] == "member_id"


async def test_public_notice_takes_objections_and_closes_only_when_answered(party) -> None:
    http, runtime, _ = party
    # villager-3 is a resident who is a party member; villager-4 is not a member.
    await register_members(http, "pm-wang", "villager-3")
    base = f"/villages/{DONGZHUANG}/points/notices/2026"
    published = await http.post(base, json={"days": 7})
    assert published.status_code == 201, published.text
    outsider = await http.post(
        f"{base}/objections",
        json={"member_id": "pm-wang", "text": "有意见"},
        headers=as_("resident", "villager-4"),
    )
    assert outsider.status_code == 403
    assert outsider.json()["permission"] == "party.points_notice.object"
    objection = await http.post(
        f"{base}/objections",
        json={"member_id": "pm-wang", "text": "志愿服务时数有误"},
        headers=as_("resident", "villager-3"),
    )
    assert objection.status_code == 201, objection.text
    early = await http.post(f"{base}/close")
    assert early.status_code == 409
    assert "runs until" in early.json()["detail"]
    answered = await http.post(
        f"{base}/objections/{objection.json()['id']}/answer",
        json={"text": "已核实，更正", "adjusted": True, "points": "-1.50"},
    )
    assert answered.status_code == 200, answered.text
    # The adjustment is on the member's ledger, by an event caused by the objection.
    [adjustment] = await runtime.store.read_stream(f"points-ledger-{DONGZHUANG}-pm-wang")
    assert adjustment.data["points"] == "-1.50"
    assert adjustment.data["source_event_id"] == f"objection:{objection.json()['id']}"
    card = (await http.get(
        f"/villages/{DONGZHUANG}/members/pm-wang/points", params={"period": 2026},
        headers={"X-Consistency-Token": answered.json()["consistency_token"]},
    )).json()  # fmt: skip
    assert card["total"] == "-1.50"
    again = await http.post(
        f"{base}/objections/{objection.json()['id']}/answer", json={"text": "x"}
    )
    assert again.status_code == 422
    assert (await http.post(base, json={"days": 3})).status_code == 422

    # The notice board's read (public): the ranking and the objection with its answer, the
    # objector and their words left out.
    board = await http.get(
        f"/villages/{DONGZHUANG}/points/notices",
        headers={"Authorization": "", "X-Consistency-Token": answered.json()["consistency_token"]},
    )
    assert board.status_code == 200, board.text
    [notice] = [n for n in board.json() if n["period"] == 2026]
    assert notice["state"] == "published"
    wang = next(m for m in notice["members"] if m["member_id"] == "pm-wang")
    assert (wang["name"], wang["total"]) == ("党员pm-wang", "-1.50")
    [shown] = [o for o in notice["objections"] if o["objection_id"] == objection.json()["id"]]
    assert shown["member_name"] == "党员pm-wang"
    assert (shown["answered"], shown["answer"], shown["adjusted"], shown["points"]) == (
        True, "已核实，更正", True, "-1.50",
    )  # fmt: skip
    assert "志愿服务时数有误" not in board.text and "villager-3" not in board.text


async def test_representatives_rotation(party) -> None:
    http, _, _ = party
    url = f"/villages/{DONGZHUANG}/representatives/rotation"
    first = await http.post(
        url,
        json={
            "person_id": "rep-1",
            "name": "赵代表",
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "duty": "人居环境监督",
        },
    )
    assert first.status_code == 201, first.text
    overlap = await http.post(
        url,
        json={
            "person_id": "rep-1",
            "name": "赵代表",
            "starts_on": "2026-03-01",
            "ends_on": "2026-04-30",
            "duty": "x",
        },
    )
    assert overlap.status_code == 409
    await http.post(
        url,
        json={
            "person_id": "rep-2",
            "name": "钱代表",
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "duty": "矛盾调解",
        },
    )
    schedule = (await http.get(url)).json()
    assert [t["person_id"] for t in schedule] == ["rep-1", "rep-2"]
