"""Who is calling: API tokens, signed session cookies, and CSRF protection.

- ``Authorization: Bearer hab_…`` (an API token, ``habitue users token``): the principal acts
  for the token's user; no CSRF token is needed (a browser never sends the header by itself).
- Otherwise the session cookie ``habitue_session``, set by :func:`sign_in`: signed with
  itsdangerous, HttpOnly, SameSite=Lax; it carries the user, the account's session version
  (a new password or a disabled account ends its sessions), a random nonce and when it was
  issued (it expires ``session_max_age`` seconds later, by the application's clock).
- CSRF: a request authenticated by the cookie with an unsafe method (POST, PUT, PATCH,
  DELETE) must carry the session's CSRF token, :func:`csrf_token`, in the ``X-CSRF-Token``
  header (JSON calls, HTMX through ``hx-headers``) or, for HTML forms, in the ``csrf_token``
  field (checked by the async :func:`authenticate_form` / :func:`require_csrf`). The token is
  an HMAC of the session's nonce: bound to the session, useless to another one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from habitue.api.errors import ApiError
from habitue.domain.access import Principal
from habitue.services.accounts import User

SESSION_COOKIE = "habitue_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _now(request: Request) -> datetime:
    return request.app.state.clock()


def _secret(request: Request) -> str:
    state = request.app.state
    if getattr(state, "session_secret", None) is None:
        state.session_secret = state.workspace.accounts.session_secret(now=_now(request))
    return state.session_secret


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(_secret(request), salt="habitue-session")


def client_address(request: Request) -> str:
    """The caller's address (the proxy's unless the server trusts its forwarded headers:
    ``uvicorn --forwarded-allow-ips``)."""
    return request.client.host if request.client else "unknown"


# -- sessions -----------------------------------------------------------------------------------


def _session(request: Request) -> dict | None:
    """The valid, unexpired content of the session cookie, or None."""
    if "habitue_session" in request.scope:
        return request.scope["habitue_session"]
    data = None
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            found = _serializer(request).loads(raw)
        except BadSignature:
            found = None
        max_age = request.app.state.settings.session_max_age
        if (isinstance(found, dict) and {"u", "v", "n", "t"} <= found.keys()
                and _now(request).timestamp() - found["t"] < max_age):
            data = found
    request.scope["habitue_session"] = data
    return data


def sign_in(request: Request, response: Response, login: str, password: str) -> tuple[User, str]:
    """Check the password (rate limited: ``AccountError`` ``too_many_attempts``), set the
    session cookie on ``response``; returns the user and the new session's CSRF token."""
    ws = request.app.state.workspace
    user = ws.accounts.login(login, password, client=client_address(request),
                             now=_now(request))
    return user, start_session(request, response, user)


def start_session(request: Request, response: Response, user: User) -> str:
    """Set a new session cookie for ``user``; returns its CSRF token. :func:`csrf_token`
    gives it for the rest of this request too."""
    settings = request.app.state.settings
    data = {"u": user.user_id,
            "v": request.app.state.workspace.accounts.session_version(user.user_id),
            "n": secrets.token_urlsafe(16), "t": int(_now(request).timestamp())}
    response.set_cookie(SESSION_COOKIE, _serializer(request).dumps(data),
                        max_age=settings.session_max_age, path="/", httponly=True,
                        samesite="lax", secure=settings.cookie_secure)
    request.scope["habitue_session"] = data
    return _csrf_of(request, data)


def sign_out(request: Request, response: Response) -> None:
    """Clear the session cookie (a password change ends every session of the account)."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.app.state.settings.cookie_secure)
    request.scope["habitue_session"] = None


def session_expires_at(request: Request) -> datetime | None:
    data = _session(request)
    if data is None:
        return None
    issued = datetime.fromtimestamp(data["t"])
    return issued + timedelta(seconds=request.app.state.settings.session_max_age)


# -- CSRF -----------------------------------------------------------------------------------


def _csrf_of(request: Request, data: dict) -> str:
    return hmac.new(_secret(request).encode(), f"csrf:{data['n']}".encode(),
                    hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session ("" without a session): put it in every form
    (``<input type="hidden" name="csrf_token">``) and in HTMX's ``hx-headers``."""
    data = _session(request)
    return _csrf_of(request, data) if data else ""


def csrf_valid(request: Request, token: str | None) -> bool:
    expected = csrf_token(request)
    return bool(expected and token) and hmac.compare_digest(expected, str(token))


def _needs_csrf(request: Request, principal: Principal) -> bool:
    return principal.via == "session" and request.method in UNSAFE_METHODS


def _csrf_refused() -> ApiError:
    return ApiError(403, "csrf_failed", "missing or wrong CSRF token: send the session's "
                    f"token in the {CSRF_HEADER} header or the {CSRF_FIELD} form field")


async def require_csrf(request: Request, principal: Principal) -> None:
    """Check the CSRF token of a cookie-authenticated unsafe request: the header, else the
    form field (reads the form; FastAPI keeps it for the route)."""
    if not _needs_csrf(request, principal):
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        token = (await request.form()).get(CSRF_FIELD)
    if not csrf_valid(request, token):
        raise _csrf_refused()


# -- principals -----------------------------------------------------------------------------


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "not_authenticated",
                       "the Authorization header must be 'Bearer <token>'")
    return token.strip()


def principal_or_none(request: Request) -> Principal | None:
    """Who is calling, or None; never checks CSRF (for pages that show a login link)."""
    try:
        return authenticate(request, check_csrf=False)
    except ApiError:
        return None


def authenticate(request: Request, *, check_csrf: bool = True) -> Principal:
    """The principal of a request: its Bearer API token, else its session cookie.

    Raises ``ApiError`` 401 without valid credentials, 403 ``csrf_failed`` for a
    cookie-authenticated unsafe request without the session's token in the ``X-CSRF-Token``
    header (HTML forms that send it as a field: use :func:`authenticate_form`)."""
    if "habitue_principal" in request.scope:
        principal = request.scope["habitue_principal"]
    else:
        principal = _resolve(request)
        request.scope["habitue_principal"] = principal
    if check_csrf and _needs_csrf(request, principal) \
            and not csrf_valid(request, request.headers.get(CSRF_HEADER)):
        raise _csrf_refused()
    return principal


def _resolve(request: Request) -> Principal:
    accounts = request.app.state.workspace.accounts
    token = _bearer(request)
    if token is not None:
        principal = accounts.resolve_token(token, now=_now(request))
        if principal is None:
            raise ApiError(401, "invalid_token", "unknown or revoked API token")
        return principal
    data = _session(request)
    principal = accounts.session_principal(data["u"], data["v"]) if data else None
    if principal is None:
        raise ApiError(401, "not_authenticated", "log in, or send 'Authorization: Bearer "
                       "<token>' (habitue users token)")
    return principal


async def authenticate_form(request: Request) -> Principal:
    """:func:`authenticate`, accepting the CSRF token of an HTML form's ``csrf_token`` field
    as well as the header (a dependency for the web's form routes)."""
    principal = authenticate(request, check_csrf=False)
    await require_csrf(request, principal)
    return principal
