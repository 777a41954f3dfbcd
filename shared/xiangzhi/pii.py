"""Personal data in events: declared on the field, encrypted per person, erased with the key.

An event log kept forever cannot forget, so personal data never enters it in clear:

- every string field of an event is classified where it is declared — ``Personal`` (``x-pii:
  true`` in its JSON Schema), ``NotPersonal`` (``x-pii: false``), or ``Pseudonym``: an id that
  names a person, kept in clear so that services can join on it (a resolver's party-member id,
  a resident's user id), and refused when it has the shape of a national ID or mobile number;
- an event (or a nested part of it) with personal fields names its data subject: the person
  whose key encrypts them (``subject_field``, or ``data_subject`` for a computed one);
- sealing, before the event is hashed and stored, replaces each personal string with a token
  ``pii1:<key id>:<base64url(nonce ‖ AES-256-GCM ciphertext)>``. The chain hashes the token, so
  destroying the key (forgetting the person) erases the data and leaves the chain intact;
- revealing, when a read model is read, replaces tokens with their text, or with ``ERASED``
  when the key is gone.

Pure: no I/O. The keys themselves are kept by ``xiangzhi.keys``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import AfterValidator, BaseModel, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .registry import EventPayload

Kind = Literal["personal", "not_personal", "pseudonym"]

# What a reader sees where a forgotten person's data was (个人信息已删除).
ERASED = "[已删除]"

TOKEN_PREFIX = "pii1:"  # noqa: S105 - the sealed fields' prefix, no secret
TOKEN = re.compile(r"pii1:([0-9a-f]{32}):([A-Za-z0-9_-]{38,})")
_NONCE = 12


@dataclass(frozen=True)
class Classified:
    """The marker on a string field: personal or not (its JSON Schema says which)."""

    kind: Kind

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["x-pii"] = self.kind == "personal"
        if self.kind == "pseudonym":
            schema["x-pseudonym"] = True
        return schema


# An 18-character resident ID (居民身份证号) or a mainland mobile number: data, not an id.
_IDENTIFYING = re.compile(r"\d{17}[\dXx]|(\+?86)?1[3-9]\d{9}")


def _pseudonymous(value: str) -> str:
    if _IDENTIFYING.fullmatch(value):
        raise ValueError(
            "an id naming a person must not be an ID-card or phone number (it is kept in clear)"
        )
    return value


Personal = Annotated[str, Classified("personal")]
NotPersonal = Annotated[str, Classified("not_personal")]
Pseudonym = Annotated[str, Classified("pseudonym"), AfterValidator(_pseudonymous)]


# -- the shape of a payload's string fields ----------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    kind: Kind | None  # None: a string field nobody classified


@dataclass(frozen=True)
class Many:
    item: Node


@dataclass(frozen=True)
class Nested:
    model: type[BaseModel]


Node = Leaf | Many | Nested


def _node(annotation: Any, metadata: Iterable[Any] = ()) -> Node | None:
    """What sealing must do with a value of this type; None for values without strings."""
    for marker in metadata:
        if isinstance(marker, Classified):
            return Leaf(marker.kind)
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        return _node(base, extra)
    if annotation is str:
        return Leaf(None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Nested(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        nodes = [n for n in (_node(a) for a in options) if n is not None]
        return nodes[0] if len(nodes) == 1 else (Leaf(None) if nodes else None)
    if origin in (tuple, list, frozenset, set):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        item = _node(args[0]) if args else None
        return Many(item) if item is not None else None
    return None


@cache
def fields_of(model: type[BaseModel]) -> dict[str, Node]:
    """The model's fields that hold strings, each with how it is classified."""
    out = {}
    for name, info in model.model_fields.items():
        node = _node(info.annotation, info.metadata)
        if node is not None:
            out[name] = node
    return out


