"""``gateway-admin``: create the first county administrator, register villages, make keys."""

from __future__ import annotations

import asyncio
import getpass
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from xiangzhi import db
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
