"""Imports: upload a file of the open format (or a zip of several), follow its progress,
read the summary of each file and download the rejects.

The rules are the API's (``habitue.api.routers.imports``): everyone follows the runs; an
upload, and the rejects (which hold the rejected rows' values), need a principal of every
organisation that may write, because an import may change any organisation.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from habitue.api.deps import NowDep, WorkspaceDep
from habitue.api.routers.imports import require_importer
from habitue.domain.access import AccessDenied, Principal
from habitue.services.import_jobs import ENTITY_NAMES, ImportBusy, ImportUploadError
from habitue.web.deps import FormPrincipal, PagePrincipal
from habitue.web.paging import Page
from habitue.web.templating import render

router = APIRouter()
PAGE_SIZE = 20


def may_import(ws, principal: Principal) -> bool:
    try:
        require_importer(ws, principal)
    except AccessDenied:
        return False
    return True


def _summary(run: dict) -> dict:
    raw = run.get("summary")
    if isinstance(raw, str):
        raw = json.loads(raw)
    return raw or {}


def _run_or_404(ws, run_id: int) -> dict:
    run = ws.import_jobs.get(run_id)
    if run is None:
        raise HTTPException(404, f"no import {run_id}")
    return {**run, "summary": _summary(run)}


def _list(request: Request, principal: Principal, ws, page: str, *, error: str | None = None,
          status_code: int = 200) -> Response:
    pg = Page.of(page, PAGE_SIZE)
    total, runs = ws.import_jobs.recent(limit=PAGE_SIZE, offset=pg.offset)
    pg = Page(pg.number, PAGE_SIZE, pg.number * PAGE_SIZE < total)
    return render(request, "imports/index.html", {
        "runs": [{**r, "summary": _summary(r)} for r in runs], "total": total, "page": pg,
        "may_import": may_import(ws, principal), "entities": ENTITY_NAMES, "error": error},
        status_code=status_code)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
                 page: str = "1") -> Response:
    return _list(request, principal, ws, page)


@router.post("/imports")
def upload(request: Request, principal: FormPrincipal, ws: WorkspaceDep, now: NowDep,
           file: Annotated[UploadFile, File()],
           entity: Annotated[str, Form()] = "") -> Response:
    require_importer(ws, principal)
    try:
        started = ws.import_jobs.start(file.file, file.filename, now=now,
                                       entity=entity or None)
    except ImportBusy as exc:
        return _list(request, principal, ws, "1", error=str(exc), status_code=409)
    except ImportUploadError as exc:
        return _list(request, principal, ws, "1", error=str(exc), status_code=422)
    ws.audit.record(principal, "import.create", str(started.run_id), None,
                    {"source": started.source, "via": "web"}, now=now)
    return RedirectResponse(f"/imports/{started.run_id}", status_code=303)


@router.get("/imports/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
             run_id: int) -> Response:
    run = _run_or_404(ws, run_id)
    template = ("imports/_run.html" if request.headers.get("HX-Request") == "true"
                else "imports/run.html")
    return render(request, template, {"run": run, "may_import": may_import(ws, principal)})


@router.get("/imports/{run_id}/rejects")
def download_rejects(principal: PagePrincipal, ws: WorkspaceDep, now: NowDep,
                     run_id: int) -> Response:
    require_importer(ws, principal)
    run = _run_or_404(ws, run_id)
    if run["status"] == "running":
        raise HTTPException(409, f"import {run_id} is still running")
    out = io.StringIO()
    csv.writer(out).writerows(ws.import_jobs.rejects(run_id))
    ws.audit.record(principal, "import.rejects", str(run_id), None, {"via": "web"}, now=now)
    return Response(out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="habitue-import-{run_id}-rejects.csv"'})
