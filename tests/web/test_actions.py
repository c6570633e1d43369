"""What the pages change: imports with rejects, list exports, indicator switches, users and
API tokens. Each action is checked in the store (and in the audit log)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.web.conftest import AS_OF, NOW, csrf_of
from tests.web.test_pages import text_of

BAD_CONTACTS = ("contact_id,institution_id,first_name,last_name,email,birth_date\n"
                "W1,LYON,Wanda,Web,wanda@example.org,1990-04-01\n"
                "W2,LYON,Walter,Web,walter@example.org,not-a-date\n")


def test_upload_an_import_follow_it_and_download_its_rejects(make_client, web_ws):
    client = make_client("admin", lang="en")
    r = client.post("/imports", data={"csrf_token": csrf_of(client)},
                    files={"file": ("contacts.csv", BAD_CONTACTS.encode(), "text/csv")},
                    follow_redirects=False)
    assert r.status_code == 303
    run_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert web_ws.import_jobs.wait(run_id, timeout=120)
    page = client.get(f"/imports/{run_id}")
    assert 'data-status="partial"' in page.text and "every 1s" not in page.text
    assert "1 row rejected." in text_of(page.text)
    rejects = client.get(f"/imports/{run_id}/rejects")
    assert rejects.status_code == 200
    assert "attachment" in rejects.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(rejects.text)))
    assert rows[0] == ["file", "line", "column", "value", "reason"]
    assert len(rows) == 2 and rows[1][2] == "birth_date" and rows[1][3] == "not-a-date"
    assert web_ws.contacts.find(web_ws.accounts.get_user("admin").principal("session"),
                                "W1", "LYON")["email"] == "wanda@example.org"
    assert web_ws.audit.query(action="import.create").entries[0].actor == "admin"
    assert f"/imports/{run_id}" in client.get("/imports").text


def test_a_running_import_is_polled(make_client, web_ws):
    run_id = web_ws.import_jobs.recent(limit=1)[1][0]["run_id"]
    # a run recorded as running (what a page sees while the thread works)
    from habitue.importers.runner import start_run
    running = start_run(web_ws.store, "slow.csv", now=NOW)
    client = make_client("admin")
    html = client.get(f"/imports/{running}").text
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    fragment = client.get(f"/imports/{running}", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'data-status="running"' in fragment
    assert client.get(f"/imports/{running}/rejects").status_code == 409
    assert run_id != running
    assert 'data-testid="import-step"' not in html  # run by another process: no step known
    # run by this process: its reporter's latest step, in the page's language
    from habitue.services.import_jobs import _Progress
    progress = _Progress()
    progress.step("merging contacts.csv")
    web_ws.import_jobs._progress[running] = progress
    assert "Intégration de contacts.csv" in client.get(f"/imports/{running}").text


def test_an_unusable_upload_says_why(make_client):
    client = make_client("admin", lang="en")
    r = client.post("/imports", data={"csrf_token": csrf_of(client)},
                    files={"file": ("data.zip", b"not a zip", "application/zip")})
    assert r.status_code == 422 and "not a readable zip file" in r.text


@pytest.mark.parametrize("fmt, kind", [("csv", "text/csv"), ("xlsx", "spreadsheetml")])
def test_export_a_list(make_client, web_ws, fmt, kind):
    web_ws.create_segment("abonnes", {"rules": [{"indicator": "abonne", "level": "Oui"}]},
                          now=NOW, organisation="THEATRE", name="Abonnés")
    m = web_ws.freeze_list("abonnes", name="Abonnés janvier", as_of=AS_OF, now=NOW)
    assert make_client("victor").get(f"/lists/{m.list_id}/export").status_code == 403
    assert 'data-testid="export-list"' not in make_client("victor").get("/lists").text
    client = make_client("marie")  # marketing: exports, audited
    r = client.get(f"/lists/{m.list_id}/export?format={fmt}")
    assert r.status_code == 200 and kind in r.headers["content-type"]
    assert r.headers["x-habitue-members"] == str(m.member_count)
    if fmt == "csv":
        assert "C001" in r.text
    entry = web_ws.audit.query(action="list.export").entries[0]
    assert (entry.actor, entry.target, entry.organisation_id) == \
        ("marie", str(m.list_id), "THEATRE")


def test_switch_an_indicator_for_an_institution(make_client, web_ws):
    client = make_client("admin")
    html = client.get("/settings").text
    assert 'data-testid="toggle-LYON-jeune"' in html
    r = client.post("/settings/indicators", follow_redirects=False, data={
        "csrf_token": csrf_of(client), "institution": "LYON", "code": "jeune",
        "enabled": "false"})
    assert r.status_code == 303
    assert web_ws.indicator_settings()["LYON"]["jeune"] is False
    assert web_ws.indicator_settings()["ELSEWHERE"]["jeune"] is True
    card = client.get("/contacts/LYON/C001").text
    assert 'data-indicator="jeune"' not in card and 'data-indicator="abonne"' in card


def test_settings_shows_schedule_and_seasons(make_client):
    page = text_of(make_client("admin", lang="en").get("/settings").text)
    assert "Daily refresh 02:00" in page and "Weekly refresh Monday 03:00" in page
    assert "current" in page  # the season containing 2026-01-10


def test_create_a_user_then_a_token_shown_once_then_revoke_it(make_client, web_ws):
    client = make_client("admin", lang="en")
    r = client.post("/settings/users", follow_redirects=False, data={
        "csrf_token": csrf_of(client), "login": "nina", "name": "Nina", "email": "",
        "role": "viewer", "password": "a-long-password", "organisations": ["OPERA"]})
    assert r.status_code == 303
    nina = web_ws.accounts.get_user("nina")
    assert nina.role.value == "viewer" and nina.organisations == ("OPERA",)
    r = client.post("/settings/users/nina/tokens",
                    data={"csrf_token": csrf_of(client), "name": "box office"})
    token = re.search(r'id="new-token-value">([^<]+)<', r.text).group(1)
    assert token.startswith("hab_")
    assert web_ws.accounts.resolve_token(token, now=NOW).login == "nina"
    assert token not in client.get("/settings/users").text  # shown once only
    api = make_client()
    assert api.get("/api/v1/organisations",
                   headers={"Authorization": f"Bearer {token}"}).status_code == 200
    token_id = web_ws.accounts.list_tokens("nina")[0].token_id
    r = client.post(f"/settings/tokens/{token_id}/revoke",
                    data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert web_ws.accounts.resolve_token(token, now=NOW) is None


def test_a_bad_user_form_is_shown_again_with_the_reason(make_client):
    client = make_client("admin", lang="en")
    r = client.post("/settings/users", data={
        "csrf_token": csrf_of(client), "login": "bob", "role": "marketing",
        "password": "a-long-password"})
    assert r.status_code == 422
    assert "needs at least one organisation" in r.text and 'value="bob"' in r.text


def test_disable_a_user_ends_its_sessions(make_client, web_ws):
    victor = make_client("victor")
    admin = make_client("admin")
    r = admin.post("/settings/users/victor/active",
                   data={"csrf_token": csrf_of(admin), "active": "false"},
                   follow_redirects=False)
    assert r.status_code == 303 and web_ws.accounts.get_user("victor").active is False
    assert victor.get("/", follow_redirects=False).status_code == 303
