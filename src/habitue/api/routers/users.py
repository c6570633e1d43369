"""Accounts: log in and out, who am I, users (administrators), API tokens, the audit log."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from habitue.api import security
from habitue.api.deps import NowDep, PrincipalDep, WorkspaceDep
from habitue.api.errors import ERROR_RESPONSES, ApiError, ErrorBody, error_response
from habitue.api.schemas import DateTimeText
from habitue.api.schemas_accounts import (
    AuditEntryPublic,
    AuditPagePublic,
    LoginCreate,
    MePublic,
    PasswordChange,
    SessionPublic,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from habitue.services.accounts import UNSET, AccountError

router = APIRouter(tags=["accounts"], responses=ERROR_RESPONSES)

_STATUS = {"invalid": 422, "login_taken": 409, "not_found": 404, "last_admin": 409,
           "conflict": 409,
           "invalid_credentials": 401, "too_many_attempts": 429}


@contextmanager
def account_errors() -> Iterator[None]:
    """An ``AccountError`` of the service as the API's error shape."""
    try:
        yield
    except AccountError as exc:
        raise ApiError(_STATUS.get(exc.code, 400), exc.code, exc.message,
                       f"body.{exc.field}" if exc.field else None) from exc


# -- sessions -------------------------------------------------------------------------------


@router.post("/auth/login", response_model=SessionPublic,
             responses={429: {"model": ErrorBody, "description": "Too many failed logins"}})
def login(body: LoginCreate, request: Request, response: Response):
    """Log in with a login and password: sets the session cookie and returns the CSRF token
    that the session's unsafe requests send in ``X-CSRF-Token``. After too many failed
    attempts the login (or the client address) is refused for a while: 429 with
    ``Retry-After``."""
    try:
        user, csrf = security.sign_in(request, response, body.login, body.password)
    except AccountError as exc:
        if exc.code == "too_many_attempts":
            now = request.app.state.clock()
            wait = max(1, math.ceil((exc.retry_at - now).total_seconds()))
            return error_response(429, exc.code, exc.message,
                                  headers={"Retry-After": str(wait)})
        raise ApiError(_STATUS.get(exc.code, 400), exc.code, exc.message) from exc
    return SessionPublic(user=UserPublic.of(user), csrf_token=csrf,
                         expires_at=security.session_expires_at(request))


@router.post("/auth/logout", status_code=204)
def logout(request: Request) -> Response:
    """Clear the session cookie."""
    response = Response(status_code=204)
    security.sign_out(request, response)
    return response


@router.get("/me", response_model=MePublic)
def me(principal: PrincipalDep, ws: WorkspaceDep, request: Request) -> MePublic:
    """Who the request authenticates as, and the session's CSRF token."""
    with account_errors():
        user = ws.accounts.get_user(principal.login)
    return MePublic(user=UserPublic.of(user), via=principal.via,
                    csrf_token=security.csrf_token(request) if principal.via == "session"
                    else None)


@router.post("/me/password", status_code=204)
def change_password(body: PasswordChange, principal: PrincipalDep, ws: WorkspaceDep,
                    now: NowDep, request: Request) -> Response:
    """Change your own password (give the current one). It ends your other sessions; a
    session cookie making the change gets a new session (and CSRF token: see ``GET /me``)."""
    with account_errors():
        user = ws.accounts.change_password(principal.login, body.current_password,
                                           body.new_password, now=now)
    response = Response(status_code=204)
    if principal.via == "session":
        security.start_session(request, response, user)
    return response


# -- users ----------------------------------------------------------------------------------


