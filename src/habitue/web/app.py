"""The web interface: server-rendered pages (Jinja2 + HTMX), installed on the API's app.

:func:`install` mounts ``web/static`` at ``/static``, includes the ``router`` of every module
of :mod:`habitue.web.pages` (found at start-up, like the API's routers), registers the HTML
error pages and sets the security headers of the pages. ``habitue.api.app.create_app`` calls
it.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from habitue.web import errors, pages

STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                           "base-uri 'self'")


def page_routers():
    for info in sorted(pkgutil.iter_modules(pages.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{pages.__name__}.{info.name}")
        if hasattr(module, "router"):
            yield module.router


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in page_routers():
        app.include_router(router, include_in_schema=False)
    errors.install(app)

    @app.middleware("http")
    async def _page_headers(request: Request, call_next):
        response = await call_next(request)
        if not request.url.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            if response.headers.get("content-type", "").startswith("text/html"):
                response.headers.setdefault("Cache-Control", "no-store")
        return response
