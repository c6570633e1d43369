"""Fixtures of the page tests: a store holding the example venue (institution LYON:
THEATRE and OPERA) and another institution (ELSEWHERE: FESTIVAL), computed; users of each
role; TestClients logged in through the login form."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from habitue.api.app import create_app
from habitue.services.workspace import Workspace
from habitue.settings import Settings
from habitue.storage import migrate
from habitue.storage.store import Store
from tests.conftest import PG_ADMIN_URL, _pg_url
from tests.factories.venue import Venue

NOW = datetime(2026, 1, 10, 12, 0)
AS_OF = date(2026, 1, 10)
PASSWORD = "correct-horse-battery"
USERS = {
    # login: (role, organisations)
    "admin": ("admin", None),
    "marie": ("marketing", ("THEATRE", "OPERA")),
    "victor": ("viewer", ("THEATRE",)),
    "felix": ("marketing", ("FESTIVAL",)),
}
SECRET_NAME = "zorrovitch"
"""In the email and city of FESTIVAL's contact: no user of LYON may ever read it."""


def other_institution() -> Venue:
    v = Venue("FESTIVAL", institution="ELSEWHERE", name="Festival d'ailleurs")
    v.seasons(2024, 2026)
    v.contact("X900", email=f"diego.{SECRET_NAME}@elsewhere.example", city=SECRET_NAME)
    v.product("FP1")
    v.performance("FPF1", at="2025-11-20 20:00", product="FP1")
    v.order("FO1", buyer="X900", at="2025-11-01 10:00", channel="B2B")
    v.line("FL1", order="FO1", performance="FPF1", amount="45.00")
    return v


def load_venue(ws: Workspace, example_dir: Path, tmp_path: Path) -> None:
    ws.import_path(example_dir, now=NOW)
    other_institution().load(ws.store, tmp_path, name="elsewhere")
    ws.compute(as_of=AS_OF, now=NOW)
    for login, (role, orgs) in USERS.items():
        ws.accounts.create_user(login, role=role, organisations=orgs, password=PASSWORD,
                                now=NOW, actor="test")


EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "venue"


def _build(store: Store, tmp: Path) -> None:
    migrate.upgrade(store)
    load_venue(Workspace(store, Settings(scheduler=False)), EXAMPLE_DIR, tmp)


@pytest.fixture(scope="session")
def _duckdb_template(tmp_path_factory) -> Path:
    """The loaded store, built once per session; each test gets a copy of the file."""
    tmp = tmp_path_factory.mktemp("web-template")
    path = tmp / "template.duckdb"
    store = Store(f"duckdb:///{path}")
    _build(store, tmp)
    store.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_template(tmp_path_factory) -> Iterator[str]:
    """The loaded store as a PostgreSQL template database; each test gets a database created
    from it (``CREATE DATABASE … TEMPLATE``)."""
    name = f"habitue_webtpl_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    store = Store(_pg_url(name))
    _build(store, tmp_path_factory.mktemp("web-pg-template"))
    store.dispose()
    yield name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_copies = itertools.count()


@pytest.fixture(params=["duckdb", "postgresql"])
def web_store(request, tmp_path: Path) -> Iterator[Store]:
    """A store holding the loaded venue (a fresh copy per test), on DuckDB then PostgreSQL."""
    if request.param == "duckdb":
        path = tmp_path / "habitue.duckdb"
        shutil.copyfile(request.getfixturevalue("_duckdb_template"), path)
        store = Store(f"duckdb:///{path}")
        yield store
        store.dispose()
        return
    template = request.getfixturevalue("_pg_template")
    name = f"{template.replace('webtpl', 'web')}_{next(_copies)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    store = Store(_pg_url(name))
    yield store
    store.dispose()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def web_ws(web_store: Store, tmp_path: Path) -> Iterator[Workspace]:
    """The workspace of the pages (uploads kept under the test's directory)."""
    ws = Workspace(web_store, Settings(scheduler=False, data_dir=str(tmp_path / "data")))
    yield ws
    ws.import_jobs.wait_all(timeout=60)


def log_in(client: TestClient, login: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"login": login, "password": password,
                                    "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The session's CSRF token, read from a page (``hx-headers`` of its body)."""
    html = client.get(path).text
    return re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', html).group(1)


@pytest.fixture
def make_client(web_ws: Workspace) -> Iterator[Callable[..., TestClient]]:
    """``make_client("marie", lang="en")``: a client logged in as that user (None: anonymous)."""
    app = create_app(web_ws.settings, workspace=web_ws, clock=lambda: NOW)
    clients: list[TestClient] = []

    def make(login: str | None = None, *, lang: str | None = None) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        if lang:
            client.cookies.set("habitue_lang", lang)
        return log_in(client, login) if login else client

    yield make
    for c in clients:
        c.close()
