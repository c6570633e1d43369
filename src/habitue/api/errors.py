"""One JSON shape for every API error: ``{"error": {"code", "message", "field"}}``.

``code`` is stable (clients switch on it), ``message`` is a sentence for a person, ``field``
names the request field at fault (``body.lines[2].status``, ``query.organisation``) or is null.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from habitue.domain.access import AccessDenied
from habitue.storage.store import StoreError

log = logging.getLogger("habitue.api")
API_PATHS = "/api/"


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """Raised by a route: rendered as the error shape with its status."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def not_found(what: str, key: str, field: str | None = None) -> ApiError:
    return ApiError(404, "not_found", f"no {what} {key!r}", field)


ERROR_RESPONSES = {
    s: {"model": ErrorBody, "description": d}
    for s, d in ((400, "Bad request"), (401, "Not authenticated"), (403, "Forbidden"),
                 (404, "Not found"), (409, "Conflict"), (422, "Invalid field"))
}
"""Pass as ``responses=`` on routers so the OpenAPI schema documents the error shape."""

_HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden",
               404: "not_found", 405: "method_not_allowed", 409: "conflict",
               413: "too_large", 415: "unsupported_media_type", 422: "invalid",
               429: "too_many_requests"}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict | None = None) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, field=field))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _field_of(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @app.exception_handler(AccessDenied)
    async def _denied(request: Request, exc: AccessDenied) -> JSONResponse:
        return error_response(403, "forbidden", exc.reason)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = _field_of(first.get("loc", ()))
        return error_response(422, "invalid", f"{field}: {first['msg']}" if field
                              else first["msg"], field or None)

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        log.error("store unavailable: %s", exc)
        if not request.url.path.startswith(API_PATHS):
            return PlainTextResponse("Service Unavailable", status_code=503)
        return error_response(503, "store_unavailable", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # the server logs it with its traceback; an API client gets the one shape
        if not request.url.path.startswith(API_PATHS):
            return PlainTextResponse("Internal Server Error", status_code=500)
        return error_response(500, "internal_error",
                              "an unexpected error occurred; it has been logged")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            allowed = allowed_methods(request.app, request.url.path)
            if allowed:
                headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        return error_response(exc.status_code, code, str(exc.detail), headers=headers)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI schema documents for a path, for ``Allow`` on a 405 (Starlette
    names only those of the first route that matches, one route per method). The most
    specific template wins: ``/segments/count`` over ``/segments/{key}``. Empty for a path the
    schema does not document (the web pages)."""
    templates = getattr(app.state, "allow_templates", None)
    if templates is None:
        templates = [(re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(t)) + "$"),
                      t.count("{"), sorted(m.upper() for m in item))
                     for t, item in (app.openapi().get("paths") or {}).items()]
        app.state.allow_templates = templates
    found = [(params, methods) for regex, params, methods in templates if regex.match(path)]
    return min(found)[1] if found else []
