"""The permission table's mechanism: grants by role and rule, refusals naming the permission,
and an app that will not start with a command route outside its table."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, Request
from xiangzhi.app import ServiceParts, create_app
from xiangzhi.auth import Principal, generate_keypair
from xiangzhi.guard import requires
from xiangzhi.permissions import Permission, PermissionDeniedError, grants, table_of
from xiangzhi.settings import ServiceSettings

pytestmark = pytest.mark.unit

VILLAGE = "141121100201"
PUBLIC = generate_keypair()[1]
COUNT = Permission(
    "tally.tally.count", "add to a tally", grants("village_staff", resident="own_name")
)
TABLE = table_of("tally", [COUNT])


def _who(role: str, scopes: frozenset[str] = frozenset({"read", "write"})) -> Principal:
    return Principal("p", role, villages=frozenset({VILLAGE}), scopes=scopes)


def test_a_granted_role_gets_its_grant_with_its_rule() -> None:
    assert COUNT.authorize(_who("village_staff")).rule is None
    assert COUNT.authorize(_who("resident")).rule == "own_name"


def test_a_role_not_granted_is_refused_naming_the_permission() -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        COUNT.authorize(_who("grid_worker"))
    assert refused.value.status == 403
    assert refused.value.extensions == {"permission": "tally.tally.count"}
    assert "village_staff, resident" in refused.value.detail


def test_a_read_only_caller_is_refused_a_command() -> None:
    with pytest.raises(PermissionDeniedError, match="read-only"):
        COUNT.authorize(_who("village_staff", frozenset({"read"})))


def test_a_table_refuses_unknown_roles_rules_and_other_services_names() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        grants("mayor")
    with pytest.raises(ValueError, match="unknown rule"):
        grants(resident="whenever")
    with pytest.raises(ValueError, match="another service"):
        table_of("grid", [COUNT])
    with pytest.raises(ValueError, match="twice"):
        table_of("tally", [COUNT, COUNT])


def _app(router: APIRouter, **parts: object) -> None:
    settings = ServiceSettings(service_name="tally", auth_public_key=PUBLIC)
    create_app(settings, ServiceParts(permissions=TABLE, **parts))  # type: ignore[arg-type]


def test_an_app_with_a_command_outside_its_table_does_not_start() -> None:
    covered = APIRouter(prefix="/villages/{village}")
    covered.post("/tallies", dependencies=[requires(COUNT)])(lambda: None)
    _app(covered, routers=[covered])

    stray = APIRouter(prefix="/villages/{village}")
    stray.post("/tallies/reset")(lambda: None)
    with pytest.raises(ValueError, match="names no permission"):
        _app(stray, routers=[stray])
    # The open routers (the gateway's) are held to it too, but for the paths they exempt.
    with pytest.raises(ValueError, match="names no permission"):
        _app(stray, open_routers=[stray])
    _app(
        stray,
        open_routers=[stray],
        commands_without_permission=frozenset({"/villages/{village}/tallies/reset"}),
    )


def test_a_service_with_routes_does_not_start_without_the_gateways_public_key() -> None:
    router = APIRouter(prefix="/villages/{village}")
    router.post("/tallies", dependencies=[requires(COUNT)])(lambda: None)
    with pytest.raises(ValueError, match="auth_public_key is required"):
        create_app(
            ServiceSettings(service_name="tally"), ServiceParts(routers=[router], permissions=TABLE)
        )


def test_an_app_with_a_plain_function_dependency_does_not_start() -> None:
    def plain(request: Request) -> str:
        return "runs in the thread pool"

    async def coroutine(request: Request) -> str:
        return "runs on the loop"

    fine = APIRouter(prefix="/villages/{village}")
    fine.get("/tallies", dependencies=[Depends(coroutine)])(lambda: None)
    _app(fine, routers=[fine])
    hopping = APIRouter(prefix="/villages/{village}")
    hopping.get("/tallies", dependencies=[Depends(plain)])(lambda: None)
    with pytest.raises(ValueError, match="a plain function"):
        _app(hopping, routers=[hopping])
