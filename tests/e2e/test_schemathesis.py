"""Schemathesis against the application's OpenAPI schema, in process (ASGI), authenticated as
an administrator with an API token, on a DuckDB store holding the example venue: every
operation, a bounded number of generated requests each; no 5xx, and every response (status,
content type, headers, body) conforms to the schema.

Operations that would lock the test out (revoking tokens, deleting or changing users) are
left out; they have their own tests (tests/api/test_auth*.py).

Schemathesis' ``positive_data_acceptance`` (a request the schema allows gets a 2xx) is replaced
by a stricter reading of our contract: a request the schema allows is never refused by request
validation (422 ``invalid``); it may still be refused for what it means, with another code — an
unknown organisation, a segment rule naming an unknown indicator, a value the import rules
refuse — which no OpenAPI schema can express.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from habitue.api.app import create_app
from habitue.services.workspace import Workspace
from habitue.settings import Settings
from habitue.storage import migrate
from habitue.storage.store import Store

NOW = datetime(2026, 1, 15, 10, 0)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "venue"
MAX_EXAMPLES = 8
LOCKOUT = ("/api/v1/tokens/{token_id}", "/api/v1/users/{login}")
BINARY_UPLOADS = ("POST /api/v1/imports",)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    store = Store(f"duckdb:///{tmp / 'habitue.duckdb'}")
    migrate.upgrade(store)
    config = Settings(scheduler=False, secret_key="schemathesis-secret",
                      data_dir=str(tmp / "data"))
    ws = Workspace(store, config)
    ws.import_path(EXAMPLE, now=NOW, rejects_path=tmp / "rejects.csv")
    ws.create_segment("email-ok", {"rules": [{"consent": "email"}]}, now=NOW,
                      organisation="THEATRE")
    ws.freeze_list("email-ok", name="Janvier", as_of=NOW.date(), now=NOW)
    ws.accounts.create_user("fuzz", role="admin", organisations=None, password=None, now=NOW,
                            actor="test")
    token = ws.accounts.create_token("fuzz", name="fuzz", now=NOW, actor="test").token
    app = create_app(config, workspace=ws, clock=lambda: NOW)
    yield app, ws, token
    ws.import_jobs.wait_all(timeout=60)
    store.dispose()


def _openapi() -> dict:
    """The application's OpenAPI schema (it does not depend on the data: an app on an
    in-memory store that is never opened gives it at collection, cheaply)."""
    ws = Workspace(Store("duckdb:///:memory:"), Settings(scheduler=False, secret_key="x"))
    return create_app(ws.settings, workspace=ws).openapi()


# The events' body is a union of many event types: its coverage phase alone would be over a
# thousand requests; generated examples cover it within the time budget.
CONFIG = SchemathesisConfig.from_dict({"operations": [
    {"include-path": "/api/v1/events", "phases": {"coverage": {"enabled": False}}}]})
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)
for _path in LOCKOUT:
    schema = schema.exclude(path=_path, method=["DELETE", "PATCH", "PUT"])


def schema_valid_requests_pass_validation(ctx, response, case) -> None:
    """A request generated from the schema is not refused as not matching it."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    error = response.json().get("error") or {}
    if error.get("code") == "invalid":
        raise AssertionError(f"a request the schema allows was refused by request validation: "
                             f"{error}")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_schema(case, served):
    app, ws, token = served
    excluded = [positive_data_acceptance]
    if case.operation.label in BINARY_UPLOADS:
        # a file part is bytes: "a boolean instead of a string" is no invalid upload
        excluded.append(negative_data_rejection)
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=excluded,
                           additional_checks=[schema_valid_requests_pass_validation])
    ws.import_jobs.wait_all(timeout=60)  # an upload's import ends before the next request
