"""Fixtures of the API tests: the application on the test store, a clock the tests step, and
clients authenticated as users of a given role and organisations.

    def test_viewer_cannot_write(client_for):
        viewer = client_for("viewer", ["THEATRE"])          # Bearer token: no CSRF needed
        assert viewer.post("/api/v1/segments", json={...}).status_code == 403

    def test_a_form_from_the_browser(session_for):
        web = session_for("marketing", ["THEATRE"])          # logged in with the cookie
        web.post(url, json=..., headers={"X-CSRF-Token": web.csrf_token})

Every test runs on DuckDB and on PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from habitue.api.app import create_app
from habitue.domain.access import Principal, Role
from habitue.services.workspace import Workspace
from habitue.settings import Settings
from habitue.storage.store import Store

API = "/api/v1"
START = datetime(2026, 1, 15, 10, 0)
"""The clock's first reading: a weekday of the example venue's 2025/2026 seasons."""
PASSWORD = "correct horse battery"
"""The password of the users ``session_for`` creates."""


@dataclass
class Clock:
    """The application's clock (``app.state.clock``): ``clock()`` is ``clock.now``; step it
    with ``clock.advance(minutes=16)`` or set ``clock.now`` directly."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> Settings:
    return Settings(scheduler=False, secret_key="test-secret-key-not-for-production")


@pytest.fixture
def workspace(store: Store, settings: Settings) -> Workspace:
    """A workspace on the empty test store (DuckDB, then PostgreSQL)."""
    return Workspace(store, settings)


@pytest.fixture
def example_workspace(workspace: Workspace, example_dir: Path, clock: Clock) -> Workspace:
    """The workspace with the example venue imported (organisations ``THEATRE`` and
    ``OPERA`` of institution ``LYON``) as of the clock's start, real-time indicators
    refreshed."""
    workspace.import_path(example_dir, now=clock())
    return workspace


@pytest.fixture
def app(workspace: Workspace, settings: Settings, clock: Clock) -> FastAPI:
    """The application on ``workspace`` (use ``example_workspace`` in the test's arguments,
    before ``app``/``client_for``, to have the example venue in it)."""
    return create_app(settings, workspace=workspace, clock=clock)


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    """A client without credentials."""
    with TestClient(app) as client:
        yield client


_logins = itertools.count(1)


def _login_for(role: str, login: str | None) -> str:
    return login or f"{role}{next(_logins)}"


@pytest.fixture
def make_user(workspace: Workspace, clock: Clock):
    """``make_user(role, organisations=None, login=None, password=None) -> User``: an
    account created by the test (administrators without organisations see them all)."""

    def make(role: str | Role, organisations: Iterable[str] | None = None,
             login: str | None = None, password: str | None = None):
        return workspace.accounts.create_user(
            _login_for(str(Role(role)), login), role=role, organisations=organisations,
            password=password, now=clock(), actor="test")

    return make


@pytest.fixture
def client_for(app: FastAPI, make_user, workspace: Workspace,
               clock: Clock) -> Iterator[Callable[..., TestClient]]:
    """``client_for(role, organisations=None, login=None) -> TestClient``: a new user of that
    role and organisations, and a client sending its API token (``Authorization: Bearer``).
    ``client.principal`` is the ``Principal``, ``client.login`` its login, ``client.token``
    the token. A marketing or viewer user needs organisations (``["THEATRE"]``)."""
    clients: list[TestClient] = []

    def make(role: str | Role, organisations: Iterable[str] | None = None,
             login: str | None = None) -> TestClient:
        user = make_user(role, organisations, login)
        created = workspace.accounts.create_token(user.login, name="tests", now=clock(),
                                                  actor="test")
        client = TestClient(app, headers={"Authorization": f"Bearer {created.token}"})
        client.login, client.token = user.login, created.token
        client.principal = user.principal("token")
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def admin_client(client_for) -> TestClient:
    """An administrator of every organisation, through an API token."""
    return client_for("admin")


@pytest.fixture
def session_for(app: FastAPI, make_user) -> Iterator[Callable[..., TestClient]]:
    """``session_for(role, organisations=None, login=None) -> TestClient``: a new user
    logged in through ``POST /api/v1/auth/login`` (the session cookie, as a browser).
    Unsafe requests must send ``headers={"X-CSRF-Token": client.csrf_token}`` (or a form
    field ``csrf_token``); ``client.login`` and ``client.password`` are the credentials."""
    clients: list[TestClient] = []

    def make(role: str | Role, organisations: Iterable[str] | None = None,
             login: str | None = None) -> TestClient:
        user = make_user(role, organisations, login, password=PASSWORD)
        client = TestClient(app)
        clients.append(client)
        response = client.post(f"{API}/auth/login",
                               json={"login": user.login, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.login, client.password = user.login, PASSWORD
        client.csrf_token = response.json()["csrf_token"]
        client.principal = Principal(user.login, user.role, user.principal("session")
                                     .organisations, user.user_id, "session")
        return client

    yield make
    for client in clients:
        client.close()
