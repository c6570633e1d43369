"""The segments pages: the list, the builder (a new segment or a saved one) and the actions on
a saved segment.

The builder is one form (``segments/builder.html``) that carries the draft as fields
(``segments.builder.draft_to_form``). Its buttons and the selects that change other pickers
post it to ``/segments/builder/tree``, which applies the edit and redraws the rules; every
change of the form (debounced by ``static/segments/builder.js``) and every redraw make the
status panel post it to
``/segments/builder/status``, which answers the sentence, the live count, and the error next to
the rule at fault. Saving, exporting, freezing and deleting need a role that writes in the
segment's organisation (marketing, admin); viewers build, count and preview.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from habitue.api.deps import NowDep, TodayDep, WorkspaceDep
from habitue.api.downloads import export_response, scratch_dir
from habitue.domain.access import Principal
from habitue.segments import SpecError
from habitue.segments.builder import (
    Draft,
    DraftError,
    apply_action,
    draft_from_form,
    empty_draft,
    node_at_path,
    subject_of,
    walk,
)
from habitue.segments.builder_convert import draft_from_raw, normalise
from habitue.segments.columns import PURPOSES
from habitue.segments.pickers import PickerContext, node_pickers
from habitue.services.segment_builder import DraftCheck
from habitue.services.segment_evaluation import SegmentError
from habitue.services.workspace import Workspace
from habitue.web import i18n
from habitue.web.charts import tone
from habitue.web.deps import FormPrincipal, PagePrincipal
from habitue.web.templating import language_of, render

router = APIRouter()
BUILDER = "/segments/builder"
PREVIEW_ROWS = 20
EXPORT_FORMATS = ("csv", "xlsx")


# -- helpers ----------------------------------------------------------------------------------

def _organisations(ws: Workspace, principal: Principal) -> list[dict]:
    return [o for o in ws.organisations() if principal.sees(o["organisation_id"])]


def _saved(ws: Workspace, principal: Principal, key: str, lang: str):
    """The saved segment ``key`` (its details), or 404 when it does not exist or belongs to an
    organisation the principal does not see (its existence is not revealed)."""
    try:
        details = ws.show_segment(key, lang=lang)
    except SegmentError:
        raise HTTPException(404, "no such segment") from None
    if not principal.sees(details.segment.organisation_id):
        raise HTTPException(404, "no such segment")
    return details


async def _form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}


def _one(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0].strip()


def _draft(fields: dict[str, list[str]], principal: Principal,
           ws: Workspace) -> tuple[Draft, str, str]:
    """The builder form's draft, its organisation (one the principal sees) and the key of the
    saved segment it edits ('' for a new one)."""
    try:
        draft = draft_from_form(fields)
    except DraftError as exc:
        raise HTTPException(400, str(exc)) from None
    organisation = _one(fields, "organisation")
    principal.require_read(organisation)
    if organisation not in {o["organisation_id"] for o in ws.organisations()}:
        raise HTTPException(400, "the form names no organisation")
    return draft, organisation, _one(fields, "key")


def _pickers(ws: Workspace, draft: Draft, organisation: str, key: str, lang: str) -> dict:
    try:
        ctx = ws.segment_builder.pickers(organisation, exclude=key or None)
    except SegmentError:
        ctx = PickerContext()
    return {node.id: node_pickers(node, ctx, lang) for _, node, _ in walk(draft)}


def _builder_context(ws: Workspace, principal: Principal, *, draft: Draft, organisation: str,
                     key: str, lang: str, check: DraftCheck | None) -> dict:
    draft = check.draft if check else normalise(draft)
    return {"draft": draft, "nodes": [n for _, n, _ in walk(draft)],
            "pickers": _pickers(ws, draft, organisation, key, lang), "check": check,
            "organisation": organisation, "key": key, "was": subject_of,
            "can_write": principal.can_write(organisation), "builder": BUILDER}


def _check(ws: Workspace, draft: Draft, organisation: str, today: date, lang: str,
           count: bool = True) -> DraftCheck:
    return ws.segment_builder.check(draft, organisation=organisation, as_of=today, lang=lang,
                                    count=count)


def slug(text: str) -> str:
    """A segment key from a name: ``Fans d'opéra`` → ``fans-d-opera``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64]


def _redirect(request: Request, url: str) -> Response:
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# -- pages ------------------------------------------------------------------------------------

@router.get("/segments", response_class=HTMLResponse)
def segments_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
                  organisation: str | None = None) -> HTMLResponse:
    lang = language_of(request)
    organisations = _organisations(ws, principal)
    names = {o["organisation_id"]: o.get("name") or o["organisation_id"] for o in organisations}
    rows = [s for s in ws.list_segments(lang=lang) if s.segment.organisation_id in names
            and (not organisation or s.segment.organisation_id == organisation)]
    writable = [o for o in organisations if principal.can_write(o["organisation_id"])]
    return render(request, "segments/index.html", {
        "segments": rows, "organisations": organisations, "names": names,
        "selected": organisation or "", "writable": writable})


