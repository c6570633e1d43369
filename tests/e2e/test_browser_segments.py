"""The segment builder in a real browser (Debian's chromium through Playwright): log in, build
a two-condition segment with the pickers, watch its count (and an error next to its rule),
preview it, save it, export it (a download), freeze it as a list. Screenshots go to ``artifacts/screenshots/`` (``HABITUE_ARTIFACTS``
overrides ``artifacts``).

The live application and the browser are the fixtures of ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from habitue.services.workspace import Workspace
from tests.e2e.conftest import log_in, screenshots_dir

playwright_api = pytest.importorskip("playwright.sync_api")


def test_build_count_save_export_and_freeze_a_segment(page, ws: Workspace,
                                                      tmp_path: Path):
    expect = playwright_api.expect
    shots = screenshots_dir()
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
    saved = ws.show_segment("particuliers-avec-e-mail").segment
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
    (frozen,) = ws.list_marketing_lists()
    assert (frozen.name, frozen.member_count, frozen.segment_key) == \
        ("Relance janvier", 2, "particuliers-avec-e-mail")
    page.screenshot(path=str(shots / "segment-frozen-list.png"), full_page=True)

    page.goto("/segments?lang=en")
    expect(page.locator("tr[data-segment='particuliers-avec-e-mail']")).to_contain_text(
        "Opted in to email, and Contact kind: Individual")
    page.screenshot(path=str(shots / "segments-list.png"), full_page=True)
