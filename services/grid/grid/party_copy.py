"""Grid's own narrow copy of party's member register, built from party's events on Kafka (no
calls into party): only a registered party member can be named as an issue's resolver, since
the resolver is the one party scores for it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from xiangzhi.db import Connection, Pool
from xiangzhi.envelope import Envelope
from xiangzhi.projection import Projection


class MemberRegistered(BaseModel):
    """Grid's copy of ``party.member.registered``: one field of six."""

    model_config = ConfigDict(extra="ignore")
    member_id: str


class PartyCopy(Projection):
    name = "party_copy"
    ddl = """
    create table if not exists party_members (
        village char(12) not null,
        member_id text not null,
        primary key (village, member_id)
    );
    """

    wants = ("party.member.registered.",)

    async def apply(self, conn: Connection, event: Envelope) -> None:
        if event.type.startswith("party.member.registered."):
            member = MemberRegistered.model_validate(event.data)
            await conn.execute(
                "insert into party_members values ($1, $2) on conflict do nothing",
                event.village,
                member.member_id,
            )


async def registered(db: Connection | Pool, village: str, member_id: str) -> bool:
    table = PartyCopy([]).table("party_members")
    found = await db.fetchval(
        f"select 1 from {table} where village = $1 and member_id = $2", village, member_id
    )
    return found is not None
