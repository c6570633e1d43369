"""Settings (administrators): the indicators enabled per institution, the refresh schedule,
the seasons of each organisation (``/settings``), and the users with their API tokens
(``/settings/users``).

The rules are the API's: an indicator is switched for a whole institution, so only an
administrator who sees every organisation of it may do it; an administrator manages the
accounts whose organisations are all among its own (``Principal.may_manage``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from habitue.api.deps import NowDep, WorkspaceDep
from habitue.domain.access import AccessDenied, Principal, Role
from habitue.domain.calendar import Season
from habitue.indicators.catalogue import INDICATOR_BY_CODE, INDICATORS
from habitue.scheduler.schedule import ScheduleConfig, due_refreshes
from habitue.services.accounts import AccountError
from habitue.web.deps import FormPrincipal, PagePrincipal
from habitue.web.templating import render

router = APIRouter()
CADENCES = ("daily", "weekly", "season")


def institutions_of(ws, principal: Principal) -> list[dict]:
    """The institutions the admin sees, each with its organisations and whether the admin may
    switch its indicators (it sees every organisation of it)."""
    seen = ws.contacts.visibility(principal)
    settings = ws.indicator_settings()
    out = []
    for inst, enabled in settings.items():
        if not seen.sees(inst):
            continue
        every = ws.contacts.organisations_of_institution(inst) or []
        out.append({"institution_id": inst, "enabled": enabled,
                    "organisations": seen.organisations_of(inst),
                    "may_switch": principal.organisations is None
                    or set(every) <= principal.organisations})
    return out


def next_refreshes(ws, principal: Principal, now: datetime) -> list[dict]:
    """The next daily, weekly and season-change refresh of each organisation the admin sees."""
    s = ws.settings
    config = ScheduleConfig(daily_at=s.daily_at, weekly_day=s.weekly_day,
                            weekly_at=s.weekly_at, season_at=s.season_at)
    orgs = [(o["organisation_id"], o["timezone"] or "Europe/Paris") for o in ws.organisations()
            if principal.sees(o["organisation_id"])]
    seasons = [se for se in ws.seasons() if principal.sees(se.organisation_id)]
    start = now.astimezone() if now.tzinfo is None else now
    out = []
    for org, tz in orgs:
        nxt: dict[str, datetime | None] = dict.fromkeys(CADENCES)
        for due in due_refreshes(start, start + timedelta(days=8), [(org, tz)], seasons,
                                 config):
            nxt[due.cadence] = nxt[due.cadence] or due.fire_at.astimezone(ZoneInfo(tz))
        if nxt["season"] is None:
            nxt["season"] = _next_season_start(seasons, org, start.date(), s.season_at, tz)
        out.append({"organisation_id": org, "timezone": tz, **nxt})
    return out


def _next_season_start(seasons: list[Season], org: str, today, at, tz: str):
    starts = sorted(se.start_date for se in seasons
                    if se.organisation_id == org and se.start_date > today)
    return datetime.combine(starts[0], at, tzinfo=ZoneInfo(tz)) if starts else None


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep,
                  now: NowDep) -> Response:
    principal.require_admin()
    orgs = [o for o in ws.organisations() if principal.sees(o["organisation_id"])]
    return render(request, "settings/index.html", {
        "institutions": institutions_of(ws, principal), "indicators": INDICATORS,
        "settings": ws.settings, "refreshes": next_refreshes(ws, principal, now),
        "organisations": orgs,
        "seasons": {o["organisation_id"]: ws.seasons_of(o["organisation_id"]) for o in orgs},
        "today": now.date(),
    })


@router.post("/settings/indicators")
def switch_indicator(principal: FormPrincipal, ws: WorkspaceDep, now: NowDep,
                     institution: Annotated[str, Form()], code: Annotated[str, Form()],
                     enabled: Annotated[str, Form()]) -> Response:
    principal.require_admin()
    if code not in INDICATOR_BY_CODE:
        raise HTTPException(404, f"no indicator {code!r}")
    found = [i for i in institutions_of(ws, principal) if i["institution_id"] == institution]
    if not found:
        raise HTTPException(404, f"no institution {institution!r}")
    if not found[0]["may_switch"]:
        raise AccessDenied(f"{principal.login} does not see every organisation of institution "
                           f"{institution!r}")
    on = enabled == "true"
    ws.set_indicator_enabled(code, on, institution)
    ws.audit.record(principal, "indicator.enable" if on else "indicator.disable", code, None,
                    {"institution_id": institution, "via": "web"}, now=now)
    return RedirectResponse("/settings#indicators", status_code=303)


# -- users and tokens ---------------------------------------------------------------------


def _users_page(request: Request, principal: Principal, ws, *, error: str | None = None,
                created_token: dict | None = None, form: dict | None = None,
                status_code: int = 200) -> Response:
    users = ws.accounts.list_users(viewer=principal)
    tokens = {u.login: ws.accounts.list_tokens(u.login) for u in users}
    orgs = [o for o in ws.organisations() if principal.sees(o["organisation_id"])]
    return render(request, "settings/users.html", {
        "users": users, "tokens": tokens, "organisations": orgs, "roles": [r.value for r in Role],
        "error": error, "created_token": created_token, "form": form or {}},
        status_code=status_code)


@router.get("/settings/users", response_class=HTMLResponse)
def users_page(request: Request, principal: PagePrincipal, ws: WorkspaceDep) -> Response:
    principal.require_admin()
    return _users_page(request, principal, ws)


@router.post("/settings/users", response_class=HTMLResponse)
async def create_user(request: Request, principal: FormPrincipal, ws: WorkspaceDep,
                      now: NowDep) -> Response:
    principal.require_admin()
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("login", "name", "email", "role")}
    orgs = [str(o) for o in form.getlist("organisations")]
    try:
        ws.accounts.create_user(values["login"], role=values["role"], now=now, actor=principal,
                                password=str(form.get("password") or "") or None,
                                organisations=orgs, name=values["name"] or None,
                                email=values["email"] or None)
    except AccountError as exc:
        return _users_page(request, principal, ws, error=exc.message,
                           form={**values, "organisations": orgs}, status_code=422)
    return RedirectResponse("/settings/users", status_code=303)


@router.post("/settings/users/{login}/active", response_class=HTMLResponse)
def set_active(request: Request, principal: FormPrincipal, ws: WorkspaceDep, now: NowDep,
               login: str, active: Annotated[str, Form()]) -> Response:
    principal.require_admin()
    try:
        ws.accounts.update_user(login, now=now, actor=principal, active=active == "true")
    except AccountError as exc:
        return _users_page(request, principal, ws, error=exc.message, status_code=422)
    return RedirectResponse("/settings/users", status_code=303)


@router.post("/settings/users/{login}/tokens", response_class=HTMLResponse)
def create_token(request: Request, principal: FormPrincipal, ws: WorkspaceDep, now: NowDep,
                 login: str, name: Annotated[str, Form()] = "") -> Response:
    """Create an API token; the page shows it this once (only its hash is kept)."""
    principal.require_admin()
    try:
        created = ws.accounts.create_token(login, name=name, now=now, actor=principal)
    except AccountError as exc:
        return _users_page(request, principal, ws, error=exc.message, status_code=422)
    return _users_page(request, principal, ws, created_token={
        "login": login, "name": created.record.name, "token": created.token})


@router.post("/settings/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, principal: FormPrincipal, ws: WorkspaceDep, now: NowDep,
                 token_id: int) -> Response:
    principal.require_admin()
    try:
        ws.accounts.revoke_token(token_id, now=now, actor=principal)
    except AccountError as exc:
        return _users_page(request, principal, ws, error=exc.message, status_code=404)
    return RedirectResponse("/settings/users", status_code=303)
