"""``gateway-admin``: create the first county administrator, register villages, make keys."""

from __future__ import annotations

import asyncio
import getpass
import os
import typing
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from xiangzhi import db, keys, pii, privacy
from xiangzhi.app import open_keys
from xiangzhi.auth import generate_keypair

from . import identity
from .app import PARTS
from .settings import GatewaySettings

T = TypeVar("T")
app = typer.Typer(help="Administer the gateway's identity store.")


async def _with_conn(work: Callable[[db.Connection], Awaitable[T]]) -> T:
    settings = GatewaySettings()
    conn = await db.connect(settings.postgres_dsn)
    try:
        await db.migrate(conn, [*db.kit_migrations(), *PARTS.migrations])
        return await work(conn)
    finally:
        await conn.close()


@app.command("create-county-admin")
def create_county_admin(
    username: str,
    county: Annotated[str, typer.Option(help="6-digit county code")],
    password_env: Annotated[
        str | None, typer.Option(help="read the password from this variable")
    ] = None,
) -> None:
    """Create the first county administrator (prompts for the password)."""
    password = os.environ[password_env] if password_env else getpass.getpass("password: ")
    user = identity.NewUser(username, password, "county_admin", county=county)
    user_id = asyncio.run(_with_conn(lambda conn: identity.create_user(conn, user)))
    typer.echo(f"created county administrator {username} ({user_id}) for county {county}")


@app.command()
def keygen(folder: Path) -> None:
    """Write a new Ed25519 key pair: signing.pem (the gateway's) and public.pem (the services')."""
    folder.mkdir(parents=True, exist_ok=True)
    private, public = generate_keypair()
    (folder / "signing.pem").write_text(private)
    (folder / "signing.pem").chmod(0o600)
    (folder / "public.pem").write_text(public)
    typer.echo(f"wrote {folder / 'signing.pem'} and {folder / 'public.pem'}")


@app.command()
def kek(path: Path) -> None:
    """Write a new key-encryption key for personal data (base64, readable by its owner only)."""
    if path.exists():
        raise typer.BadParameter(
            f"{path} exists: a new key would make every person's data unreadable"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(pii.LocalKek.generate() + "\n")
    typer.echo(f"wrote {path}")


@app.command()
def forget(
    person: Annotated[str, typer.Argument(help="the person's id, e-mail address or phone number")],
    village: Annotated[str, typer.Option(help="12-digit village code")],
    reason: Annotated[
        str, typer.Option(help="request, consent_withdrawn, retention_ended, unlawful")
    ] = "request",
    operator: Annotated[
        str, typer.Option(help="who is forgetting, for the audit log")
    ] = "operator",
) -> None:
    """Forget a person in a village: destroy their data keys (删除个人信息). Their personal fields
    read as erased everywhere from now on; the chains still verify; the key service's own log
    records it, naming key ids only."""
    if reason not in typing.get_args(keys.Reason):
        raise typer.BadParameter(f"reason: one of {', '.join(typing.get_args(keys.Reason))}")
    settings = GatewaySettings()

    async def run() -> keys.Forgotten:
        store = await open_keys(settings)
        if store is None:
            raise typer.BadParameter("GATEWAY_KEYS_DSN and GATEWAY_KEK(_FILE) are not set")
        try:
            return await store.forget(
                village,
                privacy.subject_for(person),
                reason=reason,  # type: ignore[arg-type]
                actor=f"operator:{operator}",
                correlation_id=f"cli-{uuid.uuid4()}",
            )
        finally:
            await store.close()

    done = asyncio.run(run())
    if done.key_ids:
        typer.echo(f"forgotten: {len(done.key_ids)} key(s) destroyed at {done.forgotten_at}")
    else:
        typer.echo("nothing to forget: no live key for this person in this village")
