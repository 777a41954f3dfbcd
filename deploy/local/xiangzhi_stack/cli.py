"""``xiangzhi-stack``: bring the local stack (and the platform) up, look at it, take it down."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import kafka, lifecycle, platform, postgres, procs, supervisor, topics
from .config import StackSettings

app = typer.Typer(help="The Xiangzhi local stack: Apache Kafka (KRaft) and PostgreSQL, natively.")
console = Console(stderr=True)
# The record of a running `run`, so that `stop` and `down` from another terminal can reach it.
LAUNCHER = "launcher"


def _fail_on_stack_error(fn: Callable[[], None]) -> None:
    try:
        fn()
    except procs.StackError as exc:
        console.print(f"[red]✗[/red] {exc}")
        raise typer.Exit(1) from exc


@app.command()
def install() -> None:
    """Install what is missing: PostgreSQL (apt) and the Kafka jars (Maven)."""

    def run() -> None:
        settings = StackSettings()
        console.print(f"PostgreSQL binaries: {postgres.install()}")
        console.print(f"Kafka {settings.kafka_version} jars: {kafka.ensure_jars(settings)}")

    _fail_on_stack_error(run)


@app.command()
def up() -> None:
    """Start Kafka and PostgreSQL (a second call reuses what runs); return when both answer."""
    _fail_on_stack_error(lambda: _up(StackSettings()))


def _up(settings: StackSettings) -> None:
    lifecycle.up(settings, say=_ok)


def _ok(message: str) -> None:
    console.print(f"[green]✓[/green] {message}")


@app.command()
def status(
    as_exit_code: Annotated[
        bool, typer.Option("--check", help="exit 1 unless everything answers")
    ] = False,
) -> None:
    """Show what runs, by pid, and whether it answers."""
    settings = StackSettings()
    table = Table("component", "pid", "address", "answers")
    healthy = True

    k = procs.running(settings.run_dir, kafka.NAME)
    k_answer = "-"
    if k is not None:
        try:
            info = asyncio.run(kafka.describe(settings.kafka_bootstrap))
            k_answer = f"{len(info['brokers'])} broker(s), topics: {', '.join(info['topics'])}"  # type: ignore[arg-type]
        except Exception as exc:  # any client failure is what status must report
            k_answer, healthy = f"no: {exc}", False
    else:
        healthy = False
    table.add_row("kafka", str(k.pid) if k else "stopped", settings.kafka_bootstrap, k_answer)

    pg = procs.running(settings.run_dir, postgres.NAME)
    pg_answer = "-"
    if pg is not None:
        try:
            pg_answer = "PostgreSQL " + asyncio.run(postgres.server_version(settings))
        except Exception as exc:  # any client failure is what status must report
            pg_answer, healthy = f"no: {exc}", False
    else:
        healthy = False
    table.add_row(
        "postgres",
        str(pg.pid) if pg else "stopped",
        f"{settings.host}:{settings.postgres_port}",
        pg_answer,
    )
    for name, record in platform.service_status(settings).items():
        table.add_row(name, str(record.pid) if record else "stopped", "", "")
    launcher = procs.running(settings.run_dir, LAUNCHER)
    if launcher is not None:
        table.add_row("run", str(launcher.pid), "", "supervising the services")
    Console().print(table)
    if as_exit_code and not healthy:
        raise typer.Exit(1)


@app.command()
def down() -> None:
    """Stop the services, Kafka and PostgreSQL that this launcher started (by pid)."""
    settings = StackSettings()
    _stop_launcher(settings)
    lifecycle.down(settings, say=console.print)


def _stop_launcher(settings: StackSettings) -> None:
    """Ask a running `run` to stop, and wait until it has.

    Stopping its services from here instead would have its supervisor restart them. `run` stops
    the services itself, and the stack too if it started it.
    """
    record = procs.running(settings.run_dir, LAUNCHER)
    if record is None or record.pid == os.getpid():
        return
    console.print(f"asking `run` (pid {record.pid}) to stop…")
    # Its own shutdown stops each service within 20 s, then Kafka and PostgreSQL.
    procs.stop(settings.run_dir, LAUNCHER, timeout=150.0)


def _own_cmdline() -> str:
    raw = Path("/proc/self/cmdline").read_bytes()
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def _warn(message: str) -> None:
    console.print(f"[yellow]↻[/yellow] {escape(message)}")


def _alarm(message: str) -> None:
    console.print(f"[bold red]✗ {escape(message)}[/bold red]")


@app.command()
def run() -> None:
    """Bring the whole platform up, print its URL, and run until Ctrl-C (or `make stop`).

    A service that crashes is restarted (with backoff) and the rest keep running; see
    supervisor.py.
    """
    settings = StackSettings()
    stop_requested = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stop_requested
        stop_requested = True

    other = procs.running(settings.run_dir, LAUNCHER)
    if other is not None:
        # Two supervisors of the same services would each restart what the other stops.
        console.print(
            f"[red]✗[/red] the platform already runs (pid {other.pid}); `make stop` ends it"
        )
        raise typer.Exit(1)
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    procs.save(
        settings.run_dir,
        procs.ProcessRecord(LAUNCHER, os.getpid(), _own_cmdline(), "(the terminal)", time.time()),
    )
    try:
        _run(settings, lambda: stop_requested)
    finally:
        procs.record_path(settings.run_dir, LAUNCHER).unlink(missing_ok=True)


def _run(settings: StackSettings, stop_requested: Callable[[], bool]) -> None:
    started_stack = False
    try:
        started_stack = lifecycle.up(settings, say=_ok)
        services = platform.start_services(settings)
    except procs.StackError as exc:
        console.print(f"[red]✗[/red] {exc}")
        platform.stop_services(settings)
        raise typer.Exit(1) from exc
    for name, port in services.items():
        console.print(f"[green]✓[/green] {name} on http://{settings.host}:{port}")
    gateway_port = services.get(platform.GATEWAY, settings.gateway_port)
    Console().print(
        f"\nXiangzhi is up: [bold]http://{settings.host}:{gateway_port}[/bold]  (Ctrl-C to stop)"
    )
    watch = supervisor.Supervisor(settings, services, say=_ok, warn=_warn, alarm=_alarm)
    while not stop_requested():
        watch.tick()
        time.sleep(0.2)
    console.print("stopping…")
    platform.stop_services(settings)
    if started_stack:
        lifecycle.down(settings, say=console.print)


@app.command()
def stop() -> None:
    """Stop a platform started with `run` (from another terminal): services and stack."""
    down()


@app.command(name="topics")
def create_topics() -> None:
    """Create the services' topics from settings (used by docker-compose's init job too)."""
    created = asyncio.run(topics.ensure_service_topics(StackSettings()))
    console.print(f"created: {', '.join(created) or 'none (all exist)'}")


@app.command()
def env() -> None:
    """Print the variables that point a shell (or the tests) at the running stack."""
    settings = StackSettings()
    sys.stdout.write(
        f"XZ_TEST_KAFKA_BOOTSTRAP={settings.kafka_bootstrap}\n"
        f"XZ_TEST_POSTGRES_DSN={settings.postgres_dsn()}\n"
    )


@app.command(name="demo")
def demo_data(
    villages: Annotated[
        int, typer.Option(min=0, max=300, help="further villages of Wenshui county (max 300)")
    ] = 20,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="villages loaded at once")] = 4,
    all_users: Annotated[
        bool, typer.Option("--all-users", help="list every village's users with passwords")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="what was done as JSON on stdout (tables on stderr)")
    ] = False,
    gateway: Annotated[
        str | None, typer.Option(help="the gateway's URL (default: the launcher's)")
    ] = None,
) -> None:
    """Load Dongzhuang and N more villages through the gateway of a running platform (`make
    run` in another terminal; started here, and left running, if none answers), as users it
    creates; a second run adds nothing."""
    from . import demo

    settings = StackSettings()
    if gateway is None:
        _platform_for_demo(settings)
    raise typer.Exit(
        demo.main(
            settings,
            villages=villages,
            concurrency=concurrency,
            everyone=all_users,
            as_json=as_json,
            gateway_url=gateway,
        )
    )


def _platform_for_demo(settings: StackSettings) -> None:
    """No platform answers: start one as `make run` would, in the background, and leave it
    running for the browser (its output in the state folder's log; `make stop` ends it)."""
    url = f"http://{settings.host}:{settings.gateway_port}"
    if _answers(f"{url}/ready"):
        return
    log = settings.state_dir / "logs" / "platform.log"
    if procs.running(settings.run_dir, LAUNCHER) is not None:
        console.print("the platform is starting (another `make run`); waiting for it…")
    else:
        log.parent.mkdir(parents=True, exist_ok=True)
        console.print(f"no platform answers at {url}: starting one (its output: {log})")
        with log.open("ab") as out:
            # This very launcher, as `make run` runs it.
            subprocess.Popen(
                [sys.executable, "-m", "xiangzhi_stack.cli", "run"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # it outlives the demo; Ctrl-C here does not stop it
            )
    deadline = time.monotonic() + 300
    while not _answers(f"{url}/ready"):
        if time.monotonic() > deadline:
            console.print(f"[red]✗[/red] the platform did not come up in 300 s: see {log}")
            raise typer.Exit(1)
        time.sleep(1)
    console.print(f"[green]✓[/green] Xiangzhi is up: {url}  (it stays up; `make stop` ends it)")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    app()