@router.get("/segments/new", response_class=HTMLResponse)
def new_segment_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
                     today: TodayDep, organisation: str | None = None) -> HTMLResponse:
    lang = language_of(request)
    organisations = _organisations(ws, principal)
    if not organisations:
        raise HTTPException(404, "no organisation to build a segment in")
    ids = [o["organisation_id"] for o in organisations]
    organisation = organisation if organisation in ids else ids[0]
    draft = empty_draft()
    check = _check(ws, draft, organisation, today, lang)
    return render(request, "segments/builder.html", {
        **_builder_context(ws, principal, draft=draft, organisation=organisation, key="",
                           lang=lang, check=check),
        "segment": None, "organisations": organisations, "as_of": today, "history": None})


@router.get("/segments/{key}", response_class=HTMLResponse)
def segment_page(request: Request, key: str, principal: PagePrincipal, ws: WorkspaceDep,
                 today: TodayDep) -> HTMLResponse:
    lang = language_of(request)
    details = _saved(ws, principal, key, lang)
    seg = details.segment
    draft = draft_from_raw(seg.definition)
    check = _check(ws, draft, seg.organisation_id, today, lang)
    history = ws.segment_builder.size_history(key)
    return render(request, "segments/builder.html", {
        **_builder_context(ws, principal, draft=draft, organisation=seg.organisation_id,
                           key=key, lang=lang, check=check),
        "segment": seg, "organisations": _organisations(ws, principal), "as_of": today,
        "history": _history_chart(history, lang) if history else None,
        "saved": request.query_params.get("saved") == "1",
        "list_name": f"{seg.name} — {today.isoformat()}", "purposes": PURPOSES})


def _history_chart(history: list[tuple[date, int]], lang: str) -> dict:
    """ECharts options of the size history (a line)."""
    return {
        "grid": {"left": 48, "right": 16, "top": 16, "bottom": 28},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [d.isoformat() for d, _ in history]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "line", "name": i18n.translate(lang, "Contacts"),
                    "data": [n for _, n in history], "smooth": False, "symbolSize": 6,
                    "areaStyle": {"opacity": 0.08}}],
        "color": ["#7a2e3a"],
    }


# -- the builder's requests ---------------------------------------------------------------------
# Each reads the form (asynchronously), then does the work in the thread pool: a count may
# take a while on a large venue, and must not hold up the server's other requests.

@router.post(f"{BUILDER}/tree", response_class=HTMLResponse)
async def builder_tree(request: Request, principal: FormPrincipal,
                       ws: WorkspaceDep) -> HTMLResponse:
    """Apply the edit of the button pressed (``action``), or just redraw after a select that
    changes the other pickers; the status follows once the new rules are in place
    (``HX-Trigger-After-Settle: builder-changed``)."""
    return await run_in_threadpool(_tree, request, principal, ws, await _form(request))


def _tree(request: Request, principal: Principal, ws: Workspace,
          fields: dict[str, list[str]]) -> HTMLResponse:
    draft, organisation, key = _draft(fields, principal, ws)
    action = _one(fields, "action")
    if action:
        try:
            draft = apply_action(draft, action)
        except DraftError as exc:
            raise HTTPException(400, str(exc)) from None
    context = _builder_context(ws, principal, draft=draft, organisation=organisation, key=key,
                               lang=language_of(request), check=None)
    return render(request, "segments/_tree.html", context,
                  headers={"HX-Trigger-After-Settle": "builder-changed"})


@router.post(f"{BUILDER}/status", response_class=HTMLResponse)
async def builder_status(request: Request, principal: FormPrincipal, ws: WorkspaceDep,
                         today: TodayDep) -> HTMLResponse:
    """The sentence and the live count of the form's draft, or its first error, with the
    sentence and the error of every rule (out-of-band swaps)."""
    return await run_in_threadpool(_status, request, principal, ws, today,
                                   await _form(request))


def _status(request: Request, principal: Principal, ws: Workspace, today: date,
            fields: dict[str, list[str]]) -> HTMLResponse:
    draft, organisation, _key = _draft(fields, principal, ws)
    check = _check(ws, draft, organisation, today, language_of(request))
    return _status_response(request, check, today)


def _status_response(request: Request, check: DraftCheck, today: date,
                     problem: str | None = None) -> HTMLResponse:
    return render(request, "segments/_status.html", {
        "check": check, "nodes": [n for _, n, _ in walk(check.draft)], "oob": True,
        "as_of": today, "problem": problem})


@router.post(f"{BUILDER}/preview", response_class=HTMLResponse)
async def builder_preview(request: Request, principal: FormPrincipal, ws: WorkspaceDep,
                          today: TodayDep) -> HTMLResponse:
    """The first members of the form's draft, with their name, email and key indicators."""
    return await run_in_threadpool(_preview, request, principal, ws, today,
                                   await _form(request))


