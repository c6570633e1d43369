"""Dependencies of the pages: who is logged in (or a redirection to the login page) and the
CSRF check of every form.

``PagePrincipal`` is the principal of a page (GET); ``FormPrincipal`` also checks the form's
CSRF token (POST, PUT, DELETE: the ``X-CSRF-Token`` header that ``base.html`` sets on every
HTMX request, or the ``csrf_token`` field of a plain form). Both put the principal on
``request.state.principal`` so that :func:`habitue.web.templating.render` finds it.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from habitue.api.errors import ApiError
from habitue.domain.access import AccessDenied, Principal

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid session: the page redirects to ``/login?next=<the page>``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def login_url(next_url: str | None = None) -> str:
    if not next_url or next_url in ("/", "/login") or not next_url.startswith("/"):
        return "/login"
    return "/login?next=" + quote(next_url, safe="/")


def page_principal(request: Request) -> Principal:
    from habitue.api import security

    try:
        principal = security.authenticate(request, check_csrf=False)
    except ApiError as exc:
        if exc.status != 401:
            raise
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(nxt) from exc
    request.state.principal = principal
    return principal


async def form_principal(request: Request,
                         principal: Annotated[Principal, Depends(page_principal)]) -> Principal:
    await check_csrf(request, principal)
    return principal


async def check_csrf(request: Request, principal: Principal) -> None:
    """Refuse (403, an HTML page) a form sent with a session cookie whose CSRF token is
    missing or wrong (API tokens need none: a browser never sends them by itself)."""
    from habitue.api import security

    if principal.via != "session":
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        form = await request.form()  # cached by Starlette: Form() parameters still work
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not security.csrf_valid(request, sent):
        raise AccessDenied("the form's security token is missing or out of date; "
                           "reload the page and try again")


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


PagePrincipal = Annotated[Principal, Depends(page_principal)]
FormPrincipal = Annotated[Principal, Depends(form_principal)]
