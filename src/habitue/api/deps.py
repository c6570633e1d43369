"""Typed dependencies of the routes: the workspace, the clock and the principal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request

from habitue.domain.access import Principal
from habitue.services.workspace import Workspace


def get_workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def get_now(request: Request) -> datetime:
    """The request's clock: ``app.state.clock()`` (tests step it; the server uses the wall
    clock). Nothing below the entry points reads the time itself."""
    return request.app.state.clock()


def get_today(now: Annotated[datetime, Depends(get_now)]) -> date:
    return now.date()


def current_principal(request: Request) -> Principal:
    """Who is calling: an API token (``Authorization: Bearer``) or a web session cookie.
    Raises 401 when neither is valid (see :mod:`habitue.api.security`)."""
    from habitue.api.security import authenticate

    return authenticate(request)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
NowDep = Annotated[datetime, Depends(get_now)]
TodayDep = Annotated[date, Depends(get_today)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
