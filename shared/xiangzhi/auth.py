"""Who is calling, and which villages they may see: the JWT every service verifies.

The gateway signs short-lived access tokens with its Ed25519 key (EdDSA); every service
verifies them with the public key, so a village outside the caller's scope is refused even
when a service is called directly, bypassing the gateway.

Claims: ``sub``, ``role``, ``county`` (6 digits), ``township`` (9 digits), ``villages``
(12-digit codes), ``scope`` ("read write"), ``pid`` (the person, for residents and staff),
``iss``, ``aud``, ``iat``, ``exp``, ``jti``.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

import jwt

Role = Literal[
    "county_admin",
    "township_officer",
    "village_secretary",
    "village_staff",
    "grid_worker",
    "resident",
    "api_client",
]
ROLES: tuple[str, ...] = (
    "county_admin",
    "township_officer",
    "village_secretary",
    "village_staff",
    "grid_worker",
    "resident",
    "api_client",
)
STAFF_ROLES = frozenset(
    {"county_admin", "township_officer", "village_secretary", "village_staff", "grid_worker"}
)
ALGORITHM = "EdDSA"


class InvalidTokenError(Exception):
    """The token is missing, forged, expired, or not meant for us."""


@dataclass(frozen=True)
class Principal:
    subject: str
    role: str
    county: str | None = None
    township: str | None = None
    villages: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset({"read"})
    person_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False)

    def sees(self, village: str) -> bool:
        """County and township officers see every village under them; others, their list."""
        if self.role == "county_admin" and self.county:
            return village.startswith(self.county)
        if self.role == "township_officer" and self.township:
            return village.startswith(self.township)
        return village in self.villages

    def may_write(self, village: str) -> bool:
        return self.sees(village) and "write" in self.scopes

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def principal_claims(p: Principal) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": p.subject,
        "role": p.role,
        "villages": sorted(p.villages),
        "scope": " ".join(sorted(p.scopes)),
    }
    for name, value in (("county", p.county), ("township", p.township), ("pid", p.person_id)):
        if value:
            claims[name] = value
    return claims


class TokenIssuer:
    """Signs access tokens (the gateway holds the private key)."""

    def __init__(self, private_key_pem: str, *, issuer: str, audience: str, ttl: int) -> None:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        self.key = private_key_pem
        self._key = load_pem_private_key(private_key_pem.encode(), password=None)
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    def issue(self, principal: Principal, *, ttl: int | None = None) -> str:
        now = int(time.time())
        claims = {
            **principal_claims(principal),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + (ttl or self.ttl),
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)  # type: ignore[arg-type]


class TokenVerifier:
    """Verifies access tokens with the gateway's public key.

    A token verified once is remembered until it expires (a small LRU keyed by the token's own
    bytes): a client sends the same token with every request for its 15 minutes, and an
    Ed25519 check plus the claims' parsing is the largest cost of a small read. Nothing is
    weakened: a token is accepted from the cache only if it verified, and only until its
    ``exp`` (with the same leeway); a different byte is a different token.
    """

    def __init__(
        self,
        public_key_pem: str,
        *,
        issuer: str,
        audience: str,
        leeway: int = 5,
        cache_size: int = 4096,
    ) -> None:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        self.key = public_key_pem
        # Parsed once: PyJWT would parse the PEM again for every token.
        self._key = load_pem_public_key(public_key_pem.encode())
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.cache_size = cache_size
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        hit = self._verified.get(token)
        if hit is not None:
            principal, expires = hit
            if time.time() <= expires:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal = self._verify(token)
        self._verified[token] = (principal, float(principal.claims["exp"]) + self.leeway)
        if len(self._verified) > self.cache_size:
            self._verified.popitem(last=False)
        return principal

    def _verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key,  # type: ignore[arg-type]
                algorithms=[ALGORITHM],  # never "none", never a symmetric algorithm
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(str(exc)) from exc
        if claims.get("role") not in ROLES:
            raise InvalidTokenError(f"unknown role {claims.get('role')!r}")
        return Principal(
            subject=str(claims["sub"]),
            role=str(claims["role"]),
            county=claims.get("county"),
            township=claims.get("township"),
            villages=frozenset(claims.get("villages", ())),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            person_id=claims.get("pid"),
            claims=claims,
        )


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem
