"""Administration in and out of scope, through the gateway only: who may create whom, who may
issue and revoke API keys, and what a village's people can do in another village (nothing)."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.people import (
    DONGZHUANG,
    OTHER_COUNTY,
    OTHER_COUNTY_VILLAGE,
    TOWNSHIP,
    XIZHUANG,
    Account,
    CountyPeople,
    account,
    assert_problem,
    create_api_key,
    create_user,
    new_password,
    revoke_api_key,
)
from tests.e2e.running import RunningPlatform

pytestmark = pytest.mark.integration


def _unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


def _refused(platform: RunningPlatform, creator: Account, new: Account) -> None:
    """403 problem+json, and no such user afterwards: the refused one cannot log in."""
    assert_problem(create_user(platform, creator, new), 403)
    assert platform.token_response(new.username, new.password).status_code == 401


def _created(platform: RunningPlatform, creator: Account, new: Account) -> None:
    response = create_user(platform, creator, new)
    assert response.status_code == 201, (creator.username, new.username, response.text)
    assert platform.login(new.username, new.password)


def test_the_county_admin_creates_officers_and_secretaries_of_its_county_only(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    admin = county.admin
    _created(platform, admin, Account(
        _unique("officer"), new_password(), "township_officer", county="141121",
        township=TOWNSHIP, person_id=_unique("p"),
    ))  # fmt: skip
    _created(platform, admin, account("village_secretary", XIZHUANG, _unique("deputy")))
    # Not residents: a village's residents are its secretary's to register.
    _refused(platform, admin, account("resident", DONGZHUANG, _unique("resident")))
    # Nobody of another county.
    _refused(platform, admin, Account(
        _unique("officer"), new_password(), "township_officer", county=OTHER_COUNTY,
        township=f"{OTHER_COUNTY}100", person_id=_unique("p"),
    ))  # fmt: skip
    _refused(platform, admin, account("village_secretary", OTHER_COUNTY_VILLAGE, _unique("s")))
    _refused(platform, admin, Account(
        _unique("admin"), new_password(), "county_admin", county=OTHER_COUNTY,
    ))  # fmt: skip


def test_a_village_secretary_creates_its_own_villages_people_only(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    secretary = county.villages[DONGZHUANG].secretary
    for role in ("village_staff", "grid_worker", "resident"):
        _created(platform, secretary, account(role, DONGZHUANG, _unique(role)))
    # Not in the other village, not in both, not in another county.
    _refused(platform, secretary, account("resident", XIZHUANG, _unique("resident")))
    _refused(platform, secretary, Account(
        _unique("both"), new_password(), "resident", villages=(DONGZHUANG, XIZHUANG),
        person_id=_unique("p"),
    ))  # fmt: skip
    _refused(platform, secretary, account("resident", OTHER_COUNTY_VILLAGE, _unique("far")))
    # Not a secretary, not anyone above the village.
    _refused(platform, secretary, account("village_secretary", DONGZHUANG, _unique("deputy")))
    _refused(platform, secretary, Account(
        _unique("officer"), new_password(), "township_officer", county="141121",
        township=TOWNSHIP, person_id=_unique("p"),
    ))  # fmt: skip
    _refused(platform, secretary, Account(
        _unique("admin"), new_password(), "county_admin", county="141121",
    ))  # fmt: skip


def test_a_resident_creates_nobody(platform: RunningPlatform, county: CountyPeople) -> None:
    resident = county.villages[DONGZHUANG].residents[0]
    for role in ("resident", "village_staff", "village_secretary"):
        _refused(platform, resident, account(role, DONGZHUANG, _unique(role)))


def test_api_keys_are_issued_and_revoked_only_for_villages_the_caller_administers(
    platform: RunningPlatform, county: CountyPeople
) -> None:
    first, second = county.villages[DONGZHUANG], county.villages[XIZHUANG]
    made = create_api_key(platform, first.secretary, [DONGZHUANG], name="village app")
    assert made.status_code == 201, made.text
    key_id, key = made.json()["key_id"], made.json()["api_key"]
    grids = f"/api/v1/villages/{DONGZHUANG}/grid/grids"

    def key_answers() -> int:
        with platform.client(**{"X-API-Key": key}) as http:
            return http.get(grids).status_code

    assert key_answers() == 200
    # Not for a village one does not administer.
    assert_problem(create_api_key(platform, first.secretary, [XIZHUANG]), 403)
    assert_problem(create_api_key(platform, first.secretary, [DONGZHUANG, XIZHUANG]), 403)
    # The other village's secretary cannot revoke it: refused, and the key still works.
    assert_problem(revoke_api_key(platform, second.secretary, key_id), 403)
    assert key_answers() == 200
    # Residents and staff issue no keys and revoke none.
    for who in (first.residents[0], first.staff):
        assert_problem(create_api_key(platform, who, [DONGZHUANG]), 403)
        assert_problem(revoke_api_key(platform, who, key_id), 403)
    assert key_answers() == 200
    # Its own secretary revokes it; from then on it is refused.
    revoked = revoke_api_key(platform, first.secretary, key_id)
    assert revoked.status_code == 204, revoked.text
    assert key_answers() == 401


@pytest.mark.parametrize("role", ["resident", "village_staff"])
def test_nobody_of_one_village_reads_or_writes_another(
    platform: RunningPlatform, county: CountyPeople, grids: dict[str, str], role: str
) -> None:
    who = county.villages[DONGZHUANG].by_role()[role]
    other = county.villages[XIZHUANG]
    reads = [
        f"/api/v1/villages/{XIZHUANG}/grid/grids",
        f"/api/v1/villages/{XIZHUANG}/grid/issues",
        f"/api/v1/villages/{XIZHUANG}/grid/statistics",
        f"/api/v1/villages/{XIZHUANG}/party/points/rankings",
    ]
    issue_id = _unique("cross")
    body = {
        "issue_id": issue_id, "grid_id": grids[XIZHUANG], "category": "road",
        "title": "路面坑洼", "description": "村口路面坑洼", "address": "村口",
        "raised_by": who.person_id,
    }  # fmt: skip
    with platform.client(who) as http:
        # Their own village answers: the refusals below are about the village, not the caller.
        assert http.get(f"/api/v1/villages/{DONGZHUANG}/grid/grids").status_code == 200
        for url in reads:
            refused = http.get(url)
            problem = assert_problem(refused, 403)
            assert grids[XIZHUANG] not in refused.text, problem  # no data of the village
        assert_problem(http.post(f"/api/v1/villages/{XIZHUANG}/grid/issues", json=body), 403)
    # Nothing was written there: the village's own secretary finds no such issue.
    with platform.client(other.secretary) as http:
        missing = http.get(f"/api/v1/villages/{XIZHUANG}/grid/issues/{issue_id}")
    assert missing.status_code == 404, missing.text
