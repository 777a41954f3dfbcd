"""The web dashboard (``web/``, built by Vite into ``web/dist``) served at ``/``.

Vite names every asset by its content's hash, so ``/assets/*`` is cached for a year; the page
itself is never cached, so a new build is seen on the next load. Any other path the API does
not own is the single-page app's own route (``/county``, ``/village/…``): it gets the page, and
the app's router draws it. Paths under ``/api/`` never do: an unknown API path stays a 404."""

from __future__ import annotations

import mimetypes
import stat
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import Scope
from xiangzhi.errors import NotFoundError

# What the page may load and call: itself only. Element Plus and ECharts set inline styles.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
NOT_THE_PAGE = (
    "api/", "openapi.json", "docs", "redoc", "health", "ready", "metrics", ".well-known",
)  # fmt: skip


IMMUTABLE = "public, max-age=31536000, immutable"


class _Assets(StaticFiles):
    """The build's assets; each script and stylesheet also as ``<name>.gz``, compressed once
    by the build (``web/scripts/precompress.mjs``), sent to a browser that takes gzip: a third
    of the bytes on a village's mobile connection, and no compressing per request here."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if "gzip" in Headers(scope=scope).get("accept-encoding", ""):
            full, found = await run_in_threadpool(self.lookup_path, f"{path}.gz")
            if found is not None and stat.S_ISREG(found.st_mode):
                return FileResponse(
                    full,
                    stat_result=found,
                    media_type=mimetypes.guess_type(path)[0] or "application/octet-stream",
                    headers={
                        "Content-Encoding": "gzip",
                        "Vary": "Accept-Encoding",
                        "Cache-Control": IMMUTABLE,
                    },
                )
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
            response.headers["Vary"] = "Accept-Encoding"
        return response


def mount(app: FastAPI, root: Path | None) -> None:
    """Serve the built dashboard from ``root``; without a build, ``/`` says how to make one."""
    built = root.resolve() if root is not None else None
    if built is not None:
        # Looked up per request (check_dir off): a build made after start-up is served too.
        app.mount("/assets", _Assets(directory=built / "assets", check_dir=False), name="assets")

    # Plain def: FastAPI runs it in its thread pool, where looking at files does not block.
    @app.get("/{path:path}", include_in_schema=False)
    def page(path: str) -> Response:
        if path.startswith(NOT_THE_PAGE):
            raise NotFoundError(f"no such path: /{path}")
        if built is None or not (built / "index.html").is_file():
            raise NotFoundError(
                "the web dashboard is not built here: run `make web` (make run builds it)"
            )
        # A file of the build's top level (favicon, robots.txt) as itself; a route, the page.
        wanted = (built / path).resolve()
        if path and wanted.is_file() and wanted.parent == built:
            return FileResponse(wanted, headers=SECURITY_HEADERS)
        return FileResponse(
            built / "index.html", headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"}
        )
