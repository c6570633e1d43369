"""The skeleton of the web interface: login, navigation, languages, CSRF, error pages."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf_of

PAGES = ["/", "/contacts", "/lists", "/imports"]


def test_pages_require_a_login(make_client):
    client = make_client()
    for path in ["/", "/contacts", "/settings"]:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login")
    r = client.get("/contacts?q=martin", follow_redirects=False)
    assert r.headers["location"] == "/login?next=/contacts%3Fq%3Dmartin"


def test_htmx_request_without_session_is_told_where_to_go(make_client):
    r = make_client().get("/contacts", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 401
    assert r.headers["HX-Redirect"].startswith("/login")


def test_login_with_a_wrong_password_is_refused(make_client):
    client = make_client()
    page = client.get("/login")
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"login": "marie", "password": "nope-nope-nope",
                                    "csrf_token": token})
    assert r.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in r.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_token(make_client):
    client = make_client()
    client.get("/login")
    r = client.post("/login", data={"login": "marie", "password": "correct-horse-battery",
                                    "csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_redirects_to_next_but_never_off_site(make_client):
    client = make_client()
    import re
    for nxt, expected in [("/contacts?q=a", "/contacts?q=a"), ("https://evil.example/", "/"),
                          ("//evil.example", "/")]:
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get("/login").text).group(1)
        r = client.post("/login", data={"login": "marie", "password": "correct-horse-battery",
                                        "csrf_token": token, "next": nxt},
                        follow_redirects=False)
        assert r.headers["location"] == expected
        client.cookies.clear()


@pytest.mark.parametrize("lang, dashboard, contacts", [("fr", "Tableau de bord", "Contacts"),
                                                       ("en", "Dashboard", "Contacts")])
def test_navigation_in_both_languages(make_client, lang, dashboard, contacts):
    html = make_client("marie", lang=lang).get("/").text
    assert f'<html lang="{lang}">' in html
    assert f"<span>{dashboard}</span>" in html
    assert 'href="/settings"' not in html  # not an administrator


def test_language_switch_sets_a_cookie_and_returns(make_client):
    client = make_client("marie")
    html = client.get("/contacts?q=martin").text
    assert 'href="/lang/en?next=/contacts%3Fq%3Dmartin"' in html
    r = client.get("/lang/en?next=/contacts", follow_redirects=False)
    assert r.headers["location"] == "/contacts"
    assert client.get("/").text.count("<span>Dashboard</span>") == 1


def test_logout_needs_the_csrf_token_then_ends_the_session(make_client):
    client = make_client("marie")
    assert client.post("/logout", data={"csrf_token": "x"}).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200
    r = client.post("/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_unknown_page_is_an_html_404_and_the_api_keeps_json(make_client):
    client = make_client("marie")
    r = client.get("/nowhere")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_pages_send_a_content_security_policy(make_client):
    r = make_client("marie").get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "<script>" not in r.text  # no inline script: the policy would block it
