"""Jinja2 rendering of the pages: one environment per language (``jinja2.ext.i18n`` with that
language's catalog, Babel filters for its numbers and dates), and :func:`render`, which adds
what every page needs (the principal, the language, the CSRF token, the navigation)."""

from __future__ import annotations

from functools import cache, partial

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from habitue import __version__
from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.web import i18n
from habitue.web.i18n import N_

NAVIGATION = (
    # (key, path, message): the message is translated in base.html
    ("dashboard", "/", N_("Dashboard")),
    ("contacts", "/contacts", N_("Contacts")),
    ("segments", "/segments", N_("Segments")),
    ("lists", "/lists", N_("Lists")),
    ("imports", "/imports", N_("Imports")),
    ("settings", "/settings", N_("Settings")),
)


# the steps an import reports (``Reporter.step``), as the imports page shows them
IMPORT_FILE_STEPS = {"reading": N_("Reading %(file)s"), "checking": N_("Checking %(file)s"),
                     "merging": N_("Merging %(file)s")}
IMPORT_STEPS = {"refreshing real-time indicators": N_("Refreshing the real-time indicators"),
                "collecting the facts": N_("Collecting the facts"),
                "computing indicators": N_("Computing the indicators"),
                "storing the values": N_("Storing the values")}


def _step_label(lang: str, step: str) -> str:
    """An import's step in the page's language (an unknown one as it is)."""
    gettext = i18n.translations(lang).gettext
    if step in IMPORT_STEPS:
        return gettext(IMPORT_STEPS[step])
    verb, _, file = step.partition(" ")
    if verb in IMPORT_FILE_STEPS and file:
        return gettext(IMPORT_FILE_STEPS[verb]) % {"file": file}
    return step


def static_url(path: str) -> str:
    """URL of a file of ``web/static`` (the version busts caches after an upgrade)."""
    return f"/static/{path}?v={__version__}"


@cache
def environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("habitue.web", "templates"),
        autoescape=jinja2.select_autoescape(("html", "svg", "xml"), default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    env.filters.update(
        number=lambda v, digits=None: i18n.format_number(v, lang, digits=digits),
        money=lambda v, currency="EUR": i18n.format_money(v, lang, currency),
        date=lambda v, fmt="medium": i18n.format_date(v, lang, fmt),
        datetime=lambda v, fmt="medium": i18n.format_datetime(v, lang, fmt),
    )
    env.globals.update(
        lang=lang,
        languages=i18n.LANGUAGE_NAMES,
        static=static_url,
        navigation=NAVIGATION,
        indicator_name=partial(_indicator_name, lang),
        level_label=partial(_level_label, lang),
        step_label=partial(_step_label, lang),
        version=__version__,
    )
    return env


def _indicator_name(lang: str, code: str) -> str:
    ind = INDICATOR_BY_CODE.get(code)
    return ind.name(lang) if ind else code


def _level_label(lang: str, code: str, level: int | None) -> str:
    ind = INDICATOR_BY_CODE.get(code)
    if ind is None or level is None:
        return "—"
    try:
        return ind.level(level).label(lang)
    except KeyError:
        return str(level)


def language_of(request: Request) -> str:
    return i18n.pick_language(request.cookies.get(i18n.COOKIE), request.query_params.get("lang"))


def render(request: Request, template: str, context: dict | None = None, *,
           status_code: int = 200, headers: dict | None = None) -> HTMLResponse:
    """Render ``template`` in the request's language.

    The context gets ``request``, ``principal`` (set by the page dependency, or None),
    ``csrf_token``, ``active`` (the navigation key, from ``context`` or the first path
    segment) and ``is_htmx`` (an HTMX request renders fragments rather than whole pages)."""
    lang = language_of(request)
    principal = getattr(request.state, "principal", None)
    ctx = {
        "request": request,
        "principal": principal,
        "csrf_token": csrf_token_of(request) if principal is not None else "",
        "active": _active(request.url.path),
        "is_htmx": request.headers.get("HX-Request") == "true",
    }
    ctx.update(context or {})
    html = environment(lang).get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def _active(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first or "dashboard"


def csrf_token_of(request: Request) -> str:
    from habitue.api import security

    return security.csrf_token(request)
