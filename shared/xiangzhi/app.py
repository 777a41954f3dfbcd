"""The app factory: the one composition root every service goes through.

Resources are created in the lifespan, never at import: the pool, migrations (the kit's, then
the service's), the registry check, the outbox relay and the projections; all are stopped in
reverse order when the app stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from . import db, guard, logs, observability, pii, privacy, problems
from .auth import TokenVerifier
from .keys import KeyStore
from .outbox import OutboxRelay
from .permissions import PermissionTable
from .projection import Projection, ProjectionRunner, create_schema
from .registry import EventRegistry
from .settings import ServiceSettings
from .store import EventStore

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def _no_projections(settings: ServiceSettings, store: EventStore) -> Sequence[Projection]:
    return ()


@dataclass
class ServiceParts(Generic[SettingsT]):
    """What a service brings to the kit: its events, tables, read models and routes; typed by
    the service's settings, so its projections and workers get them as they are."""

    registry: EventRegistry = field(default_factory=EventRegistry)
    migrations: Sequence[db.Migration] = ()
    # Built once the settings and the store exist: topics are settings, and a policy (a
    # projection that issues commands) appends through the store.
    projections: Callable[[SettingsT, EventStore], Sequence[Projection]] = _no_projections
    routers: Sequence[APIRouter] = ()
    # Routers whose reads are public (Open311's service list and requests); writes are scoped.
    public_read_routers: Sequence[APIRouter] = ()
    # Routers that authenticate their callers themselves (the gateway's: its token endpoint
    # must answer without a token); the kit's guard is not put in front of them.
    open_routers: Sequence[APIRouter] = ()
    # Who may issue each command of the routers above; every command route names one, but for
    # the open routers' paths listed here (the gateway's login, and what it forwards to a
    # service that enforces its own table).
    permissions: PermissionTable | None = None
    commands_without_permission: frozenset[str] = frozenset()
    # Resources of the service's own (the gateway's HTTP clients), opened after the kit's and
    # closed before them.
    resources: Callable[[FastAPI, Runtime[SettingsT]], AbstractAsyncContextManager[None]] | None = (
        None
    )
    # Long-running tasks beside the projections (a service's watchers), stopped with the app.
    workers: Sequence[Callable[[Runtime[SettingsT], asyncio.Event], Coroutine[Any, Any, None]]] = ()
    title: str | None = None
    description: str = ""


@dataclass
class Runtime(Generic[SettingsT]):
    """What the lifespan created; routes reach it through ``deps``."""

    settings: SettingsT
    pool: db.Pool
    store: EventStore
    registry: EventRegistry
    projections: dict[str, Projection]
    runners: dict[str, ProjectionRunner]
    relay: OutboxRelay | None
    # The key service, when the service writes or reads personal data (``xiangzhi.keys``).
    keys: KeyStore | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def create_app(settings: SettingsT, parts: ServiceParts[SettingsT] | None = None) -> FastAPI:
    parts = parts or ServiceParts()
    logs.configure(settings.service_name, level=settings.log_level, json=settings.log_json)
    app = FastAPI(
        title=parts.title or f"Xiangzhi {settings.service_name}",
        description=parts.description,
        lifespan=_lifespan(settings, parts),
    )
    app.state.settings = settings
    app.state.verifier = _verifier(
        settings, needed=bool(parts.routers or parts.public_read_routers)
    )
    problems.install(app)
    observability.install(app, settings.service_name)
    routers = list(parts.routers)
    table = parts.permissions
    if _holds_personal_data(parts.registry, settings):
        # Sealed on the way in by the store, opened on the way out, exported on request.
        app.add_middleware(privacy.RevealMiddleware)
        export, permission = privacy.export_router(settings.service_name)
        routers.append(export)
        table = PermissionTable(
            settings.service_name, (*(table.permissions if table else ()), permission)
        )
    _operations(app, settings, table)
    for router in routers:
        app.include_router(router, dependencies=[Depends(guard.village_scope)])
    for router in parts.public_read_routers:
        app.include_router(router, dependencies=[Depends(guard.public_reads)])
    for router in parts.open_routers:
        app.include_router(router)
    every = [*routers, *parts.public_read_routers, *parts.open_routers]
    _every_command_has_a_permission(
        every, table, settings.service_name, exempt=parts.commands_without_permission
    )
    _no_thread_hops([app.router, *every], settings.service_name)
    return app


def _no_thread_hops(routers: Sequence[APIRouter], service: str) -> None:
    """Refuse to start with a route whose dependency is a plain function: FastAPI runs those in
    its thread pool, a thread hop each per request (a command's largest overhead before issue
    15). Dependencies are coroutines; endpoints that really block say so by being plain."""
    for route in (r for router in routers for r in router.routes):
        if not isinstance(route, APIRoute):
            continue
        stack = list(route.dependant.dependencies)
        while stack:
            dependant = stack.pop()
            call = dependant.call
            if call is not None and not _is_coroutine(call):
                raise ValueError(
                    f"{service}: {route.path} depends on {getattr(call, '__qualname__', call)}, "
                    "a plain function: make it a coroutine (async def)"
                )
            stack.extend(dependant.dependencies)


def _is_coroutine(call: Callable[..., Any]) -> bool:
    target = call if inspect.isroutine(call) else getattr(call, "__call__", call)  # noqa: B004
    return inspect.iscoroutinefunction(target)


