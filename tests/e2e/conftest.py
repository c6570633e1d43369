"""The live application and the browser of the browser tests (Debian's chromium driven by
Playwright), shared by every ``test_browser*.py``.

The application runs in the test's process: uvicorn in a thread, on a socket bound before the
test starts (so nothing waits for the server to come up), over a DuckDB copy of the web tests'
venue (``examples/venue`` and FESTIVAL, computed, with their users). Screenshots go to
``artifacts/screenshots/`` (``HABITUE_ARTIFACTS`` overrides ``artifacts``).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from habitue.api.app import create_app
from habitue.services.workspace import Workspace
from habitue.settings import Settings
from habitue.storage.store import Store
from tests.web.conftest import NOW, PASSWORD, _build

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-quic"]
TIMEOUT_MS = 20_000


def screenshots_dir() -> Path:
    root = Path(os.environ.get("HABITUE_ARTIFACTS",
                               Path(__file__).resolve().parents[2] / "artifacts"))
    path = root / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def shoot(page, name: str) -> None:
    path = screenshots_dir() / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def log_in(page, login: str = "admin") -> None:
    """Sign in through the login page (the browser starts on it)."""
    page.goto("/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="module")
def venue_copy(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser-web")
    store = Store(f"duckdb:///{tmp / 'venue.duckdb'}")
    _build(store, tmp)
    store.dispose()
    return tmp / "venue.duckdb"


@pytest.fixture
def ws(venue_copy: Path, tmp_path: Path) -> Iterator[Workspace]:
    path = tmp_path / "habitue.duckdb"
    shutil.copyfile(venue_copy, path)
    store = Store(f"duckdb:///{path}")
    workspace = Workspace(store, Settings(scheduler=False, data_dir=str(tmp_path / "data")))
    yield workspace
    workspace.import_jobs.wait_all(timeout=60)
    store.dispose()


@pytest.fixture
def base_url(ws: Workspace) -> Iterator[str]:
    """The application served on 127.0.0.1 (a free port), its clock fixed at ``NOW``."""
    import uvicorn

    app = create_app(ws.settings, workspace=ws, clock=lambda: NOW)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections wait in the backlog until the server accepts them
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def page(base_url: str):
    """A page of a fresh browser context (French, like a first visit), with the console
    errors it logs in ``page.errors``."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(base_url=base_url, accept_downloads=True,
                                      viewport={"width": 1366, "height": 900},
                                      locale="fr-FR")
        context.set_default_timeout(TIMEOUT_MS)
        pg = context.new_page()
        pg.errors = []
        pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
        yield pg
        context.close()
        browser.close()
