"""The audit log (administrators): who exported which list, who changed what, newest first,
filtered by person and action, one page at a time (``/settings/audit``). An administrator
scoped to some organisations sees the entries of those organisations
(``services.audit.AuditLog.query``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from habitue.api.deps import WorkspaceDep
from habitue.web.deps import PagePrincipal
from habitue.web.paging import Page
from habitue.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


@router.get("/settings/audit", response_class=HTMLResponse)
def audit_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
               actor: str = "", action: str = "", page: str = "1") -> Response:
    principal.require_admin()
    pg = Page.of(page, PAGE_SIZE)
    found = ws.audit.query(viewer=principal, actor=actor.strip() or None,
                           action=action.strip() or None, limit=PAGE_SIZE, offset=pg.offset)
    pg = Page(pg.number, PAGE_SIZE, pg.offset + len(found.entries) < found.total)
    filters = {k: v for k, v in (("actor", actor.strip()), ("action", action.strip())) if v}
    return render(request, "settings/audit.html", {
        "entries": found.entries, "total": found.total, "page": pg, "filters": filters,
        "base_url": "/settings/audit?" + (urlencode(filters) + "&" if filters else "")})
