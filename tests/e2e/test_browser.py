"""The web interface in a real browser (Debian's chromium driven by Playwright): log in, read
the dashboard's charts, find a contact, open its card and read a pictogram's label (in French,
then in English), ask why, upload an import with a bad row, follow it and download its
rejects, export a list, visit the settings. A screenshot of each page goes to
``artifacts/screenshots/`` (``HABITUE_ARTIFACTS`` overrides ``artifacts``); the path is
printed. No page may log a console error (a script blocked by the Content-Security-Policy
would).

The application runs in this process: uvicorn in a thread, on a socket bound before the test
starts (so nothing waits for the server to come up), over a DuckDB copy of the web tests'
venue (``examples/venue`` and FESTIVAL, computed, with their users).
"""

from __future__ import annotations

import csv
import io
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
from tests.web.conftest import AS_OF, NOW, PASSWORD, _build

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-quic"]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed")
TIMEOUT_MS = 20_000
BAD_IMPORT = ("contact_id,institution_id,first_name,last_name,email,birth_date\n"
              "B1,LYON,Bérénice,Browser,berenice@example.org,1991-02-03\n"
              "B2,LYON,Basile,Browser,basile@example.org,31/02/1990\n")


def screenshots_dir() -> Path:
    root = Path(os.environ.get("HABITUE_ARTIFACTS",
                               Path(__file__).resolve().parents[2] / "artifacts"))
    path = root / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
def page(base_url: str, tmp_path: Path):
    """A page of a fresh browser context (French, like a first visit), with the console
    errors it logs in ``page.errors``."""
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


def shoot(page, name: str) -> None:
    path = screenshots_dir() / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def log_in(page, login: str = "admin") -> None:
    page.goto("/")
    page.wait_for_url("**/login**")
    shoot(page, "login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Tableau de bord')")


def test_find_a_contact_and_read_its_pictograms(page):
    log_in(page)
    page.wait_for_selector("#level-charts [data-chart] svg")  # ECharts drew the bars
    assert page.locator("#level-charts [data-chart]").count() == 12
    shoot(page, "dashboard")

    page.click("nav.mainnav a[data-nav=contacts]")
    page.fill("#q", "martin")  # HTMX searches as one types
    page.wait_for_url("**/contacts?q=martin")  # HTMX put the search in the address
    page.wait_for_selector("[data-testid=contact-results]:has-text('2 contacts trouvés')")
    assert page.locator("[data-testid=contact-link]").count() == 2
    shoot(page, "contacts")

    page.click("[data-testid=contact-link]:has-text('Claire Martin')")
    label = page.locator("[data-indicator=abonne] [data-testid=pictogram-label]")
    assert label.inner_text() == "Oui"
    assert page.locator("[data-indicator=pmg_n] [data-testid=pictogram-label]").inner_text() \
        == "Grand"
    page.wait_for_selector("[data-testid=timeline] li[data-kind=order]")  # loaded after
    page.click("[data-indicator=abonne] .pictogram-explain")
    page.wait_for_selector("[data-testid=explain]")
    assert "abonnement" in page.locator("[data-testid=explain]").inner_text()
    shoot(page, "contact-card")

    page.click(".langswitch a[hreflang=en]")
    page.wait_for_selector("h2:has-text('Summary')")
    assert label.inner_text() == "Yes"
    shoot(page, "contact-card-en")
    assert page.errors == []


def test_upload_an_import_with_a_bad_row_and_download_the_rejects(page, tmp_path):
    upload = tmp_path / "contacts.csv"
    upload.write_text(BAD_IMPORT, encoding="utf-8")
    log_in(page)
    page.click("nav.mainnav a[data-nav=imports]")
    shoot(page, "imports")
    page.set_input_files("[data-testid=import-form] input[type=file]", str(upload))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-run][data-status=partial]")  # polled
    assert "1 ligne rejetée." in page.locator("[data-testid=rejects-count]").inner_text()
    shoot(page, "import-run")
    with page.expect_download() as info:
        page.click("[data-testid=download-rejects]")
    download = info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["file", "line", "column", "value", "reason"]
    assert [r[2:4] for r in rows[1:]] == [["birth_date", "31/02/1990"]]
    assert download.suggested_filename.endswith("-rejects.csv")
    assert page.errors == []


def test_lists_and_settings_pages(page, ws):
    ws.create_segment("abonnes", {"rules": [{"indicator": "abonne", "level": "Oui"}]},
                      now=NOW, organisation="THEATRE", name="Abonnés")
    m = ws.freeze_list("abonnes", name="Abonnés de janvier", as_of=AS_OF, now=NOW)
    log_in(page)
    page.click("nav.mainnav a[data-nav=lists]")
    page.wait_for_selector(f"tr[data-list='{m.list_id}']")
    shoot(page, "lists")
    with page.expect_download() as info:
        page.click(f"tr[data-list='{m.list_id}'] [data-testid=export-list]")
    content = Path(info.value.path()).read_text(encoding="utf-8")
    assert "C001" in content

    page.click("nav.mainnav a[data-nav=settings]")
    page.wait_for_selector("[data-testid=indicator-settings]")
    shoot(page, "settings")
    page.click("[data-testid=toggle-LYON-jeune]")
    page.wait_for_selector("[data-testid=toggle-LYON-jeune][aria-pressed=false]")
    assert ws.indicator_settings()["LYON"]["jeune"] is False

    page.click("text=Utilisateurs et jetons")
    page.fill("[data-user=victor] input[name=name]", "billetterie")
    page.click("[data-testid=new-token-victor]")
    token = page.locator("#new-token-value").inner_text()
    assert token.startswith("hab_") and ws.accounts.resolve_token(token, now=NOW)
    shoot(page, "users")
    assert page.errors == []
