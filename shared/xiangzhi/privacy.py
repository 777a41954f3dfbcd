"""Personal data at a service's edge: revealed in what it answers, exported on request.

The store, Kafka and the read models hold personal fields sealed (``xiangzhi.pii``). A service
opens them in one place, on the way out: every text response (JSON, problem+json, Open311's
XML) has its tokens replaced by their plaintext, or by ``pii.ERASED`` once the person has been
forgotten — whatever view, new or old, put them there. Views still decide which fields they
show; this decides only whether a shown field can still be read.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any
from xml.sax.saxutils import escape as xml_escape

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import pii
from .errors import DomainError
from .guard import requires
from .keys import KeyStore
from .permissions import Permission, grants

_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def subject_for(person: str) -> str:
    """The data subject a person is asked for by: an e-mail address, a phone number or an id."""
    text = person.strip()
    if "@" in text:
        return pii.email_subject(text)
    if pii.is_phone(text):
        return pii.phone_subject(text)
    if not _ID.fullmatch(text):
        raise ValueError("person: an id, an e-mail address or a phone number")
    return text


def _json_escape(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _escape_for(content_type: str) -> Any:
    if "json" in content_type:
        return _json_escape
    if "xml" in content_type or "html" in content_type:
        return lambda s: xml_escape(s, {'"': "&quot;"})
    if content_type.startswith("text/"):
        return lambda s: s
    return None


class RevealMiddleware:
    """Opens the sealed fields of a text response with the key service's keys (ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        escape: Any = None

        async def capture(message: Message) -> None:
            nonlocal start, escape
            if message["type"] == "http.response.start":
                types = dict(message.get("headers", [])).get(b"content-type", b"")
                escape = _escape_for(types.decode("latin-1"))
                if escape is None:
                    await send(message)
                else:
                    start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            if pii.TOKEN_PREFIX.encode() in body:
                body = await self._reveal(scope, body, escape)
            headers = [
                *((k, v) for k, v in start.get("headers", []) if k != b"content-length"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)

    async def _reveal(self, scope: Scope, body: bytes, escape: Any) -> bytes:
        keys: KeyStore | None = getattr(scope["app"].state.runtime, "keys", None)
        text = body.decode()
        opened = await keys.open_keys(pii.key_ids(text)) if keys is not None else {}
        return pii.reveal(text, opened, escape).encode()


# -- access: a person's data, exported on request (查阅、复制) -------------------------------


def export_permission(service: str) -> Permission:
    return Permission(
        f"{service}.personal_data.export",
        "export a person's data (on their request)",
        grants("county_admin", "village_secretary"),
        write=False,
    )


class PersonRequest(BaseModel):
    # An id, an e-mail address or a phone number: in the body, never in a URL that is logged.
    person: str = Field(min_length=1, max_length=200)


class ExportedEvent(BaseModel):
    event_id: str
    type: str
    stream_id: str
    recorded_at: str
    data: dict[str, Any]


class Export(BaseModel):
    service: str
    village: str
    key_ids: list[str]
    events: list[ExportedEvent]


# Another person's data in an event exported for this one: not theirs to have.
WITHHELD = "[他人信息]"


def export_router(service: str) -> tuple[APIRouter, Permission]:
    """``POST /villages/{village}/personal-data/export``: every event of this service's store
    that holds data of the person, their fields opened and anyone else's withheld."""
    permission = export_permission(service)
    router = APIRouter(tags=["personal data"])

    @router.post(
        "/villages/{village}/personal-data/export",
        response_model=Export,
        dependencies=[requires(permission)],
    )
    async def export(
        request: Request, village: str, body: Annotated[PersonRequest, Body()]
    ) -> Export:
        runtime = request.app.state.runtime
        keys: KeyStore = runtime.keys
        try:
            subject = subject_for(body.person)
        except ValueError as exc:
            raise DomainError(str(exc), field="person") from exc
        ids = await keys.key_ids_of(village, subject)
        rows = (
            await runtime.pool.fetch(
                "select event_id, type, stream_id, recorded_at, data from events "
                "where village = $1 and data::text like any($2) order by chain_seq",
                village,
                [f"%{pii.TOKEN_PREFIX}{i.hex}:%" for i in ids],
            )
            if ids
            else []
        )
        opened = await keys.open_keys(ids)
        events = [
            ExportedEvent(
                event_id=str(row["event_id"]),
                type=row["type"],
                stream_id=row["stream_id"],
                recorded_at=row["recorded_at"].isoformat(),
                data=json.loads(
                    pii.reveal(json.dumps(row["data"]), opened, _json_escape, missing=WITHHELD)
                ),
            )
            for row in rows
        ]
        return Export(
            service=service, village=village, key_ids=[str(i) for i in ids], events=events
        )

    return router, permission
