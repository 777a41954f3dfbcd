"""Policy: a livelihood.works.completed event on the real broker resolves the issues it lists,
once, even when the event is delivered again."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from grid_testing import DONGZHUANG, GridService, establish_grid, send
from xiangzhi.envelope import Envelope


def _works_completed(issue_ids: list[str], chainseq: int) -> Envelope:
    return Envelope(
        id=uuid.uuid4(), source="/xiangzhi/livelihood", type="livelihood.works.completed.v1",
        subject="works-w-7", time=datetime.now(UTC), village=DONGZHUANG, chainseq=chainseq,
        streamversion=4, correlationid="corr-works-7", hash="a" * 64, prevhash="b" * 64,
        data={"works_id": "w-7", "category": "drainage", "quantity": "300", "unit": "m",
              "cost_yuan": "180000.00", "completed_on": "2026-11-28", "issue_ids": issue_ids},
    )  # fmt: skip


async def _issue_events(svc: GridService, issue_id: str) -> list[str]:
    return [e.type for e in await svc.runtime.store.read_stream(f"issue-{issue_id}")]


async def test_completed_works_resolve_their_issues_once(
    grid_service: GridService, kafka_bootstrap: str
) -> None:
    svc = grid_service
    await establish_grid(svc)
    ids = []
    for n in range(2):
        raised = await svc.command(f"/villages/{DONGZHUANG}/issues", {
            "grid_id": f"{DONGZHUANG}001", "category": "drainage", "title": f"正街下水 {n}",
            "description": "需要新建下水", "address": f"正街{n}号", "raised_by": f"r{n}",
        })  # fmt: skip
        ids.append(raised["id"])
    await svc.command(f"/villages/{DONGZHUANG}/issues/{ids[0]}/escalate",
                      {"level": "village_committee", "reason": "needs_works"}, status=200)  # fmt: skip

    works = _works_completed([*ids, "no-such-issue"], chainseq=1)
    await send(kafka_bootstrap, svc.settings.livelihood_topic, works)
    for _ in range(400):
        last = [(await _issue_events(svc, i))[-1] for i in ids]
        if last == ["grid.issue.resolved.v1"] * len(ids):
            break
        await asyncio.sleep(0.05)
    for issue_id in ids:
        [resolved] = [
            e
            for e in await svc.runtime.store.read_stream(f"issue-{issue_id}")
            if e.type == "grid.issue.resolved.v1"
        ]
        assert resolved.data["via"] == "works_completed"
        assert resolved.data["works_id"] == "w-7"
        assert resolved.meta["causation_id"] == str(works.id)
        assert resolved.meta["correlation_id"] == "corr-works-7"

    # Delivered again (a relay re-publish), and a later event naming the same issues.
    await send(kafka_bootstrap, svc.settings.livelihood_topic, works)
    await send(kafka_bootstrap, svc.settings.livelihood_topic, _works_completed(ids, chainseq=2))
    runner = svc.runtime.runners["works_completed_policy"]
    for _ in range(400):
        applied = await svc.runtime.pool.fetchval(
            "select chainseq from proj_works_completed_policy._applied where village = $1",
            DONGZHUANG,
        )
        if applied == 2:
            break
        await asyncio.sleep(0.05)
    assert applied == 2
    for issue_id in ids:
        assert (await _issue_events(svc, issue_id)).count("grid.issue.resolved.v1") == 1
    assert await runner.parked() == []

    # And a rebuild of the policy replays every event without resolving anything twice.
    await runner.rebuild()
    for issue_id in ids:
        assert (await _issue_events(svc, issue_id)).count("grid.issue.resolved.v1") == 1
