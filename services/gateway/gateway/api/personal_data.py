"""A person's data (个人信息): forgotten on request, or handed to them — across every service.

Forgetting destroys the person's keys in the key service (``xiangzhi.keys``): what every service
sealed with them reads as erased from then on, wherever it was copied, and no chain changes.
Exporting asks every service for the events that hold the person's data, opened for them and
with anyone else's withheld. Both are recorded in the key service's own log by key id alone.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from xiangzhi.auth import Principal
from xiangzhi.errors import DomainError
from xiangzhi.guard import PERMISSION_ATTRIBUTE, check_village
from xiangzhi.keys import KeyStore, Reason
from xiangzhi.permissions import Permission
from xiangzhi.privacy import PersonRequest, subject_for

from .. import permissions as perm
from ..callers import Caller, upstream_token
from .deps import PREFIX, Village, settings

router = APIRouter(prefix=f"{PREFIX}/villages/{{village}}/personal-data", tags=["personal data"])


class KeyServiceMissingError(DomainError):
    status = 503
    title = "The key service is not configured"


class ForgetRequest(PersonRequest):
    reason: Reason = Field(
        "request",
        description="request (the person asked), consent_withdrawn, retention_ended, unlawful",
    )


class Forgotten(BaseModel):
    village: str
    keys_destroyed: int
    forgotten_at: str | None


def _keys(request: Request) -> KeyStore:
    keys: KeyStore | None = request.app.state.runtime.keys
    if keys is None:
        raise KeyServiceMissingError("GATEWAY_KEYS_DSN and GATEWAY_KEK(_FILE) are not set")
    return keys


def _in_village(permission: Permission) -> Any:
    """The caller, seeing the village and granted ``permission``: refused (403) before the body
    is even read, and for a village outside their scope without naming any permission, as
    every village route is."""

    async def check(village: Village, request: Request, who: Caller) -> Principal:
        check_village(who, village, request.method)
        permission.authorize(who)
        return who

    setattr(check, PERMISSION_ATTRIBUTE, permission)
    return Depends(check)


def _subject(person: str) -> str:
    try:
        return subject_for(person)
    except ValueError as exc:
        raise DomainError(str(exc), field="person") from exc


@router.post("/forget")
async def forget(
    village: Village,
    body: ForgetRequest,
    request: Request,
    who: Annotated[Principal, _in_village(perm.FORGET_PERSON)],
) -> Forgotten:
    """Forget a person in the village: their id, e-mail address or phone number. Idempotent:
    forgetting someone already forgotten destroys nothing more (``keys_destroyed`` 0)."""
    done = await _keys(request).forget(
        village,
        _subject(body.person),
        reason=body.reason,
        actor=who.person_id or who.subject,
        correlation_id=request.state.correlation_id,
    )
    return Forgotten(
        village=village,
        keys_destroyed=len(done.key_ids),
        forgotten_at=done.forgotten_at.isoformat() if done.forgotten_at else None,
    )


@router.post("/export")
async def export(
    village: Village,
    body: PersonRequest,
    request: Request,
    who: Annotated[Principal, _in_village(perm.EXPORT_PERSONAL_DATA)],
) -> dict[str, Any]:
    """Everything the platform holds on a person in the village, service by service, as JSON
    (their own data opened, anyone else's withheld). A service that does not answer is listed
    in ``unavailable`` and the export marked partial."""
    keys = _keys(request)
    subject = _subject(body.person)
    token = upstream_token(request, who)
    http = request.app.state.http
    upstreams = settings(request).upstreams()

    async def one(service: str) -> tuple[str, Any]:
        try:
            response = await http.post(
                f"{upstreams[service]}/villages/{village}/personal-data/export",
                json={"person": body.person},
                headers={"Authorization": f"Bearer {token}"},
            )
        except Exception:  # down, refused, timed out
            return service, None
        if response.status_code == 404:
            return service, []  # the service keeps no personal data
        if response.status_code >= 400:
            return service, None
        return service, response.json()["events"]

    results = dict(await asyncio.gather(*(one(s) for s in upstreams)))
    await keys.record_export(
        village,
        await keys.key_ids_of(village, subject),
        actor=who.person_id or who.subject,
        correlation_id=request.state.correlation_id,
    )
    unavailable = sorted(s for s, events in results.items() if events is None)
    return {
        "village": village,
        "person": body.person,
        "services": {s: events for s, events in results.items() if events is not None},
        "partial": bool(unavailable),
        "unavailable": unavailable,
    }
