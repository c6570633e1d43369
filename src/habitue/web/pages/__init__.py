"""The pages: every module here exposing ``router`` (an ``APIRouter``) is included by
:func:`habitue.web.app.install`, without a prefix and outside the OpenAPI schema."""
