"""The services and the gateway, each a uvicorn process started against the local stack."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import httpx
from xiangzhi.auth import generate_keypair
from xiangzhi.pii import LocalKek
from xiangzhi.services import GATEWAY as GATEWAY_SERVICE
from xiangzhi.services import KEYS_DATABASE

from . import procs
from .config import PROJECT_ROOT, StackSettings

GATEWAY = GATEWAY_SERVICE.name


def existing_services(settings: StackSettings) -> dict[str, int]:
    """Every service whose package is installed, the gateway last (it fronts the others)."""
    wanted = {**settings.service_ports, GATEWAY: settings.gateway_port}
    return {
        name: port
        for name, port in wanted.items()
        if importlib.util.find_spec(name) is not None
        and importlib.util.find_spec(f"{name}.app") is not None
    }


def record_name(service: str) -> str:
    return f"service-{service}"


def log_path(settings: StackSettings, service: str) -> Path:
    return settings.log_dir / f"{service}.log"


def _keys(settings: StackSettings) -> tuple[Path, str, Path]:
    """The gateway's signing key and the key-encryption key of personal data for the local
    platform, each made once; (the signing key's file, the public PEM, the KEK's file)."""
    folder = settings.state_dir / "keys"
    signing, public, kek = folder / "signing.pem", folder / "public.pem", folder / "kek.key"
    if not signing.exists():
        folder.mkdir(parents=True, exist_ok=True)
        private_pem, public_pem = generate_keypair()
        signing.write_text(private_pem)
        signing.chmod(0o600)
        public.write_text(public_pem)
    if not kek.exists():
        kek.touch(mode=0o600)
        kek.write_text(LocalKek.generate() + "\n")
    return signing, public.read_text(), kek


def _service_env(settings: StackSettings, service: str, port: int) -> dict[str, str]:
    prefix = service.upper()
    signing, public, kek = _keys(settings)
    env = dict(os.environ)
    env.update(
        {
            f"{prefix}_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
            f"{prefix}_POSTGRES_DSN": settings.postgres_dsn(service),
            f"{prefix}_HTTP_HOST": settings.host,
            f"{prefix}_HTTP_PORT": str(port),
            # Every service checks the gateway's tokens, as in production.
            f"{prefix}_AUTH_PUBLIC_KEY": public,
            "GATEWAY_SIGNING_KEY_FILE": str(signing),
            "GATEWAY_WEB_ROOT": str(settings.web_root),
            # The key service: personal data is sealed per person, as in production.
            f"{prefix}_KEYS_DSN": settings.postgres_dsn(KEYS_DATABASE),
            f"{prefix}_KEK_FILE": str(kek),
        }
    )
    for upstream, upstream_port in settings.service_ports.items():
        env[f"GATEWAY_{upstream.upper()}_URL"] = f"http://{settings.host}:{upstream_port}"
    return env


def spawn_service(settings: StackSettings, name: str, port: int) -> procs.ProcessRecord:
    """Start one service as a child of this process; the supervisor restarts it the same way."""
    return procs.spawn(
        settings.run_dir,
        record_name(name),
        [
            *(sys.executable, "-m", "uvicorn", f"{name}.app:create_app", "--factory"),
            *("--host", settings.host, "--port", str(port), "--no-access-log"),
        ],
        log=log_path(settings, name),
        marker=f"{name}.app:create_app",
        env=_service_env(settings, name, port),
        cwd=PROJECT_ROOT,
    )


def start_services(settings: StackSettings, timeout: float = 60.0) -> dict[str, int]:
    """Start (or reuse) every existing service; return when each answers /health."""
    services = existing_services(settings)
    for name, port in services.items():
        if procs.running(settings.run_dir, record_name(name)) is None:
            spawn_service(settings, name, port)
    deadline = time.monotonic() + timeout
    for name, port in services.items():
        url = f"http://{settings.host}:{port}/health"
        while True:
            record = procs.running(settings.run_dir, record_name(name))
            if record is None:
                log = log_path(settings, name)
                raise procs.StackError(f"service {name} exited:\n{procs.tail(log)}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise procs.StackError(f"service {name} did not answer {url} in {timeout}s")
            time.sleep(0.2)
    return services


def stop_services(settings: StackSettings) -> list[str]:
    stopped = []
    # The gateway first, so nothing new is routed to a service that is going away.
    for name in [GATEWAY, *settings.service_ports]:
        if procs.stop(settings.run_dir, record_name(name), timeout=20.0):
            stopped.append(name)
    return stopped


def service_status(settings: StackSettings) -> dict[str, procs.ProcessRecord | None]:
    return {
        name: procs.running(settings.run_dir, record_name(name))
        for name in [*settings.service_ports, GATEWAY]
    }
