"""The web interface in a real browser (Debian's chromium driven by Playwright): log in, read
the dashboard's charts, find a contact, open its card and read a pictogram's label (in French,
then in English), ask why, upload an import with a bad row, follow it and download its
rejects, export a list, visit the settings. A screenshot of each page goes to
``artifacts/screenshots/`` (``HABITUE_ARTIFACTS`` overrides ``artifacts``); the path is
printed. No page may log a console error (a script blocked by the Content-Security-Policy
would).

The live application and the browser are the fixtures of ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.conftest import shoot
from tests.web.conftest import AS_OF, NOW, PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")
BAD_IMPORT = ("contact_id,institution_id,first_name,last_name,email,birth_date\n"
              "B1,LYON,Bérénice,Browser,berenice@example.org,1991-02-03\n"
              "B2,LYON,Basile,Browser,basile@example.org,31/02/1990\n")


def log_in_from_home(page, login: str = "admin") -> None:
    page.goto("/")
    page.wait_for_url("**/login**")
    shoot(page, "login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Tableau de bord')")


def test_find_a_contact_and_read_its_pictograms(page):
    log_in_from_home(page)
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
    log_in_from_home(page)
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
    log_in_from_home(page)
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
