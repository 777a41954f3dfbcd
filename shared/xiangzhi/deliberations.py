"""A service's own copy of party's deliberations, from party's events on Kafka (never a call
into party): what a citation of 四议两公开 is checked against (economy's contracts,
livelihood's public works). Each service runs it as its projection ``party_copy``; a command
that cites a deliberation waits for it with party's consistency token
(``consistent_read("party_copy")``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from . import governance
from .aggregate import CommandContext
from .db import Connection
from .envelope import Envelope
from .governance import Citation
from .projection import Projection


class DeliberationOpened(BaseModel):
    """The copy of ``party.deliberation.opened``: the matter, not the topic."""

    model_config = ConfigDict(extra="ignore")
    deliberation_id: str
    matter: str = "other"


class PartyMeetingHeld(BaseModel):
    model_config = ConfigDict(extra="ignore")
    deliberation_id: str
    members_total: int
    attending: int
    agreeing: int


class VillagersResolved(BaseModel):
    model_config = ConfigDict(extra="ignore")
    deliberation_id: str
    passed: bool


class DeliberationCopy(Projection):
    name = "party_copy"
    ddl = """
    create table if not exists deliberations (
        village char(12) not null,
        deliberation_id text not null,
        matter text not null,
        party_meeting_passed boolean not null default false,
        villagers_passed boolean not null default false,
        primary key (village, deliberation_id)
    );
    """

    wants = (
        "party.deliberation.opened.",
        "party.deliberation.party_meeting_held.",
        "party.deliberation.villagers_resolved.",
    )

    async def apply(self, conn: Connection, event: Envelope) -> None:
        kind = event.type.rsplit(".", 1)[0]
        if kind == "party.deliberation.opened":
            opened = DeliberationOpened.model_validate(event.data)
            await conn.execute(
                "insert into deliberations (village, deliberation_id, matter) values ($1, $2, $3) "
                "on conflict do nothing",
                event.village,
                opened.deliberation_id,
                opened.matter,
            )
        elif kind == "party.deliberation.party_meeting_held":
            meeting = PartyMeetingHeld.model_validate(event.data)
            passed = governance.party_meeting_passes(
                meeting.members_total, meeting.attending, meeting.agreeing
            )
            # The latest meeting decides, as in party's own aggregate.
            await conn.execute(
                "update deliberations set party_meeting_passed = $3 "
                "where village = $1 and deliberation_id = $2",
                event.village,
                meeting.deliberation_id,
                passed,
            )
        elif kind == "party.deliberation.villagers_resolved":
            resolved = VillagersResolved.model_validate(event.data)
            await conn.execute(
                "update deliberations set villagers_passed = $3 "
                "where village = $1 and deliberation_id = $2",
                event.village,
                resolved.deliberation_id,
                resolved.passed,
            )


async def citation(conn: Connection, village: str, deliberation_id: str | None) -> Citation | None:
    if not deliberation_id:
        return None
    row = await conn.fetchrow(
        f"select * from {DeliberationCopy([]).table('deliberations')} "
        "where village = $1 and deliberation_id = $2",
        village,
        deliberation_id,
    )
    if row is None:
        return None
    return Citation(
        deliberation_id=deliberation_id,
        matter=row["matter"],
        party_meeting_passed=row["party_meeting_passed"],
        villagers_passed=row["villagers_passed"],
    )


async def cited(ctx: CommandContext, deliberation_id: str | None) -> Citation | None:
    """What the service's copy knows of the deliberation a command cites, read in the command's
    transaction when it has one."""
    if not deliberation_id:
        return None
    if ctx.conn is not None:
        return await citation(ctx.conn, ctx.village, deliberation_id)
    async with ctx.store.pool.acquire() as conn:
        return await citation(conn, ctx.village, deliberation_id)
