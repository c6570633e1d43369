"""The segment builder in a real browser (Debian's chromium through Playwright): log in, build
a two-condition segment with the pickers, watch its count (and an error next to its rule),
preview it, save it, export it (a download), freeze it as a list. Screenshots go to ``artifacts/screenshots/`` (``HABITUE_ARTIFACTS``
overrides ``artifacts``).

The live server and the browser are this module's own fixtures (no shared e2e fixtures existed
when it was written): the application on a DuckDB copy of the web tests' venue, served by
uvicorn on a socket bound before the test starts, so nothing waits for it to come up.
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
from tests.web.conftest import NOW, PASSWORD, _build

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-quic"]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not "
                                                               "installed")


def artifacts_dir() -> Path:
    root = Path(os.environ.get("HABITUE_ARTIFACTS", Path(__file__).resolve().parents[2]
                               / "artifacts"))
    path = root / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def venue_file(tmp_path_factory) -> Path:
    """The web tests' venue (LYON: THEATRE, OPERA; ELSEWHERE: FESTIVAL; users), computed."""
    tmp = tmp_path_factory.mktemp("browser-venue")
    store = Store(f"duckdb:///{tmp / 'venue.duckdb'}")
    _build(store, tmp)
    store.dispose()
    return tmp / "venue.duckdb"


@pytest.fixture
def live_ws(venue_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    path = tmp_path / "habitue.duckdb"
    shutil.copyfile(venue_file, path)
    store = Store(f"duckdb:///{path}")
    yield Workspace(store, Settings(scheduler=False))
    store.dispose()


@pytest.fixture
def live_url(live_ws: Workspace) -> Iterator[str]:
    """The application served on 127.0.0.1 (a free port), its clock fixed at ``NOW``."""
    import uvicorn

    app = create_app(Settings(scheduler=False), workspace=live_ws, clock=lambda: NOW)
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
def page(live_url: str, tmp_path: Path):
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(base_url=live_url, accept_downloads=True,
                                      viewport={"width": 1360, "height": 1000})
        context.set_default_timeout(15_000)
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def log_in(page, login: str) -> None:
    page.goto("/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_build_count_save_export_and_freeze_a_segment(page, live_ws: Workspace,
                                                      tmp_path: Path):
    expect = playwright_api.expect
    shots = artifacts_dir()
    log_in(page, "marie")

    page.goto("/segments")
    page.get_by_test_id("new-segment").click()
    page.wait_for_url("**/segments/new*")
    page.select_option("[data-testid=segment-organisation]", "THEATRE")
    page.wait_for_selector("#builder-tree[data-organisation=THEATRE] select[name='n1.type']")

    # the first rule: the email consent (the pickers redraw the rule after each choice)
    page.select_option("select[name='n1.type']", "consent")
    page.wait_for_selector("select[name='n1.channel']")
    page.select_option("select[name='n1.channel']", "email")
    page.select_option("select[name='n1.state']", "opt_in")
    expect(page.get_by_test_id("segment-count")).to_have_text("3")  # C001, C002, S001

    # the second rule: individuals only
    page.get_by_test_id("add-condition-root").click()
    page.wait_for_selector("[data-node='n2'] select[name='n2.type']")
    page.select_option("select[name='n2.type']", "field")
    page.wait_for_selector("select[name='n2.field']")
    page.select_option("select[name='n2.field']", "kind")
    page.wait_for_selector("select[name='n2.value']")
    page.select_option("select[name='n2.value']", "INDIVIDUAL")
    expect(page.get_by_test_id("segment-count")).to_have_text("2")
    expect(page.get_by_test_id("segment-sentence")).to_have_text(
        "Accepte les e-mails, et Type de contact\u00a0: Particulier")
    expect(page.locator("#say-n2")).to_have_text("Type de contact\u00a0: Particulier")

    # a mistake is shown next to its rule, and the count waits for it to be fixed
    page.select_option("select[name='n2.field']", "age")
    page.wait_for_selector("input[name='n2.value']")
    page.fill("input[name='n2.value']", "")
    expect(page.locator("#err-n2")).to_have_text("il manque une valeur")
    expect(page.get_by_test_id("segment-count")).to_have_count(0)
    page.screenshot(path=str(shots / "segment-builder-error.png"), full_page=True)
    page.select_option("select[name='n2.field']", "kind")
    page.wait_for_selector("select[name='n2.value']")
    page.select_option("select[name='n2.value']", "INDIVIDUAL")
    expect(page.get_by_test_id("segment-count")).to_have_text("2")
    page.get_by_test_id("preview-segment").click()
    expect(page.get_by_test_id("segment-preview")).to_contain_text("Claire Martin")
    page.screenshot(path=str(shots / "segment-builder.png"), full_page=True)

    # save
    page.get_by_test_id("segment-name").fill("Particuliers avec e-mail")
    page.get_by_test_id("save-segment").click()
    page.wait_for_url("**/segments/particuliers-avec-e-mail?saved=1")
    expect(page.get_by_test_id("segment-saved")).to_be_visible()
    expect(page.get_by_test_id("segment-count")).to_have_text("2")
    saved = live_ws.show_segment("particuliers-avec-e-mail").segment
    assert saved.definition["rules"] == [
        {"id": "n1", "consent": "email"}, {"id": "n2", "field": "kind", "is": "INDIVIDUAL"}]
    page.screenshot(path=str(shots / "segment-saved.png"), full_page=True)

    # export: a CSV download of the two members
    with page.expect_download() as download:
        page.get_by_test_id("export-segment").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == "particuliers-avec-e-mail-2026-01-10.csv"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["contact_id"] for r in rows] == ["C001", "C002"]

    # freeze as a list
    page.get_by_test_id("list-name").fill("Relance janvier")
    page.get_by_test_id("freeze-segment").click()
    page.wait_for_url("**/lists*")
    (frozen,) = live_ws.list_marketing_lists()
    assert (frozen.name, frozen.member_count, frozen.segment_key) == \
        ("Relance janvier", 2, "particuliers-avec-e-mail")
    page.screenshot(path=str(shots / "segment-frozen-list.png"), full_page=True)

    page.goto("/segments?lang=en")
    expect(page.locator("tr[data-segment='particuliers-avec-e-mail']")).to_contain_text(
        "Opted in to email, and Contact kind: Individual")
    page.screenshot(path=str(shots / "segments-list.png"), full_page=True)
