"""Dongzhuang's grid side (东庄村), as the report describes it, built through the commands.

Party-building, comprehensive-governance and sanitation grids merged into one (3 → 1); 40
micro-grids, each with its three chiefs; 7 volunteer teams drawn from students and young
villagers. Every figure is the outcome of commands and their events, never a stored total.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from xiangzhi.store import EventMeta, EventStore

from . import handlers
from .domain import commands as c
from .domain.actor import Actor

DONGZHUANG = "141121100201"  # 文水县 南武乡 东庄村 (illustrative 12-digit code)
AREAS = ("东片", "西片", "南片", "北片")
MICRO_GRIDS_PER_AREA = 10
TEAMS = (
    ("emergency_rescue", "应急救助队"),
    ("daily_service", "日常服务队"),
    ("dispute_mediation", "矛盾调解队"),
    ("environment", "人居环境整治队"),
    ("elderly_care", "敬老助老队"),
    ("culture", "文化宣传队"),
    ("safety_patrol", "平安巡逻队"),
)
CLERK = Actor("demo-clerk", role="village_secretary")


async def load(store: EventStore, village: str = DONGZHUANG) -> dict[str, int]:
    """Set the village's grid side up; return how many commands it took, by kind."""
    meta = EventMeta(correlation_id=f"demo-{village}", actor=CLERK.person_id)
    ctx = handlers.Context(store=store, village=village, meta=meta, actor=CLERK)
    counts = {"grids": 0, "micro_grids": 0, "chiefs": 0, "teams": 0, "members": 0}
    for a, area in enumerate(AREAS, start=1):
        grid_id = f"{village}{a:03d}"
        await handlers.establish_grid(
            ctx,
            c.EstablishGrid(
                grid_id=grid_id,
                name=f"{area}网格",
                level="grid",
                households=0,
            ),
        )
        counts["grids"] += 1
        for m in range(1, MICRO_GRIDS_PER_AREA + 1):
            micro_id = f"{village}{a * 100 + m:03d}"
            await handlers.establish_grid(
                ctx,
                c.EstablishGrid(
                    grid_id=micro_id,
                    name=f"{area}第{m}微网格",
                    level="micro_grid",
                    parent_id=grid_id,
                    households=28 + (a * m) % 9,
                ),
            )
            counts["micro_grids"] += 1
            person = f"{micro_id}"
            await handlers.assign_chief(
                ctx,
                micro_id,
                "grid_chief",
                c.AssignChief(
                    person_id=f"{person}-gc",
                    name=f"{area}{m}网格长",
                ),
            )
            await handlers.assign_chief(
                ctx,
                micro_id,
                "party_group_leader",
                c.AssignChief(
                    person_id=f"{person}-pg",
                    name=f"{area}{m}党小组组长",
                    is_party_member=True,
                    party_member_id=f"pm-{person}-pg",
                ),
            )
            await handlers.assign_chief(
                ctx,
                micro_id,
                "villager_group_leader",
                c.AssignChief(
                    person_id=f"{person}-vg",
                    name=f"{area}{m}村民小组组长",
                ),
            )
            counts["chiefs"] += 3
    for t, (kind, name) in enumerate(TEAMS, start=1):
        team_id = f"team-{t}"
        await handlers.form_team(ctx, c.FormTeam(team_id=team_id, name=name, kind=kind))
        counts["teams"] += 1
        for v in range(1, 6):
            background = "student" if v % 2 else "youth"
            await handlers.join_team(
                ctx,
                team_id,
                c.JoinTeam(
                    person_id=f"v-{t}-{v}",
                    name=f"志愿者{t}-{v}",
                    background=background,
                ),
            )
            counts["members"] += 1
        await handlers.log_service(
            ctx,
            team_id,
            c.LogService(
                person_id=f"v-{t}-1",
                hours=Decimal("2.5"),
                description=f"{name}例行服务",
                served_on=datetime.now(UTC) - timedelta(days=1),
            ),
        )
    return counts