def unclassified(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The dotted names of string fields with no classification (a test keeps this empty)."""
    found = []
    for name, node in fields_of(model).items():
        found += _unclassified(node, f"{prefix}{name}")
    return found


def _unclassified(node: Node, path: str) -> list[str]:
    if isinstance(node, Leaf):
        return [path] if node.kind is None else []
    if isinstance(node, Many):
        return _unclassified(node.item, f"{path}[]")
    return unclassified(node.model, f"{path}.")


def has_personal(model: type[BaseModel]) -> bool:
    return any(_has_personal(node) for node in fields_of(model).values())


def _has_personal(node: Node) -> bool:
    if isinstance(node, Leaf):
        return node.kind == "personal"
    if isinstance(node, Many):
        return _has_personal(node.item)
    return has_personal(node.model)


# -- whose data it is ---------------------------------------------------------------------------


class DataSubject(Protocol):
    """A model whose personal fields belong to a person it names."""

    @classmethod
    def data_subject(cls, data: Mapping[str, Any]) -> str | None: ...


class PersonsData(EventPayload):
    """A payload whose personal fields belong to the person its ``subject_field`` names: they
    are sealed under that person's key, and erased when the person is forgotten."""

    subject_field: ClassVar[str]

    @classmethod
    def data_subject(cls, data: Mapping[str, Any]) -> str | None:
        subject = data.get(cls.subject_field)
        return str(subject) if subject else None


def subject_of(
    model: type[BaseModel], data: Mapping[str, Any], inherited: str | None
) -> str | None:
    """The subject of this part of an event: its own if it names one, else its parent's."""
    named: Callable[[Mapping[str, Any]], str | None] | None = getattr(model, "data_subject", None)
    own = named(data) if named is not None else None
    return own or inherited


_MAINLAND_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")


def email_subject(address: str) -> str:
    return f"mailto:{address.strip().lower()}"


def is_phone(text: str) -> bool:
    digits = re.sub(r"[\s()-]", "", text)
    return re.fullmatch(r"\+?\d{7,15}", digits) is not None


def phone_subject(number: str) -> str:
    """``tel:`` and the digits; a mainland mobile with or without +86 is one person."""
    digits = re.sub(r"[^\d+]", "", number)
    mobile = _MAINLAND_MOBILE.fullmatch(digits)
    return f"tel:+86{mobile.group(1)}" if mobile else f"tel:{digits}"


# -- the keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataKey:
    """One person's data key in one village: AES-256-GCM, bound to its id."""

    key_id: UUID
    secret: bytes

    @classmethod
    def new(cls, key_id: UUID) -> DataKey:
        return cls(key_id, AESGCM.generate_key(bit_length=256))

    def seal(self, text: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self.secret).encrypt(nonce, text.encode(), self.key_id.bytes)
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"{TOKEN_PREFIX}{self.key_id.hex}:{body}"

    def open(self, body: str) -> str:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return AESGCM(self.secret).decrypt(raw[:_NONCE], raw[_NONCE:], self.key_id.bytes).decode()


class KeyEncryptionKey(Protocol):
    """Wraps data keys, and blinds the person references they are looked up by. Today a local
    secret (``LocalKek``); a KMS client with the same three methods can take its place."""

    kek_id: str

    def wrap(self, secret: bytes, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes: ...

    def blind(self, text: str) -> bytes: ...


class LocalKek:
    """A 32-byte secret from settings (a file or a variable): AES-GCM wrapping, HMAC blinding,
    each under its own key derived by HKDF."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("the key-encryption key must be 32 bytes (base64 in settings)")
        self._wrapping = AESGCM(_derive(secret, b"xiangzhi data-key wrapping"))
        self._blinding = _derive(secret, b"xiangzhi data-subject lookup")
        self.kek_id = "local:" + hashlib.sha256(secret).hexdigest()[:16]

    @classmethod
    def from_text(cls, text: str) -> LocalKek:
        return cls(base64.b64decode(text.strip(), validate=True))

    @staticmethod
    def generate() -> str:
        """A new secret, as settings take it (base64)."""
        return base64.b64encode(os.urandom(32)).decode()

    def wrap(self, secret: bytes, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._wrapping.encrypt(nonce, secret, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        return self._wrapping.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], context)

    def blind(self, text: str) -> bytes:
        return hmac.new(self._blinding, text.encode(), hashlib.sha256).digest()


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(secret)


# -- sealing ------------------------------------------------------------------------------------


def subjects(model: type[BaseModel], data: Mapping[str, Any]) -> set[str]:
    """Every data subject whose key sealing ``data`` needs."""
    found: set[str] = set()

    def note(subject: str, text: str) -> str:
        found.add(subject)
        return text

    _visit(model, data, None, note)
    return found


def seal(model: type[BaseModel], data: Mapping[str, Any], keys: Mapping[str, DataKey]) -> Any:
    """``data`` with every personal string sealed under its subject's key (from ``keys``).

    A value that is a token already (a decision copying a sealed field from the state it
    folded) is kept as it is.
    """
    return _visit(
        model,
        data,
        None,
        lambda subject, text: text if is_token(text) else keys[subject].seal(text),
    )


def _visit(
    model: type[BaseModel],
    data: Mapping[str, Any],
    inherited: str | None,
    on_personal: Callable[[str, str], Any],
) -> dict[str, Any]:
    fields = fields_of(model)
    if not has_personal(model):
        return dict(data)
    subject = subject_of(model, data, inherited)
    out = dict(data)
    for name, node in fields.items():
        if name in data and data[name] is not None:
            out[name] = _visit_value(node, data[name], subject, on_personal)
    return out


def _visit_value(
    node: Node, value: Any, subject: str | None, on_personal: Callable[[str, str], Any]
) -> Any:
    if isinstance(node, Leaf):
        if node.kind != "personal":
            return value
        if not subject:
            # Whose it is decides whose key seals it: a part without one cannot be stored.
            raise ValueError("a personal field whose part of the event names no data subject")
        return on_personal(subject, value)
    if isinstance(node, Many):
        return [_visit_value(node.item, v, subject, on_personal) for v in value]
    return _visit(node.model, value, subject, on_personal)


def is_token(text: str) -> bool:
    return TOKEN.fullmatch(text) is not None


# -- revealing ----------------------------------------------------------------------------------


def key_ids(text: str) -> set[UUID]:
    """The keys the tokens in ``text`` were sealed with."""
    return {UUID(hex=m.group(1)) for m in TOKEN.finditer(text)}


def reveal(
    text: str,
    keys: Mapping[UUID, DataKey | None],
    escape: Callable[[str], str] = lambda s: s,
    *,
    missing: str = ERASED,
) -> str:
    """``text`` with every token replaced by its plaintext (escaped for where it stands: a JSON
    string, XML), or by ``ERASED`` when its key is gone (None) or it does not open; a key not
    in ``keys`` at all gives ``missing``."""

    def opened(match: re.Match[str]) -> str:
        key_id = UUID(hex=match.group(1))
        if key_id not in keys:
            return escape(missing)
        key = keys[key_id]
        if key is None:
            return escape(ERASED)
        try:
            return escape(key.open(match.group(2)))
        except (InvalidTag, ValueError):
            return escape(ERASED)

    return TOKEN.sub(opened, text)
