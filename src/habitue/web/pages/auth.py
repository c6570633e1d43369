"""Logging in and out, and the language switch.

The login form has no session yet, so its CSRF token is a double-submit one: a random value
in a short-lived ``SameSite=Strict`` cookie, repeated in the form (another site can neither
read the cookie nor make the browser send it with a cross-site POST).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from habitue.api import security
from habitue.services.accounts import AccountError
from habitue.web import i18n
from habitue.web.deps import FormPrincipal
from habitue.web.templating import language_of, render

router = APIRouter()
LOGIN_CSRF_COOKIE = "habitue_login_csrf"


def safe_next(url: str | None) -> str:
    """Only a path of this site (no ``//host`` or ``https://host``: no open redirection)."""
    if not url:
        return "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return "/"
    return url


def _login_form(request: Request, *, next_url: str, login: str = "", error: str | None = None,
                status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"next_url": next_url, "login": login,
                                              "error": error, "login_csrf": token},
                      status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", httponly=True,
                        samesite="strict", secure=request.app.state.settings.cookie_secure)
    return response


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if security.principal_or_none(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next_url=safe_next(next))


@router.post("/login")
def login_submit(request: Request, login: Annotated[str, Form()] = "",
                 password: Annotated[str, Form()] = "",
                 csrf_token: Annotated[str, Form()] = "",
                 next: Annotated[str, Form()] = "/") -> Response:
    lang = language_of(request)
    next_url = safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_form(request, next_url=next_url, login=login, status_code=403,
                           error=i18n.translate(lang, "The form expired: please try again."))
    response = RedirectResponse(next_url, status_code=303)
    try:
        security.sign_in(request, response, login.strip(), password)
    except AccountError as exc:
        if exc.code == "too_many_attempts":
            message = i18n.translate(lang, "Too many failed attempts: try again later.")
            status = 429
        else:
            message = i18n.translate(lang, "Wrong login or password.")
            status = 401
        return _login_form(request, next_url=next_url, login=login, error=message,
                           status_code=status)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, principal: FormPrincipal) -> Response:
    response = RedirectResponse("/login", status_code=303)
    security.sign_out(request, response)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    """Remember the language in a cookie (a preference of the browser, not of the account)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, path="/",
                            samesite="lax")
    return response
