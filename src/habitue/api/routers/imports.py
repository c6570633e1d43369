"""Imports: upload a file of the open format (or a zip of several), follow its run, download
its rejects.

An upload is imported in the background: ``POST /imports`` answers ``202`` with the run, whose
``status`` is ``running`` until it ends (``succeeded``, ``partial`` or ``failed``); poll
``GET /imports/{run_id}``. One import runs at a time: another upload meanwhile gets ``409``.

An import may write to any organisation named in its files, so uploading and downloading
rejects (which hold the rejected rows' values) need a principal that may write in every
organisation of the store (an administrator or a marketing user of all of them). Every caller
may follow the runs (file names and counts).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from habitue.api.deps import NowDep, PrincipalDep, WorkspaceDep
from habitue.api.errors import ERROR_RESPONSES, ApiError, not_found
from habitue.api.schemas_imports import ImportRunPage, ImportRunPublic
from habitue.domain.access import AccessDenied, Principal, Role
from habitue.services.import_jobs import ENTITY_NAMES, ImportBusy, ImportUploadError

router = APIRouter(tags=["imports"], responses=ERROR_RESPONSES)

Entity = Literal[ENTITY_NAMES]  # type: ignore[valid-type]


def require_importer(ws, principal: Principal) -> None:
    """An import may change any organisation: the caller must be able to write in every
    organisation of the store."""
    if principal.role is not Role.VIEWER and all(
            principal.sees(o["organisation_id"]) for o in ws.organisations()):
        return
    raise AccessDenied(f"{principal.login} may not import: an import may change any "
                       "organisation (administrators and marketing users of every "
                       "organisation only)")


def _public(request: Request, row: dict) -> ImportRunPublic:
    url = str(request.url_for("download_rejects", run_id=row["run_id"]).path)
    return ImportRunPublic.from_row(row, url)


def _run(ws, run_id: int) -> dict:
    row = ws.import_jobs.get(run_id)
    if row is None:
        raise not_found("import run", str(run_id), "path.run_id")
    return row


@router.post("/imports", response_model=ImportRunPublic, status_code=202)
def upload_import(
    request: Request, response: Response, ws: WorkspaceDep, principal: PrincipalDep,
    now: NowDep,
    file: Annotated[UploadFile, File(description=(
        "One file of the open format named after its data (contacts.csv, orders.parquet, "
        "order_lines.jsonl…) or a .zip of several."))],
    entity: Annotated[Entity, Form(description=(
        "What a single file holds, when its name does not say it."))] = None,  # type: ignore[assignment]
) -> ImportRunPublic:
    """Upload and import in the background; answers at once with the run (``running``).
    Poll ``GET /imports/{run_id}`` until its status is no longer ``running``."""
    require_importer(ws, principal)
    try:
        started = ws.import_jobs.start(file.file, file.filename, now=now, entity=entity)
    except ImportBusy as exc:
        raise ApiError(409, "import_running", str(exc)) from exc
    except ImportUploadError as exc:
        raise ApiError(422, "invalid_upload", str(exc), "body.file") from exc
    ws.audit.record(principal, "import.create", str(started.run_id), None,
                    {"source": started.source}, now=now)
    response.headers["Location"] = str(request.url_for("get_import", run_id=started.run_id)
                                       .path)
    return _public(request, _run(ws, started.run_id))


@router.get("/imports", response_model=ImportRunPage)
def list_imports(request: Request, ws: WorkspaceDep, principal: PrincipalDep,
                 page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                 page_size: Annotated[int, Query(ge=1, le=100)] = 20) -> ImportRunPage:
    """The import runs, newest first (from the API, the web pages and the command line)."""
    total, rows = ws.import_jobs.recent(limit=page_size, offset=(page - 1) * page_size)
    return ImportRunPage(total=total, page=page, page_size=page_size,
                         items=[_public(request, r) for r in rows])


@router.get("/imports/{run_id}", response_model=ImportRunPublic)
def get_import(run_id: int, request: Request, ws: WorkspaceDep,
               principal: PrincipalDep) -> ImportRunPublic:
    """One run: its status, and once ended the summary of each file."""
    return _public(request, _run(ws, run_id))


@router.get("/imports/{run_id}/rejects", response_class=Response, responses={200: {
    "description": "The rejects: file, line, column, value, reason (CSV, UTF-8).",
    "content": {"text/csv": {"schema": {"type": "string"}}}}})
def download_rejects(run_id: int, ws: WorkspaceDep, principal: PrincipalDep) -> Response:
    """The run's rejected rows as CSV (a header only when nothing was rejected); 409 while
    the run is still running."""
    require_importer(ws, principal)
    if _run(ws, run_id)["status"] == "running":
        raise ApiError(409, "import_running", f"import {run_id} is still running",
                       "path.run_id")
    out = io.StringIO()
    csv.writer(out).writerows(ws.import_jobs.rejects(run_id))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="habitue-import-{run_id}-rejects.csv"'})