@router.get("/users", response_model=list[UserPublic])
def list_users(principal: PrincipalDep, ws: WorkspaceDep) -> list[UserPublic]:
    """The users an administrator manages (all of them for an administrator of every
    organisation; those of its organisations otherwise)."""
    principal.require_admin()
    return [UserPublic.of(u) for u in ws.accounts.list_users(viewer=principal)]


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, principal: PrincipalDep, ws: WorkspaceDep,
                now: NowDep) -> UserPublic:
    """Create a user (administrators; a scoped administrator only within its organisations)."""
    principal.require_admin()
    with account_errors():
        user = ws.accounts.create_user(
            body.login, role=body.role, password=body.password,
            organisations=body.organisations, name=body.name, email=body.email, now=now,
            actor=principal)
    return UserPublic.of(user)


@router.get("/users/{login}", response_model=UserPublic)
def get_user(login: str, principal: PrincipalDep, ws: WorkspaceDep) -> UserPublic:
    principal.require_admin()
    with account_errors():
        user = ws.accounts.get_user(login)
    principal.require_manage(user.organisations)
    return UserPublic.of(user)


@router.patch("/users/{login}", response_model=UserPublic)
def update_user(login: str, body: UserUpdate, principal: PrincipalDep, ws: WorkspaceDep,
                now: NowDep) -> UserPublic:
    """Change a user: name, email, role, organisations, active, password."""
    principal.require_admin()
    sent = body.model_fields_set
    with account_errors():
        user = ws.accounts.update_user(
            login, now=now, actor=principal, name=body.name, email=body.email,
            role=body.role, active=body.active, password=body.password,
            organisations=body.organisations if "organisations" in sent else UNSET)
    return UserPublic.of(user)


# -- API tokens -----------------------------------------------------------------------------


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreate, principal: PrincipalDep, ws: WorkspaceDep,
                 now: NowDep) -> TokenCreated:
    """Create an API token; the response holds the token, shown this once."""
    with account_errors():
        created = ws.accounts.create_token(body.login or principal.login, name=body.name,
                                           now=now, actor=principal)
    return TokenCreated(token=created.token, **TokenPublic.of(created.record).model_dump())


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(principal: PrincipalDep, ws: WorkspaceDep,
                login: Annotated[str | None, Query(max_length=64)] = None
                ) -> list[TokenPublic]:
    """Your tokens, or (administrators) those of ``login``."""
    login = login or principal.login
    with account_errors():
        if login != principal.login:
            principal.require_manage(ws.accounts.get_user(login).organisations)
        return [TokenPublic.of(t) for t in ws.accounts.list_tokens(login)]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: PrincipalDep, ws: WorkspaceDep,
                 now: NowDep) -> Response:
    """Revoke a token: yours, or one of a user you manage."""
    with account_errors():
        ws.accounts.revoke_token(token_id, now=now, actor=principal)
    return Response(status_code=204)


# -- audit log ------------------------------------------------------------------------------


@router.get("/audit", response_model=AuditPagePublic)
def audit(principal: PrincipalDep, ws: WorkspaceDep,
          actor: str | None = None, action: str | None = None, target: str | None = None,
          organisation: str | None = None, since: DateTimeText | None = None,
          until: DateTimeText | None = None,
          limit: Annotated[int, Query(ge=1, le=500)] = 50,
          offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> AuditPagePublic:
    """Who did what (administrators), newest first, filtered, one page at a time."""
    principal.require_admin()
    if organisation is not None:
        principal.require_read(organisation)
    page = ws.audit.query(viewer=principal, actor=actor, action=action, target=target,
                          organisation=organisation, since=_local(since, "query.since"),
                          until=_local(until, "query.until"), limit=limit, offset=offset)
    return AuditPagePublic(items=[AuditEntryPublic.of(e) for e in page.entries],
                           total=page.total, limit=page.limit, offset=page.offset)


def _local(at: datetime | None, field: str) -> datetime | None:
    """The server's wall-clock time of ``at`` (the log's times are naive local times)."""
    if at is None or at.tzinfo is None:
        return at
    try:
        return at.astimezone().replace(tzinfo=None)
    except (OverflowError, ValueError) as exc:
        raise ApiError(422, "invalid", f"{field}: out of range", field) from exc
