"""Who may administer what at the gateway: its own commands in the permission table.

A county administrator registers the county's villages and creates its township officers and
village secretaries; a village secretary creates the village's staff, grid workers and
residents; API keys are issued and revoked by whoever administers every village they name.
"""

from __future__ import annotations

from collections.abc import Iterable

from xiangzhi.auth import Principal
from xiangzhi.permissions import Permission, grants, table_of

REGISTER_VILLAGE = Permission(
    "gateway.village.register",
    "register a village of the county",
    grants(county_admin="county_villages"),
)
CREATE_USER = Permission(
    "gateway.user.create",
    "create a user",
    grants(county_admin="appoints", village_secretary="appoints"),
)
CREATE_API_KEY = Permission(
    "gateway.api_key.create",
    "issue an API key",
    grants(county_admin="county_villages", village_secretary="own_village"),
)
REVOKE_API_KEY = Permission(
    "gateway.api_key.revoke",
    "revoke an API key",
    grants(county_admin="county_villages", village_secretary="own_village"),
)

FORGET_PERSON = Permission(
    "gateway.personal_data.forget",
    "forget a person: destroy their data keys (删除个人信息)",
    grants("county_admin"),
)
EXPORT_PERSONAL_DATA = Permission(
    "gateway.personal_data.export",
    "export a person's data on their request (查阅、复制)",
    # The village in the path is the scope, as for the services' commands.
    grants("county_admin", "village_secretary"),
    write=False,
)

PERMISSIONS = table_of(
    "gateway",
    [
        REGISTER_VILLAGE,
        CREATE_USER,
        CREATE_API_KEY,
        REVOKE_API_KEY,
        FORGET_PERSON,
        EXPORT_PERSONAL_DATA,
    ],
)

# Whom each administrator may create: the county its officers and secretaries, a secretary
# the people of the village.
CREATES: dict[str, frozenset[str]] = {
    "county_admin": frozenset({"township_officer", "village_secretary"}),
    "village_secretary": frozenset({"village_staff", "grid_worker", "resident"}),
}


def rule_of(permission: Permission, who: Principal) -> str:
    """The rule ``who``'s grant of ``permission`` carries (they hold the grant: ``permitted``)."""
    grant = permission.grant_for(who.role)
    return grant.rule if grant and grant.rule else "own_village"


def administers(who: Principal, village: str) -> bool:
    """A county administrator administers the county's villages; a secretary, their own."""
    if who.role == "county_admin":
        return bool(who.county) and village.startswith(who.county or "")
    if who.role == "village_secretary":
        return village in who.villages
    return False


def administers_all(who: Principal, places: Iterable[str]) -> bool:
    return all(administers(who, place) for place in places)
