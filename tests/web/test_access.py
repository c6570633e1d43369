"""Who sees and does what on the pages: organisation scoping, viewers, administrators, CSRF."""

from __future__ import annotations

import pytest

from tests.web.conftest import AS_OF, NOW, SECRET_NAME, csrf_of
from tests.web.test_pages import text_of


@pytest.fixture
def theatre_list(web_ws):
    """A saved segment of THEATRE and a list frozen from it."""
    web_ws.create_segment("abonnes", {"rules": [{"indicator": "abonne", "level": "Oui"}]},
                          now=NOW, organisation="THEATRE", name="Abonnés")
    return web_ws.freeze_list("abonnes", name="Abonnés janvier", as_of=AS_OF, now=NOW)


def test_a_user_of_lyon_never_sees_festival(make_client):
    client = make_client("marie", lang="en")
    for path in ["/", "/contacts", f"/contacts?q={SECRET_NAME}", "/contacts?q=X900",
                 "/lists", "/imports"]:
        r = client.get(path)
        assert r.status_code == 200
        # what the page shows of the data (the query typed is echoed in the search field)
        shown = r.text.split('id="main"', 1)[1].replace(f'value="{SECRET_NAME}"', "")
        assert SECRET_NAME not in shown.lower() and "FESTIVAL" not in shown, path
    assert "0 contacts found" in text_of(client.get(f"/contacts?q={SECRET_NAME}").text)
    assert client.get("/contacts/ELSEWHERE/X900").status_code == 404
    assert client.get("/contacts/ELSEWHERE/X900/timeline",
                      headers={"HX-Request": "true"}).status_code == 404
    assert client.get("/contacts/ELSEWHERE/X900/explain/abonne?org=FESTIVAL").status_code == 404
    assert client.get("/?org=FESTIVAL").status_code == 403
    assert client.get("/contacts?org=FESTIVAL").status_code == 403


def test_festival_user_sees_only_festival(make_client):
    client = make_client("felix", lang="en")
    found = text_of(client.get(f"/contacts?q={SECRET_NAME}").text)
    assert "1 contact found" in found
    assert client.get("/contacts/ELSEWHERE/X900").status_code == 200
    assert client.get("/contacts/LYON/C001").status_code == 404
    dashboard = client.get("/").text
    assert "Théâtre" not in dashboard and "Opéra" not in dashboard


def test_a_viewer_of_theatre_sees_the_card_of_theatre_only(make_client):
    html = make_client("victor").get("/contacts/LYON/C001").text
    assert "?org=OPERA" not in html and "Opéra de Lyon" not in html
    assert 'data-indicator="abonne"' in html


def test_viewer_sees_no_write_buttons_and_gets_403_on_posts(make_client, theatre_list):
    client = make_client("victor", lang="en")
    lists = client.get("/lists").text
    assert "Abonnés janvier" in lists
    assert 'data-testid="delete-list"' not in lists and 'data-testid="export-list"' not in lists
    assert 'data-testid="import-form"' not in client.get("/imports").text
    assert 'href="/settings"' not in client.get("/").text
    token = csrf_of(client)
    r = client.post(f"/lists/{theatre_list.list_id}/delete", data={"csrf_token": token})
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    r = client.post("/imports", data={"csrf_token": token},
                    files={"file": ("contacts.csv", b"contact_id\nZ1\n", "text/csv")})
    assert r.status_code == 403
    assert client.get("/settings").status_code == 403
    r = client.post("/settings/indicators", data={"csrf_token": token, "institution": "LYON",
                                                  "code": "abonne", "enabled": "false"})
    assert r.status_code == 403
    assert client.get("/imports/1/rejects").status_code == 403


def test_marketing_of_some_organisations_may_not_import(make_client):
    # an import may change any organisation: only users of every organisation may start one
    client = make_client("marie")
    assert 'data-testid="import-form"' not in client.get("/imports").text
    r = client.post("/imports", data={"csrf_token": csrf_of(client)},
                    files={"file": ("contacts.csv", b"contact_id\nZ1\n", "text/csv")})
    assert r.status_code == 403


def test_forms_without_the_csrf_token_are_refused(make_client, theatre_list, web_ws):
    client = make_client("marie")
    r = client.post(f"/lists/{theatre_list.list_id}/delete")
    assert r.status_code == 403
    r = client.post(f"/lists/{theatre_list.list_id}/delete", data={"csrf_token": "0" * 64})
    assert r.status_code == 403
    assert len(web_ws.list_marketing_lists()) == 1
    r = client.post(f"/lists/{theatre_list.list_id}/delete",
                    headers={"X-CSRF-Token": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303 and web_ws.list_marketing_lists() == []


def test_lists_of_other_organisations_are_not_found(make_client, theatre_list):
    client = make_client("felix")
    assert "Abonnés janvier" not in client.get("/lists").text
    assert client.get(f"/lists/{theatre_list.list_id}/export").status_code == 404
    r = client.post(f"/lists/{theatre_list.list_id}/delete",
                    data={"csrf_token": csrf_of(client)})
    assert r.status_code == 404


def test_settings_is_for_administrators(make_client):
    assert make_client("marie").get("/settings").status_code == 403
    assert make_client("marie").get("/settings/users").status_code == 403
    assert make_client("admin").get("/settings").status_code == 200
