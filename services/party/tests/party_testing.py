"""Helpers for the party service's tests: the gateway's key pair as the service knows it, and
the party branch a test needs before it can score anyone."""

from __future__ import annotations

import httpx
from xiangzhi.testing.tokens import Signer

DONGZHUANG = "141121100201"
SIGNER = Signer()


def as_(role: str, person_id: str, village: str = DONGZHUANG) -> dict[str, str]:
    """The headers of ``person_id`` acting in ``role`` in ``village``."""
    return SIGNER.headers(role, villages=[village], person_id=person_id)


SECRETARY = as_("village_secretary", "sec")


async def register_members(
    http: httpx.AsyncClient, *member_ids: str, village: str = DONGZHUANG
) -> str:
    """A general branch and these members in it; returns the last consistency token."""
    base = f"/villages/{village}"
    branch = await http.post(
        f"{base}/organizations",
        json={"org_id": "general-branch", "name": "村党总支", "kind": "general_branch"},
        headers=SECRETARY,
    )
    assert branch.status_code in (201, 409), branch.text
    token = ""
    for member_id in member_ids:
        registered = await http.post(
            f"{base}/members",
            json={"member_id": member_id, "name": f"党员{member_id}", "org_id": "general-branch",
                  "status": "full", "joined_on": "2001-07-01"},
            headers=SECRETARY,
        )  # fmt: skip
        assert registered.status_code == 201, registered.text
        token = registered.json()["consistency_token"]
    return token
