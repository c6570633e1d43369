"""Errors of the pages: a redirection to the login page, and HTML pages for 403 and 404.

The API keeps its JSON error shape: the handlers here serve the paths outside ``/api/`` and
hand the others to the handlers :mod:`habitue.api.errors` registered.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from habitue.domain.access import AccessDenied
from habitue.web.deps import LoginRequired, login_url
from habitue.web.templating import render


def is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def install(app: FastAPI) -> None:
    api_denied = app.exception_handlers.get(AccessDenied)
    api_http = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = login_url(exc.next_url)
        if request.headers.get("HX-Request") == "true":  # HTMX: reload the whole page there
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(AccessDenied)
    async def _denied(request: Request, exc: AccessDenied) -> Response:
        if not is_page(request) and api_denied is not None:
            return await api_denied(request, exc)
        return render(request, "error.html", {"status": 403, "reason": exc.reason},
                      status_code=403)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page(request) and api_http is not None:
            return await api_http(request, exc)
        if request.url.path.startswith("/static/"):
            return Response(status_code=exc.status_code)
        return render(request, "error.html", {"status": exc.status_code,
                                              "reason": str(exc.detail)},
                      status_code=exc.status_code, headers=getattr(exc, "headers", None))
