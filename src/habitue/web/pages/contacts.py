"""Contacts: the search (name, email or id, with filters, paginated) and the contact card
(the "Résumé" of pictograms, identity, consents, family links, the timeline)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from habitue.api.deps import WorkspaceDep
from habitue.domain.enums import ContactKind
from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.indicators.explain import band_sentence, sentences
from habitue.services.contact_card import card_view, contact_timeline
from habitue.services.contacts import ContactError, ContactNotFound
from habitue.web.deps import PagePrincipal
from habitue.web.paging import Page
from habitue.web.pictograms import pictograms
from habitue.web.templating import language_of, render

router = APIRouter()
PAGE_SIZE = 25
TIMELINE_SIZE = 20


def _server_timing(response: Response, started: float) -> Response:
    """``Server-Timing: app;dur=…`` (ms): the browser's developer tools show it."""
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@router.get("/contacts", response_class=HTMLResponse)
def search_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
                q: str = "", org: str = "", kind: str = "", postal_code: str = "",
                page: str = "1") -> Response:
    started = time.perf_counter()
    pg = Page.of(page, PAGE_SIZE)
    orgs = [o for o in ws.organisations() if principal.sees(o["organisation_id"])]
    kind = kind if kind in {k.value for k in ContactKind} else ""
    error = None
    try:
        found = ws.contacts.search(principal, q=q.strip()[:200] or None,
                                   organisation=org or None, kind=kind or None,
                                   postal_code=postal_code.strip()[:10] or None,
                                   page=pg.number, page_size=PAGE_SIZE)
        items, total = found.items, found.total
    except ContactError as exc:
        items, total, error = [], 0, str(exc)
    pg = Page(pg.number, PAGE_SIZE, pg.number * PAGE_SIZE < total)
    params = {k: v for k, v in (("q", q.strip()), ("org", org), ("kind", kind),
                                ("postal_code", postal_code.strip())) if v}
    context = {"q": q, "org": org, "kind": kind, "postal_code": postal_code, "items": items,
               "total": total, "page": pg, "organisations": orgs, "error": error,
               "base_url": "/contacts?" + (urlencode(params) + "&" if params else ""),
               "kinds": [k.value for k in ContactKind]}
    if request.headers.get("HX-Target") == "results":  # the form, as one types
        response = render(request, "contacts/_results.html", context)
        # the address bar shows the search without its empty fields
        response.headers["HX-Push-Url"] = "/contacts" + (f"?{urlencode(params)}"
                                                         if params else "")
    else:
        response = render(request, "contacts/search.html", context)
    return _server_timing(response, started)


def _card_or_404(ws, principal, institution: str, contact_id: str):
    try:
        return card_view(ws, principal, contact_id, institution)
    except ContactNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/contacts/{institution}/{contact_id}", response_class=HTMLResponse)
def card_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep, institution: str,
              contact_id: str, org: str = "", tpage: str = "") -> Response:
    """The card; its timeline comes in a second request (``hx-trigger="load"``) so that the
    Résumé shows at once, or inline with ``?tpage=N`` (links without JavaScript)."""
    started = time.perf_counter()
    lang = language_of(request)
    view = _card_or_404(ws, principal, institution, contact_id)
    orgs = list(view.indicators)
    selected = org if org in view.indicators else _busiest(view.indicators)
    currency = {o["organisation_id"]: o["currency"] for o in ws.organisations()}
    timeline = (contact_timeline(ws, orgs, contact_id, page=Page.of(tpage, 1).number,
                                 size=TIMELINE_SIZE) if tpage else None)
    return _server_timing(render(request, "contacts/card.html", {
        "view": view, "contact": view.card.contact, "selected": selected,
        "pictograms": pictograms(view.indicators.get(selected, []), lang,
                                 currency.get(selected) or "EUR"),
        "timeline": timeline, "currency": currency,
        "card_url": f"/contacts/{institution}/{contact_id}",
    }), started)


def _busiest(indicators: dict[str, list]) -> str:
    """The organisation shown first: where the contact has the most indicators above 0."""
    if not indicators:
        return ""
    return max(indicators, key=lambda o: (sum(1 for r in indicators[o] if r.level), -list(
        indicators).index(o)))


@router.get("/contacts/{institution}/{contact_id}/timeline", response_class=HTMLResponse)
def timeline_fragment(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
                      institution: str, contact_id: str, page: str = "1") -> Response:
    started = time.perf_counter()
    if request.headers.get("HX-Request") != "true":
        return RedirectResponse(f"/contacts/{institution}/{contact_id}?tpage={page}",
                                status_code=303)
    view = _card_or_404(ws, principal, institution, contact_id)
    timeline = contact_timeline(ws, list(view.indicators), contact_id,
                                page=Page.of(page, 1).number, size=TIMELINE_SIZE)
    currency = {o["organisation_id"]: o["currency"] for o in ws.organisations()}
    return _server_timing(render(request, "contacts/_timeline.html", {
        "view": view, "timeline": timeline, "currency": currency,
        "card_url": f"/contacts/{institution}/{contact_id}"}), started)


@router.get("/contacts/{institution}/{contact_id}/explain/{code}",
            response_class=HTMLResponse)
def explain_fragment(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
                     institution: str, contact_id: str, code: str, org: str) -> Response:
    """Why the contact has this level (``Workspace.explain``), for the organisation shown."""
    if code not in INDICATOR_BY_CODE:
        raise HTTPException(404, f"no indicator {code!r}")
    view = _card_or_404(ws, principal, institution, contact_id)
    if org not in view.indicators:
        raise HTTPException(404, f"no organisation {org!r} for this contact")
    lang = language_of(request)
    try:
        found = ws.explain(contact=contact_id, code=code, organisation=org)
    except ValueError:
        found = []
    expl = found[0] if found else None
    lines = sentences(expl, lang) if expl else []
    return render(request, "contacts/_explain.html", {
        "code": code, "expl": expl, "head": lines[:2],
        "band": band_sentence(expl, lang) if expl else None,
        "columns": list(expl.facts[0]) if expl and expl.facts else [],
        "fragment": request.headers.get("HX-Request") == "true",
        "card_url": f"/contacts/{institution}/{contact_id}?org={org}"})
