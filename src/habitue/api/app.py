"""The FastAPI application (``habitue serve``): the REST API under ``/api/v1``, the web
interface, and the scheduler of the refreshes.

Routers are the modules of :mod:`habitue.api.routers` (each exposes ``router``), found at
start-up; the web interface installs itself from :mod:`habitue.web` when present.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from habitue import __version__
from habitue.api import errors, routers
from habitue.services.workspace import Workspace
from habitue.settings import Settings

API_PREFIX = "/api/v1"


def _routers():
    for info in sorted(pkgutil.iter_modules(routers.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{routers.__name__}.{info.name}")
        if hasattr(module, "router"):
            yield module.router


def create_app(settings: Settings | None = None, *, workspace: Workspace | None = None,
               clock: Callable[[], datetime] = datetime.now) -> FastAPI:
    """The application. Tests pass their own ``workspace`` (on a test store) and ``clock``."""
    settings = settings or Settings()
    app = FastAPI(
        title="Habitué",
        version=__version__,
        description=("The audience CRM for cultural venues: contacts, orders, indicators, "
                     "segments. Authenticate with `Authorization: Bearer <token>` "
                     "(`habitue users token`). Every error has the shape "
                     '`{"error": {"code", "message", "field"}}`.'),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.workspace = workspace or Workspace.from_settings(settings)
    app.state.owns_workspace = workspace is None
    app.state.clock = clock
    errors.install(app)
    for router in _routers():
        app.include_router(router, prefix=API_PREFIX)

    try:
        web = importlib.import_module("habitue.web.app")
    except ModuleNotFoundError as exc:
        if exc.name not in ("habitue.web", "habitue.web.app"):
            raise
    else:
        web.install(app)

    app.state.scheduler = None
    if settings.scheduler and workspace is None:
        from habitue.scheduler.schedule import ScheduleConfig
        from habitue.scheduler.service import RefreshScheduler

        app.state.scheduler = RefreshScheduler(app.state.workspace, ScheduleConfig(
            daily_at=settings.daily_at, weekly_day=settings.weekly_day,
            weekly_at=settings.weekly_at, season_at=settings.season_at))

        @app.on_event("startup")
        def start_scheduler() -> None:
            app.state.scheduler.start()

    @app.on_event("shutdown")
    def close() -> None:
        if app.state.scheduler is not None:
            app.state.scheduler.stop()
        if app.state.owns_workspace:
            app.state.workspace.close()

    return app