def _holds_personal_data(registry: EventRegistry, settings: ServiceSettings) -> bool:
    """Whether the service's events declare personal fields; if so it needs the key service:
    there is no mode in which personal data is stored in clear."""
    personal = any(pii.has_personal(registry.model(t)) for t in registry.types)
    if personal and not (settings.keys_dsn and settings.kek):
        raise ValueError(
            f"{settings.service_name}: keys_dsn and kek (or kek_file) are required: its events "
            "hold personal data, which is stored sealed by the key service"
        )
    return personal


def _verifier(settings: ServiceSettings, *, needed: bool) -> TokenVerifier | None:
    if needed and not settings.auth_public_key:
        # No unauthenticated mode: a service that would accept any caller is one nobody runs.
        raise ValueError(
            f"{settings.service_name}: auth_public_key is required "
            "(every service verifies the gateway's tokens)"
        )
    if not settings.auth_public_key:
        return None
    return TokenVerifier(
        settings.auth_public_key, issuer=settings.auth_issuer, audience=settings.auth_audience
    )


def _lifespan(
    settings: SettingsT, parts: ServiceParts[SettingsT]
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the runtime with the app, run its background tasks, stop them in reverse order."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await _start(settings, parts)
        app.state.runtime = runtime
        stop = asyncio.Event()
        _spawn(runtime, parts, stop)
        try:
            if parts.resources is None:
                yield
            else:
                async with parts.resources(app, runtime):
                    yield
        finally:
            stop.set()
            for task in runtime.tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, timeout=10)
            await runtime.store.committer.close()
            await runtime.pool.close()
            if runtime.keys is not None:
                await runtime.keys.close()

    return lifespan


async def _start(settings: SettingsT, parts: ServiceParts[SettingsT]) -> Runtime[SettingsT]:
    """The pool, the migrations, the store, the projections' schemas, the relay: all ready
    before the first request (a read must find its tables, even if still empty)."""
    parts.registry.check()
    pool = await db.create_pool(settings.postgres_dsn, max_size=settings.pool_max_size)
    async with pool.acquire() as conn:
        await db.migrate(conn, [*db.kit_migrations(), *parts.migrations])
    keys = await open_keys(settings)
    store = EventStore(pool, keys)
    projections = {p.name: p for p in parts.projections(settings, store)}
    for projection in projections.values():
        await create_schema(pool, projection, projection.schema)
    relay = (
        OutboxRelay(
            settings.postgres_dsn,
            settings.kafka_bootstrap,
            service=settings.service_name,
            topic=settings.topic,
        )
        if settings.relay_enabled
        else None
    )
    runners = {
        name: ProjectionRunner(
            pool,
            settings.kafka_bootstrap,
            projection,
            group_id=f"{settings.service_name}.{name}",
            dlq_replication_factor=settings.replication_factor,
        )
        for name, projection in projections.items()
    }
    return Runtime(
        settings=settings,
        pool=pool,
        store=store,
        registry=parts.registry,
        projections=projections,
        runners=runners,
        relay=relay,
        keys=keys,
    )


async def open_keys(settings: ServiceSettings) -> KeyStore | None:
    """The key service, if the settings name it."""
    if not (settings.keys_dsn and settings.kek):
        return None
    return await KeyStore.open(
        settings.keys_dsn, pii.LocalKek.from_text(settings.kek.get_secret_value())
    )


def _spawn(
    runtime: Runtime[SettingsT], parts: ServiceParts[SettingsT], stop: asyncio.Event
) -> None:
    """The relay, the projections and the service's workers, each a task until ``stop``."""
    if runtime.relay is not None:
        runtime.tasks.append(asyncio.create_task(runtime.relay.run(stop), name="relay"))
    if runtime.settings.projections_enabled:
        for name, runner in runtime.runners.items():
            runtime.tasks.append(asyncio.create_task(runner.run(stop), name=f"projection:{name}"))
    for worker in parts.workers:
        runtime.tasks.append(asyncio.create_task(worker(runtime, stop), name=worker.__name__))


def _every_command_has_a_permission(
    routers: Sequence[APIRouter],
    table: PermissionTable | None,
    service: str,
    exempt: frozenset[str] = frozenset(),
) -> None:
    """Refuse to start with a command route that names no permission of the service's table:
    a new command cannot slip past the permission table unnoticed."""
    known = {p.name for p in table} if table else set()
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or (route.methods or set()) <= guard.READS:
                continue
            if route.path in exempt:
                continue
            permission = guard.permission_of(route)
            if permission is None or permission.name not in known:
                raise ValueError(
                    f"{service}: {sorted(route.methods or ())} {route.path} names no permission "
                    "of the service's table"
                )


def _operations(app: FastAPI, settings: ServiceSettings, table: PermissionTable | None) -> None:
    @app.get("/permissions", tags=["operations"])
    async def permissions() -> list[dict[str, Any]]:
        """Who may issue each of this service's commands (public: the rules are no secret)."""
        return table.as_json() if table else []

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": settings.service_name}

    @app.get("/ready", tags=["operations"], response_model=None)
    async def ready(request: Request) -> Any:
        """Readiness: the database answers and every background worker is alive."""
        runtime: Runtime[ServiceSettings] = request.app.state.runtime
        checks: dict[str, str] = {}
        try:
            await runtime.pool.fetchval("select 1")
            checks["database"] = "ok"
        except (OSError, asyncpg.PostgresError) as exc:
            checks["database"] = f"unavailable: {exc}"
        for task in runtime.tasks:
            checks[task.get_name()] = "stopped" if task.done() else "running"
        ok = all(v in ("ok", "running") for v in checks.values())
        return JSONResponse(
            {
                "status": "ready" if ok else "unavailable",
                "service": settings.service_name,
                "checks": checks,
            },
            status_code=200 if ok else 503,
        )
