"""Access tokens for tests that call a service directly, signed the way the gateway signs them.

A service under test is configured with ``signer.public_pem`` as its ``auth_public_key`` (as the
launcher configures it with the gateway's public key), and each request carries a token for the
role, village and person it acts as: tests exercise the same verification production runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xiangzhi.auth import Principal, TokenIssuer, generate_keypair

_VILLAGE_IN_PATH = re.compile(r"/villages/(\d{12})(?:/|$)")


class Signer:
    """Holds a key pair like the gateway's and mints tokens with it."""

    def __init__(self, *, issuer: str = "xiangzhi-gateway", audience: str = "xiangzhi") -> None:
        self.private_pem, self.public_pem = generate_keypair()
        self._issuer = TokenIssuer(self.private_pem, issuer=issuer, audience=audience, ttl=3600)

    def token(
        self,
        role: str,
        *,
        villages: Iterable[str] = (),
        person_id: str | None = None,
        county: str | None = None,
        township: str | None = None,
        scopes: Iterable[str] = ("read", "write"),
    ) -> str:
        return self._issuer.issue(
            Principal(
                subject=person_id or f"test-{role}",
                role=role,
                county=county,
                township=township,
                villages=frozenset(villages),
                scopes=frozenset(scopes),
                person_id=person_id,
            )
        )

    def headers(self, role: str, **claims: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **claims)}"}  # type: ignore[arg-type]

    def acting_on(self, path: str, role: str, person_id: str) -> dict[str, str]:
        """Headers for ``person_id`` in ``role`` in the village the path names."""
        found = _VILLAGE_IN_PATH.search(path)
        villages = [found.group(1)] if found else []
        return self.headers(role, villages=villages, person_id=person_id)
