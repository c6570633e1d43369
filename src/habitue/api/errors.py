"""One JSON shape for every API error: ``{"error": {"code", "message", "field"}}``.

``code`` is stable (clients switch on it), ``message`` is a sentence for a person, ``field``
names the request field at fault (``body.lines[2].status``, ``query.organisation``) or is null.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from habitue.domain.access import AccessDenied


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

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail),
                              headers=getattr(exc, "headers", None))
