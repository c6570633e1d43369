"""Marketing lists: the members of a segment frozen on a date. The lists of the organisations
the user sees, their export (CSV or XLSX, optionally only the members reachable for a purpose)
and their deletion. Lists are frozen from the segment pages."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from habitue.api.deps import NowDep, WorkspaceDep
from habitue.api.downloads import export_response, scratch_dir
from habitue.domain.access import Principal
from habitue.services.segment_evaluation import SegmentError
from habitue.web.deps import FormPrincipal, PagePrincipal
from habitue.web.templating import language_of, render

router = APIRouter()
FORMATS = ("csv", "xlsx")
PURPOSES = ("email", "sms", "post")


def visible_lists(ws, principal: Principal) -> list:
    return [m for m in ws.list_marketing_lists() if principal.sees(m.organisation_id)]


def _list_or_404(ws, principal: Principal, list_id: int):
    for m in visible_lists(ws, principal):
        if m.list_id == list_id:
            return m
    raise HTTPException(404, f"no list {list_id}")


@router.get("/lists", response_class=HTMLResponse)
def lists_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep) -> Response:
    lists = sorted(visible_lists(ws, principal), key=lambda m: m.created_at, reverse=True)
    names = {o["organisation_id"]: o["name"] for o in ws.organisations()}
    return render(request, "lists/index.html", {"lists": lists, "names": names,
                                                "formats": FORMATS, "purposes": PURPOSES})


@router.get("/lists/{list_id}/export")
def export_list(request: Request, principal: PagePrincipal, ws: WorkspaceDep, now: NowDep,
                list_id: int, format: str = "csv", purpose: str = "") -> Response:
    """Download the members (their contact fields and indicators as they are now); the
    export is recorded in the audit log."""
    m = _list_or_404(ws, principal, list_id)
    fmt = format if format in FORMATS else "csv"
    purpose = purpose if purpose in PURPOSES else None
    filename = f"list-{m.list_id}.{fmt}"
    with scratch_dir() as folder:
        summary = ws.export_list(str(m.list_id), path=folder / filename, fmt=fmt,
                                 purpose=purpose, lang=language_of(request), by=principal,
                                 now=now, note={"via": "web"})
        return export_response(summary, folder, filename)


@router.post("/lists/{list_id}/delete")
def delete_list(principal: FormPrincipal, ws: WorkspaceDep, now: NowDep,
                list_id: int) -> Response:
    m = _list_or_404(ws, principal, list_id)
    principal.require_write(m.organisation_id)
    try:
        ws.delete_list(str(m.list_id))
    except SegmentError as exc:
        raise HTTPException(409, str(exc)) from exc
    ws.audit.record(principal, "list.delete", str(m.list_id), m.organisation_id,
                    {"name": m.name, "via": "web"}, now=now)
    return RedirectResponse("/lists", status_code=303)
