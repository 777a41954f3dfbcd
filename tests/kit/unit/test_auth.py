"""Access tokens and village scope — pure, no I/O."""

from __future__ import annotations

import time

import jwt
import pytest
from xiangzhi.auth import InvalidTokenError, Principal, TokenIssuer, TokenVerifier, generate_keypair

PRIVATE, PUBLIC = generate_keypair()
OTHER_PRIVATE, _ = generate_keypair()
ISSUER, AUDIENCE = "xiangzhi-gateway", "xiangzhi"
DONGZHUANG, NEIGHBOUR, ELSEWHERE = "141121100201", "141121100202", "141122100201"


def _verifier() -> TokenVerifier:
    return TokenVerifier(PUBLIC, issuer=ISSUER, audience=AUDIENCE)


def test_scope_by_role() -> None:
    county = Principal("u1", "county_admin", county="141121", scopes=frozenset({"read", "write"}))
    township = Principal("u2", "township_officer", township="141121100")
    clerk = Principal(
        "u3", "village_staff", villages=frozenset({DONGZHUANG}), scopes=frozenset({"read", "write"})
    )
    reader = Principal("k1", "api_client", villages=frozenset({DONGZHUANG}))
    assert county.sees(DONGZHUANG) and county.sees(NEIGHBOUR) and not county.sees(ELSEWHERE)
    assert township.sees(NEIGHBOUR) and not township.sees("141121101201")
    assert clerk.may_write(DONGZHUANG) and not clerk.sees(NEIGHBOUR)
    assert reader.sees(DONGZHUANG) and not reader.may_write(DONGZHUANG)


def test_a_token_round_trips_its_principal() -> None:
    clerk = Principal("u3", "village_staff", villages=frozenset({DONGZHUANG}),
                      scopes=frozenset({"read", "write"}), person_id="p-3")  # fmt: skip
    token = TokenIssuer(PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl=60).issue(clerk)
    assert _verifier().verify(token) == clerk


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(
            TokenIssuer(OTHER_PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl=60),
            id="signed by another key",
        ),
        pytest.param(
            TokenIssuer(PRIVATE, issuer="someone-else", audience=AUDIENCE, ttl=60),
            id="wrong issuer",
        ),
        pytest.param(
            TokenIssuer(PRIVATE, issuer=ISSUER, audience="another-app", ttl=60), id="wrong audience"
        ),
        pytest.param(TokenIssuer(PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl=-60), id="expired"),
    ],
)
def test_bad_tokens_are_refused(token: TokenIssuer) -> None:
    with pytest.raises(InvalidTokenError):
        _verifier().verify(
            token.issue(Principal("u", "resident", villages=frozenset({DONGZHUANG})))
        )


def test_a_tampered_or_unsigned_token_is_refused() -> None:
    token = TokenIssuer(PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl=60).issue(
        Principal("u", "resident", villages=frozenset({DONGZHUANG}))
    )
    head, _, sig = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["villages"] = [DONGZHUANG, NEIGHBOUR]
    # Someone widens their villages and keeps the old signature.
    forged_body = jwt.encode(claims, "k" * 32, algorithm="HS256").split(".")[1]
    with pytest.raises(InvalidTokenError):
        _verifier().verify(f"{head}.{forged_body}.{sig}")
    unsigned = jwt.encode({**claims, "exp": int(time.time()) + 60}, None, algorithm="none")
    with pytest.raises(InvalidTokenError):
        _verifier().verify(unsigned)
    with pytest.raises(InvalidTokenError, match="role"):
        _verifier().verify(jwt.encode({**claims, "role": "emperor"}, PRIVATE, algorithm="EdDSA"))


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    verifier = TokenVerifier(PUBLIC, issuer=ISSUER, audience=AUDIENCE, leeway=0)
    clerk = Principal("u3", "village_staff", villages=frozenset({DONGZHUANG}))
    token = TokenIssuer(PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl=1).issue(clerk)
    assert verifier.verify(token) == clerk
    assert verifier.verify(token) == clerk  # the remembered one
    time.sleep(2.1)
    with pytest.raises(InvalidTokenError, match="expired"):
        verifier.verify(token)


def test_a_token_altered_after_one_verified_is_still_checked() -> None:
    verifier = _verifier()
    clerk = Principal("u3", "village_staff", villages=frozenset({DONGZHUANG}))
    token = TokenIssuer(PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl=60).issue(clerk)
    verifier.verify(token)
    header, claims, signature = token.split(".")
    wider = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(claims).replace(DONGZHUANG.encode(), NEIGHBOUR.encode())
    ).decode()
    with pytest.raises(InvalidTokenError):
        verifier.verify(f"{header}.{wider}.{signature}")


def test_the_verifier_remembers_a_bounded_number_of_tokens() -> None:
    verifier = TokenVerifier(PUBLIC, issuer=ISSUER, audience=AUDIENCE, cache_size=3)
    issuer = TokenIssuer(PRIVATE, issuer=ISSUER, audience=AUDIENCE, ttl=60)
    for n in range(10):
        verifier.verify(issuer.issue(Principal(f"u{n}", "resident")))
    assert len(verifier._verified) == 3