def _preview(request: Request, principal: Principal, ws: Workspace, today: date,
             fields: dict[str, list[str]]) -> HTMLResponse:
    lang = language_of(request)
    draft, organisation, _key = _draft(fields, principal, ws)
    check = _check(ws, draft, organisation, today, lang, count=False)
    preview, rows = None, []
    if check.ok:
        preview = ws.preview_segment(check.target, as_of=today, limit=PREVIEW_ROWS, lang=lang)
        rows = [dict(zip(preview.headers, r, strict=True)) for r in preview.rows]
    return render(request, "segments/_preview.html", {"check": check, "preview": preview,
                                                      "rows": rows, "as_of": today,
                                                      "tone": tone})


@router.post(f"{BUILDER}/save", response_class=HTMLResponse)
async def builder_save(request: Request, principal: FormPrincipal, ws: WorkspaceDep,
                       today: TodayDep, now: NowDep) -> Response:
    """Create the segment (its key from the form, or from its name) or update the one the
    form edits; then open it. A wrong draft is not saved: the status says why."""
    return await run_in_threadpool(_save, request, principal, ws, today, now,
                                   await _form(request))


def _save(request: Request, principal: Principal, ws: Workspace, today: date, now: datetime,
          fields: dict[str, list[str]]) -> Response:
    lang = language_of(request)
    draft, organisation, key = _draft(fields, principal, ws)
    principal.require_write(organisation)
    name = _one(fields, "name")
    check = _check(ws, draft, organisation, today, lang, count=False)
    if not check.ok:
        return _status_response(request, check, today)
    if not name:
        return _status_response(request, check, today,
                                i18n.translate(lang, "Give the segment a name."))
    try:
        if key:
            seg = _saved(ws, principal, key, lang).segment
            principal.require_write(seg.organisation_id)
            ws.update_segment(key, now=now, definition=check.raw, name=name,
                              by=principal.login)
            action = "segment.update"
        else:
            key = _one(fields, "new_key") or slug(name)
            ws.create_segment(key, check.raw, now=now, organisation=organisation, name=name,
                              by=principal.login)
            action = "segment.create"
    except SpecError as exc:  # a cycle through the segments it uses
        failed = DraftCheck(check.draft, error=exc,
                            error_node=node_at_path(check.draft, exc.path))
        return _status_response(request, failed, today)
    except SegmentError as exc:  # a key already taken, or not a key
        return _status_response(request, check, today, str(exc))
    ws.audit.record(principal, action, key, organisation, {"name": name, "via": "web"},
                    now=now)
    return _redirect(request, f"/segments/{key}?saved=1")


# -- actions on a saved segment -----------------------------------------------------------------

@router.post("/segments/{key}/export")
def export_segment(request: Request, key: str, principal: FormPrincipal,
                         ws: WorkspaceDep, today: TodayDep, now: NowDep,
                         format: Annotated[str, Form()] = "csv",
                         purpose: Annotated[str, Form()] = "") -> Response:
    """The members of the saved segment as a CSV or XLSX file (for a purpose: only those who
    opted in and can be reached); audited."""
    lang = language_of(request)
    _saved(ws, principal, key, lang)
    fmt = format if format in EXPORT_FORMATS else "csv"
    purpose_ = purpose if purpose in PURPOSES else None
    filename = f"{key}-{today.isoformat()}{'-' + purpose_ if purpose_ else ''}.{fmt}"
    with scratch_dir() as folder:
        summary = ws.export_segment(ws.segment_target(key), as_of=today,
                                    path=folder / filename, fmt=fmt, purpose=purpose_,
                                    lang=lang, by=principal, now=now, note={"via": "web"})
        return export_response(summary, folder, filename)


@router.post("/segments/{key}/freeze")
def freeze_segment(request: Request, key: str, principal: FormPrincipal,
                         ws: WorkspaceDep, today: TodayDep, now: NowDep,
                         name: Annotated[str, Form()] = "") -> Response:
    """Freeze the saved segment's members of today into a marketing list; open the lists."""
    lang = language_of(request)
    seg = _saved(ws, principal, key, lang).segment
    principal.require_write(seg.organisation_id)
    try:
        m = ws.freeze_list(key, name=name.strip() or f"{seg.name} — {today.isoformat()}",
                           as_of=today, now=now, by=principal.login)
    except SegmentError as exc:
        raise HTTPException(400, str(exc)) from None
    ws.audit.record(principal, "list.freeze", str(m.list_id), seg.organisation_id, {
        "segment": key, "name": m.name, "members": m.member_count,
        "as_of": today.isoformat(), "via": "web"}, now=now)
    return _redirect(request, f"/lists?frozen={m.list_id}")


@router.post("/segments/{key}/delete")
def delete_segment(request: Request, key: str, principal: FormPrincipal,
                         ws: WorkspaceDep, now: NowDep) -> Response:
    lang = language_of(request)
    seg = _saved(ws, principal, key, lang).segment
    principal.require_write(seg.organisation_id)
    try:
        ws.delete_segment(key)
    except SegmentError as exc:
        raise HTTPException(409, str(exc)) from None
    ws.audit.record(principal, "segment.delete", key, seg.organisation_id,
                    {"name": seg.name, "via": "web"}, now=now)
    return _redirect(request, "/segments")
