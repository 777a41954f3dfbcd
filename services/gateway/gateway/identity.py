"""Users, passwords, refresh-token families and API keys, in the gateway's own database."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from xiangzhi.auth import ROLES, Principal
from xiangzhi.db import Connection, Pool, Row
from xiangzhi.errors import DomainError, UnauthenticatedError

HASHER = PasswordHasher()
# Verified when the username is unknown, so that a miss costs what a hit costs: response times
# must not tell an attacker which usernames exist.
_DUMMY_HASH = HASHER.hash("not-a-password")
READ_WRITE = frozenset({"read", "write"})


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str
    county: str | None = None
    township: str | None = None
    villages: tuple[str, ...] = ()
    person_id: str | None = None


def _check(user: NewUser) -> None:
    if user.role not in ROLES or user.role == "api_client":
        raise DomainError(f"role {user.role!r} is not a user's role", field="role")
    if len(user.password) < 12:
        raise DomainError("a password has at least 12 characters", field="password")
    needs = {
        "county_admin": user.county and len(user.county) == 6,
        "township_officer": user.township and len(user.township) == 9,
    }
    if user.role in needs and not needs[user.role]:
        where = "county" if user.role == "county_admin" else "township"
        raise DomainError(f"a {user.role} needs their {where} code", field=where)
    if user.role not in needs and not user.villages:
        raise DomainError(f"a {user.role} belongs to a village", field="villages")


async def create_user(conn: Connection | Pool, user: NewUser) -> uuid.UUID:
    _check(user)
    user_id = uuid.uuid4()
    try:
        await conn.execute(
            "insert into users (user_id, username, password_hash, role, county, township, "
            "villages, person_id) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            user_id,
            user.username,
            HASHER.hash(user.password),
            user.role,
            user.county,
            user.township,
            list(user.villages),
            user.person_id,
        )
    except Exception as exc:
        if "users_username_key" in str(exc):
            raise DomainError(f"username {user.username!r} is taken", field="username") from exc
        raise
    return user_id


def _principal(row: Row) -> Principal:
    return Principal(
        subject=str(row["user_id"]),
        role=row["role"],
        county=row["county"] or None,
        township=row["township"] or None,
        villages=frozenset(row["villages"]),
        scopes=READ_WRITE,
        person_id=row["person_id"] or str(row["user_id"]),
    )


async def authenticate(pool: Pool, username: str, password: str) -> Principal:
    row = await pool.fetchrow("select * from users where username = $1 and not disabled", username)
    try:
        HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        row = None
    if row is None:
        raise UnauthenticatedError("unknown username or wrong password")
    return _principal(row)


async def principal_of_user(pool: Pool, user_id: uuid.UUID) -> Principal:
    row = await pool.fetchrow("select * from users where user_id = $1 and not disabled", user_id)
    if row is None:
        raise UnauthenticatedError("the user no longer exists or is disabled")
    return _principal(row)


def _digest(secret: str) -> str:
    # Refresh tokens and API keys are 256-bit random secrets: a plain SHA-256 is a safe store
    # (there is nothing to guess), and it lets us find the row by its hash.
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_refresh(
    pool: Pool, user_id: uuid.UUID, ttl: timedelta, family: uuid.UUID | None = None
) -> str:
    token = secrets.token_urlsafe(32)
    await pool.execute(
        "insert into refresh_tokens (token_id, family_id, user_id, token_hash, expires_at) "
        "values ($1, $2, $3, $4, $5)",
        uuid.uuid4(),
        family or uuid.uuid4(),
        user_id,
        _digest(token),
        datetime.now(UTC) + ttl,
    )
    return token


async def rotate_refresh(pool: Pool, token: str, ttl: timedelta) -> tuple[Principal, str]:
    """Spend a refresh token for the next one; a token spent twice revokes its family."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "select * from refresh_tokens where token_hash = $1 for update", _digest(token)
        )
        if row is None:
            raise UnauthenticatedError("unknown refresh token")
        if row["used_at"] is not None or row["revoked_at"] is not None:
            await conn.execute(
                "update refresh_tokens set revoked_at = coalesce(revoked_at, now()) "
                "where family_id = $1",
                row["family_id"],
            )
            reason = "reused: every token of its family is now revoked"
            if row["revoked_at"] is not None and row["used_at"] is None:
                reason = "revoked"
            # The revocation must stand although the request fails: commit before refusing.
            failure: UnauthenticatedError | None = UnauthenticatedError(f"refresh token {reason}")
        elif row["expires_at"] < datetime.now(UTC):
            failure = UnauthenticatedError("refresh token expired")
        else:
            failure = None
            await conn.execute(
                "update refresh_tokens set used_at = now() where token_id = $1", row["token_id"]
            )
    if failure is not None:
        raise failure
    principal = await principal_of_user(pool, row["user_id"])
    return principal, await issue_refresh(pool, row["user_id"], ttl, family=row["family_id"])


async def revoke_refresh(pool: Pool, token: str) -> None:
    await pool.execute(
        "update refresh_tokens set revoked_at = coalesce(revoked_at, now()) where family_id = "
        "(select family_id from refresh_tokens where token_hash = $1)",
        _digest(token),
    )


@dataclass(frozen=True)
class IssuedKey:
    key_id: uuid.UUID
    api_key: str  # shown once, never stored


async def create_api_key(
    pool: Pool, *, name: str, villages: list[str], scopes: list[str], created_by: str
) -> IssuedKey:
    if not villages:
        raise DomainError("an API key names its villages", field="villages")
    if not set(scopes) <= READ_WRITE or "read" not in scopes:
        raise DomainError("scopes are read, or read and write", field="scopes")
    key_id = uuid.uuid4()
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    await pool.execute(
        "insert into api_keys (key_id, prefix, key_hash, name, villages, scopes, created_by) "
        "values ($1, $2, $3, $4, $5, $6, $7)",
        key_id,
        prefix,
        _digest(secret),
        name,
        villages,
        scopes,
        uuid.UUID(created_by) if _is_uuid(created_by) else None,
    )
    return IssuedKey(key_id, f"xz_{prefix}_{secret}")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def authenticate_api_key(pool: Pool, api_key: str) -> Principal:
    parts = api_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "xz":
        raise UnauthenticatedError("not an API key")
    row = await pool.fetchrow("select * from api_keys where prefix = $1", parts[1])
    if row is None or not hmac.compare_digest(row["key_hash"], _digest(parts[2])):
        raise UnauthenticatedError("unknown API key")
    if row["revoked_at"] is not None:
        raise UnauthenticatedError("the API key is revoked")
    return Principal(
        subject=f"apikey:{row['key_id']}",
        role="api_client",
        villages=frozenset(row["villages"]),
        scopes=frozenset(row["scopes"]),
        person_id=f"apikey:{row['key_id']}",
    )


async def api_key_villages(pool: Pool, key_id: uuid.UUID) -> list[str] | None:
    """The villages of an active API key, or None when there is no such key."""
    row = await pool.fetchrow(
        "select villages from api_keys where key_id = $1 and revoked_at is null", key_id
    )
    return None if row is None else list(row["villages"])


async def revoke_api_key(pool: Pool, key_id: uuid.UUID) -> bool:
    result = await pool.execute(
        "update api_keys set revoked_at = now() where key_id = $1 and revoked_at is null", key_id
    )
    return result.endswith("1")
