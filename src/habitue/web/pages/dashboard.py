"""The dashboard (``/``): contacts by level for each indicator, recent imports and refreshes,
the sizes of saved segments over time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from habitue.api.deps import WorkspaceDep
from habitue.services.dashboard import build_dashboard
from habitue.web import charts
from habitue.web.deps import PagePrincipal
from habitue.web.templating import language_of, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
              org: str | None = None) -> HTMLResponse:
    lang = language_of(request)
    board = build_dashboard(ws, principal, organisation=org or None)
    names = {o["organisation_id"]: o["name"] for o in board.organisations}
    level_charts = [(c.code, charts.level_bars(c, names, lang)) for c in board.indicators]
    return render(request, "dashboard/index.html", {
        "board": board, "selected": org or "", "level_charts": level_charts,
        "all_organisations": [o for o in ws.organisations()
                              if principal.sees(o["organisation_id"])],
        "segment_chart": charts.segment_lines(board.segments, lang),
    })
