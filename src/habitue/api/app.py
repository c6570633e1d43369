"""The FastAPI application (``habitue serve``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse

from habitue import __version__
from habitue.api.schemas import ImportRunPublic, IndicatorPublic, OrganisationPublic
from habitue.services.workspace import Workspace
from habitue.settings import Settings


def get_workspace(request: Request) -> Iterator[Workspace]:
    yield request.app.state.workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Habitué",
        version=__version__,
        description="The audience CRM for cultural venues: contacts, orders, indicators.",
    )
    app.state.workspace = Workspace.from_settings(settings)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get("/api/v1/health", tags=["system"])
    def health(ws: WorkspaceDep) -> dict:
        ws.require_schema()
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/organisations", tags=["organisations"])
    def organisations(ws: WorkspaceDep) -> list[OrganisationPublic]:
        return [OrganisationPublic.model_validate(o) for o in ws.organisations()]

    @app.get("/api/v1/imports", tags=["imports"])
    def import_runs(ws: WorkspaceDep, limit: int = 20) -> list[ImportRunPublic]:
        return [ImportRunPublic.model_validate(r) for r in ws.import_runs(limit)]

    @app.get("/api/v1/contacts/{contact_id}/indicators", tags=["indicators"])
    def contact_indicators(ws: WorkspaceDep, contact_id: str, organisation: str | None = None,
                           lang: str = "fr") -> list[IndicatorPublic]:
        return [IndicatorPublic.from_row(r, lang)
                for r in ws.indicator_rows(organisation=organisation, contact=contact_id)]

    app.state.scheduler = None
    if settings.scheduler:
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
        app.state.workspace.close()

    return app
