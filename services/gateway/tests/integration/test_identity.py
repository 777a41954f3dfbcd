"""Tokens: login, rotation, reuse detection, revocation, and every kind of bad token refused."""

from __future__ import annotations

import time

import httpx
import jwt
from gateway_testing import DONGZHUANG, Platform
from xiangzhi.auth import Principal, TokenIssuer, generate_keypair

GRIDS = f"/api/v1/villages/{DONGZHUANG}/grid/grids"


async def test_login_gives_a_short_lived_eddsa_token(platform: Platform) -> None:
    tokens = await platform.login("clerk")
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "EdDSA"
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["villages"] == [DONGZHUANG]
    assert claims["exp"] - claims["iat"] == 900
    response = await platform.http.get(
        GRIDS, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200, response.text


async def test_wrong_password_and_unknown_user_look_the_same(platform: Platform) -> None:
    for username, password in (("clerk", "wrong password!!"), ("nobody", "whatever password")):
        response = await platform.http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": password},
        )
        assert response.status_code == 401
        assert response.json()["detail"] == "unknown username or wrong password"


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(platform: Platform) -> None:
    first = await platform.login("clerk")

    async def refresh(token: str):
        return await platform.http.post(
            "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
        )

    second = await refresh(first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    replayed = await refresh(first["refresh_token"])
    assert replayed.status_code == 401
    assert "reused" in replayed.json()["detail"]
    # The thief's replay cost the legitimate holder their session too: log in again.
    assert (await refresh(second.json()["refresh_token"])).status_code == 401


async def test_revoked_refresh_tokens_are_refused(platform: Platform) -> None:
    tokens = await platform.login("clerk")
    assert (
        await platform.http.post(
            "/api/v1/auth/revoke", data={"refresh_token": tokens["refresh_token"]}
        )
    ).status_code == 204
    again = await platform.http.post(
        "/api/v1/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert again.status_code == 401


async def test_tampered_expired_and_foreign_tokens_are_refused(platform: Platform) -> None:
    good = (await platform.login("clerk"))["access_token"]
    head, _, sig = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    widened = jwt.encode(
        {**claims, "villages": [DONGZHUANG, "141122100201"]}, "k" * 32, algorithm="HS256"
    ).split(".")[1]
    stranger_key, _ = generate_keypair()
    clerk = Principal(
        "x", "village_staff", villages=frozenset({DONGZHUANG}), scopes=frozenset({"read", "write"})
    )
    issuer_key = platform.gateway.settings.signing_key.get_secret_value()  # type: ignore[attr-defined]
    tokens = {
        "tampered": f"{head}.{widened}.{sig}",
        "signed by a stranger": TokenIssuer(
            stranger_key, issuer="xiangzhi-gateway", audience="xiangzhi", ttl=60
        ).issue(clerk),
        "expired": TokenIssuer(
            issuer_key, issuer="xiangzhi-gateway", audience="xiangzhi", ttl=-30
        ).issue(clerk),
        "wrong issuer": TokenIssuer(issuer_key, issuer="evil", audience="xiangzhi", ttl=60).issue(
            clerk
        ),
        "wrong audience": TokenIssuer(
            issuer_key, issuer="xiangzhi-gateway", audience="other", ttl=60
        ).issue(clerk),
        "unsigned": jwt.encode({**claims, "exp": int(time.time()) + 60}, None, algorithm="none"),
    }
    for name, token in tokens.items():
        via_gateway = await platform.http.get(GRIDS, headers={"Authorization": f"Bearer {token}"})
        assert via_gateway.status_code == 401, name
        async with httpx.AsyncClient() as direct:
            # The grid service, called without the gateway, refuses it just the same.
            response = await direct.get(
                f"{platform.grid_url}/villages/{DONGZHUANG}/grids",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert response.status_code == 401, name


async def test_api_keys_are_shown_once_scoped_and_revocable(platform: Platform) -> None:
    secretary = await platform.bearer("secretary")
    created = await platform.http.post(
        "/api/v1/api-keys",
        json={"name": "村务公开屏", "villages": [DONGZHUANG], "scopes": ["read"]},
        headers=secretary,
    )
    assert created.status_code == 201, created.text
    key = created.json()["api_key"]
    stored = await platform.gateway.pool.fetchval("select key_hash from api_keys")
    assert key not in stored and stored not in key
    assert (await platform.http.get(GRIDS, headers={"X-API-Key": key})).status_code == 200
    write = await platform.http.post(
        f"/api/v1/villages/{DONGZHUANG}/grid/grids", json={}, headers={"X-API-Key": key}
    )
    assert write.status_code == 403
    foreign = await platform.http.post(
        "/api/v1/api-keys", json={"name": "x", "villages": ["141122100201"]}, headers=secretary
    )
    assert foreign.status_code == 403
    revoked = await platform.http.delete(
        f"/api/v1/api-keys/{created.json()['key_id']}", headers=secretary
    )
    assert revoked.status_code == 204
    after = await platform.http.get(GRIDS, headers={"X-API-Key": key})
    assert after.status_code == 401
    assert after.json()["detail"] == "the API key is revoked"


async def test_the_first_county_administrator_comes_from_the_cli(
    platform: Platform, monkeypatch
) -> None:
    import asyncio as aio

    from gateway.cli import app as admin_cli
    from typer.testing import CliRunner

    dsn = platform.gateway.settings.postgres_dsn
    monkeypatch.setenv("GATEWAY_POSTGRES_DSN", dsn)
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", "a long enough password")
    result = await aio.to_thread(
        CliRunner().invoke, admin_cli,
        ["create-county-admin", "wenshui-admin", "--county", "141121", "--password-env", "FIRST_ADMIN_PASSWORD"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "county 141121" in result.output
    tokens = await platform.login("wenshui-admin", "a long enough password")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["role"], claims["county"]) == ("county_admin", "141121")
    short = await aio.to_thread(
        CliRunner().invoke,
        admin_cli,
        ["create-county-admin", "x", "--county", "141121", "--password-env", "NOPE"],
    )
    assert short.exit_code != 0
