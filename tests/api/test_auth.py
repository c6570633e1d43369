"""Authentication and authorisation through the API: tokens, sessions and their cookie, CSRF,
the login rate limit, roles and organisation scopes, the accounts' endpoints and audit log."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from habitue.api.deps import PrincipalDep
from habitue.api.security import authenticate_form, csrf_token
from tests.api.conftest import API, PASSWORD

# -- a resource of each organisation, to try the scopes on (mounted by the fixture below) ----

probe = APIRouter()


@probe.get("/probe/{organisation}")
def read_probe(organisation: str, principal: PrincipalDep) -> dict:
    principal.require_read(organisation)
    return {"organisation": organisation, "login": principal.login}


@probe.post("/probe/{organisation}")
def write_probe(organisation: str, principal: PrincipalDep) -> dict:
    principal.require_write(organisation)
    return {"written": organisation}


@probe.post("/probe-form")
async def form_probe(request: Request) -> dict:
    principal = await authenticate_form(request)
    form = await request.form()
    return {"login": principal.login, "note": form.get("note")}


@probe.get("/probe-csrf")
def csrf_probe(request: Request) -> dict:
    return {"csrf_token": csrf_token(request)}


@pytest.fixture(autouse=True)
def _probe(app):
    app.include_router(probe, prefix=API)


def _code(response) -> str:
    return response.json()["error"]["code"]


# -- authentication -------------------------------------------------------------------------


def test_without_credentials_every_endpoint_is_401(anonymous):
    for method, path in (("GET", "/me"), ("GET", "/users"), ("POST", "/tokens"),
                         ("GET", "/tokens"), ("GET", "/audit"), ("GET", "/probe/THEATRE")):
        r = anonymous.request(method, f"{API}{path}", json={"name": "x"})
        assert r.status_code == 401, (method, path)
        assert _code(r) == "not_authenticated"
        assert set(r.json()["error"]) == {"code", "message", "field"}


def test_a_bad_bearer_token_is_401(anonymous):
    r = anonymous.get(f"{API}/me", headers={"Authorization": "Bearer hab_not-a-token"})
    assert r.status_code == 401 and _code(r) == "invalid_token"
    r = anonymous.get(f"{API}/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401 and _code(r) == "not_authenticated"


def test_a_token_authenticates_as_its_user(client_for):
    c = client_for("viewer", ["THEATRE"])
    body = c.get(f"{API}/me").json()
    assert body["via"] == "token" and body["csrf_token"] is None
    assert body["user"]["login"] == c.login and body["user"]["organisations"] == ["THEATRE"]


def test_cookie_login_sets_a_signed_httponly_lax_cookie(app, anonymous, make_user):
    make_user("marketing", ["OPERA"], login="marie", password=PASSWORD)
    r = anonymous.post(f"{API}/auth/login", json={"login": "marie", "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("habitue_session=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Max-Age=43200" in cookie
    assert PASSWORD not in cookie
    assert r.json()["user"]["login"] == "marie" and r.json()["csrf_token"]
    me = anonymous.get(f"{API}/me").json()
    assert me["via"] == "session" and me["csrf_token"] == r.json()["csrf_token"]


def test_a_wrong_password_is_401_and_a_tampered_cookie_is_ignored(anonymous, make_user):
    make_user("viewer", ["OPERA"], login="vic", password=PASSWORD)
    r = anonymous.post(f"{API}/auth/login", json={"login": "vic", "password": "nope-nope"})
    assert r.status_code == 401 and _code(r) == "invalid_credentials"
    r = anonymous.post(f"{API}/auth/login", json={"login": "vic", "password": PASSWORD})
    value = r.cookies["habitue_session"]
    anonymous.cookies.clear()
    anonymous.cookies.set("habitue_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert anonymous.get(f"{API}/me").status_code == 401


def test_the_session_expires_by_the_application_clock(session_for, clock):
    c = session_for("viewer", ["OPERA"])
    clock.advance(hours=11, minutes=59)
    assert c.get(f"{API}/me").status_code == 200
    clock.advance(minutes=1)
    assert c.get(f"{API}/me").status_code == 401


def test_logout_clears_the_cookie(session_for):
    c = session_for("viewer", ["OPERA"])
    r = c.post(f"{API}/auth/logout")
    assert r.status_code == 204 and 'habitue_session=""' in r.headers["set-cookie"]
    assert c.get(f"{API}/me").status_code == 401


def test_a_new_password_or_a_disabled_account_ends_its_sessions(session_for, admin_client):
    c = session_for("marketing", ["OPERA"])
    r = admin_client.patch(f"{API}/users/{c.login}", json={"password": "a-new-password"})
    assert r.status_code == 200, r.text
    assert c.get(f"{API}/me").status_code == 401
    d = session_for("marketing", ["OPERA"])
    admin_client.patch(f"{API}/users/{d.login}", json={"active": False})
    assert d.get(f"{API}/me").status_code == 401


def test_failed_logins_are_rate_limited_with_retry_after(anonymous, make_user, clock):
    make_user("viewer", ["OPERA"], login="rita", password=PASSWORD)
    for _ in range(5):
        r = anonymous.post(f"{API}/auth/login", json={"login": "rita", "password": "bad-guess"})
        assert r.status_code == 401
        clock.advance(minutes=1)
    r = anonymous.post(f"{API}/auth/login", json={"login": "rita", "password": PASSWORD})
    assert r.status_code == 429 and _code(r) == "too_many_attempts"
    assert r.headers["Retry-After"] == str(10 * 60)
    assert "try again after 10:15:00" in r.json()["error"]["message"]
    clock.advance(minutes=10)
    r = anonymous.post(f"{API}/auth/login", json={"login": "rita", "password": PASSWORD})
    assert r.status_code == 200


# -- CSRF -----------------------------------------------------------------------------------


def test_a_cookie_session_needs_the_csrf_token_for_unsafe_methods(session_for):
    c = session_for("marketing", ["OPERA"])
    assert c.get(f"{API}/tokens").status_code == 200  # safe: no token needed
    r = c.post(f"{API}/tokens", json={"name": "forged"})
    assert r.status_code == 403 and _code(r) == "csrf_failed"
    r = c.post(f"{API}/tokens", json={"name": "forged"}, headers={"X-CSRF-Token": "0" * 64})
    assert r.status_code == 403 and _code(r) == "csrf_failed"
    r = c.post(f"{API}/tokens", json={"name": "mine"}, headers={"X-CSRF-Token": c.csrf_token})
    assert r.status_code == 201, r.text
    token_id = r.json()["token_id"]
    assert c.delete(f"{API}/tokens/{token_id}").status_code == 403
    r = c.delete(f"{API}/tokens/{token_id}", headers={"X-CSRF-Token": c.csrf_token})
    assert r.status_code == 204


def test_the_csrf_token_is_bound_to_its_session(session_for):
    a = session_for("marketing", ["OPERA"])
    b = session_for("marketing", ["OPERA"])
    assert a.csrf_token != b.csrf_token
    r = b.post(f"{API}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": a.csrf_token})
    assert r.status_code == 403
    # a second login of the same user gets another session and token
    r = a.post(f"{API}/auth/login", json={"login": a.login, "password": a.password})
    assert r.json()["csrf_token"] != a.csrf_token
    assert a.get(f"{API}/probe-csrf").json()["csrf_token"] == r.json()["csrf_token"]


def test_an_html_form_may_send_the_csrf_token_as_a_field(session_for):
    c = session_for("marketing", ["OPERA"])
    r = c.post(f"{API}/probe-form", data={"note": "hello"})
    assert r.status_code == 403 and _code(r) == "csrf_failed"
    r = c.post(f"{API}/probe-form", data={"note": "hello", "csrf_token": c.csrf_token})
    assert r.status_code == 200 and r.json() == {"login": c.login, "note": "hello"}
    r = c.post(f"{API}/probe-form", files={"upload": ("a.csv", b"x")},
               data={"csrf_token": c.csrf_token, "note": "multipart"})
    assert r.status_code == 200 and r.json()["note"] == "multipart"


def test_a_bearer_token_needs_no_csrf_token(client_for, session_for):
    c = client_for("marketing", ["OPERA"])
    assert c.post(f"{API}/tokens", json={"name": "integration"}).status_code == 201
    assert c.post(f"{API}/probe/OPERA").status_code == 200
    assert c.post(f"{API}/probe-form", data={"note": "n"}).status_code == 200


# -- roles and organisations ----------------------------------------------------------------


def test_a_user_of_one_organisation_gets_403_on_another(client_for, session_for):
    for c in (client_for("viewer", ["THEATRE"]), session_for("marketing", ["THEATRE"])):
        assert c.get(f"{API}/probe/THEATRE").status_code == 200
        r = c.get(f"{API}/probe/OPERA")
        assert r.status_code == 403 and _code(r) == "forbidden"
    assert client_for("admin", ["THEATRE"]).get(f"{API}/probe/OPERA").status_code == 403
    assert client_for("admin").get(f"{API}/probe/OPERA").status_code == 200


def test_a_viewer_cannot_write(client_for, session_for):
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.post(f"{API}/probe/THEATRE")
    assert r.status_code == 403 and "may only read" in r.json()["error"]["message"]
    web = session_for("viewer", ["THEATRE"])
    assert web.post(f"{API}/probe/THEATRE",
                    headers={"X-CSRF-Token": web.csrf_token}).status_code == 403
    marketing = client_for("marketing", ["THEATRE"])
    assert marketing.post(f"{API}/probe/THEATRE").status_code == 200
    assert marketing.post(f"{API}/probe/OPERA").status_code == 403


def test_admin_endpoints_are_refused_to_non_admins(client_for, admin_client):
    admin_client.post(f"{API}/users", json={"login": "target", "role": "viewer",
                                            "organisations": ["THEATRE"]})
    for role in ("marketing", "viewer"):
        c = client_for(role, ["THEATRE"])
        for method, path, body in (
                ("GET", "/users", None), ("GET", "/users/target", None),
                ("POST", "/users", {"login": "x", "role": "viewer", "organisations": ["A"]}),
                ("PATCH", "/users/target", {"name": "y"}), ("GET", "/audit", None),
                ("GET", f"/tokens?login={admin_client.login}", None)):
            r = c.request(method, f"{API}{path}", json=body)
            assert r.status_code == 403, (role, method, path, r.text)
            assert _code(r) == "forbidden"


# -- users, tokens and the audit log through the API ----------------------------------------


def test_an_admin_creates_lists_and_updates_users(admin_client):
    r = admin_client.post(f"{API}/users", json={
        "login": "lea", "role": "marketing", "organisations": ["OPERA"], "name": "Léa",
        "email": "lea@example.org", "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["organisations"] == ["OPERA"] and "password" not in str(r.json())
    r = admin_client.post(f"{API}/users", json={"login": "lea", "role": "viewer",
                                                "organisations": ["OPERA"]})
    assert r.status_code == 409 and _code(r) == "login_taken"
    r = admin_client.post(f"{API}/users", json={"login": "zed", "role": "viewer"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "body.organisations"
    r = admin_client.post(f"{API}/users", json={"login": "zed", "role": "boss"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "body.role"
    r = admin_client.patch(f"{API}/users/lea", json={"role": "viewer",
                                                     "organisations": ["OPERA", "THEATRE"]})
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    assert r.json()["organisations"] == ["OPERA", "THEATRE"]
    assert admin_client.patch(f"{API}/users/nobody", json={"name": "x"}).status_code == 404
    logins = [u["login"] for u in admin_client.get(f"{API}/users").json()]
    assert "lea" in logins and admin_client.login in logins


def test_a_scoped_admin_manages_only_its_organisations(client_for):
    opera_admin = client_for("admin", ["OPERA"])
    ok = opera_admin.post(f"{API}/users", json={"login": "o1", "role": "viewer",
                                                "organisations": ["OPERA"]})
    assert ok.status_code == 201
    for body in ({"login": "t1", "role": "viewer", "organisations": ["THEATRE"]},
                 {"login": "g1", "role": "admin"}):
        assert opera_admin.post(f"{API}/users", json=body).status_code == 403
    theatre_user = client_for("viewer", ["THEATRE"])
    assert opera_admin.get(f"{API}/users/{theatre_user.login}").status_code == 403
    assert theatre_user.login not in [u["login"] for u in
                                      opera_admin.get(f"{API}/users").json()]


def test_a_token_is_shown_once_listed_without_it_and_revoked(client_for, anonymous):
    c = client_for("marketing", ["OPERA"])
    r = c.post(f"{API}/tokens", json={"name": "box office"})
    assert r.status_code == 201
    created = r.json()
    assert created["token"].startswith("hab_") and created["token"].startswith(created["prefix"])
    listed = c.get(f"{API}/tokens").json()
    assert [t["name"] for t in listed] == ["tests", "box office"]
    assert all("token" not in t for t in listed)
    assert created["token"] not in c.get(f"{API}/tokens").text
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert anonymous.get(f"{API}/me", headers=bearer).status_code == 200
    assert c.delete(f"{API}/tokens/{created['token_id']}").status_code == 204
    r = anonymous.get(f"{API}/me", headers=bearer)
    assert r.status_code == 401 and _code(r) == "invalid_token"
    assert c.get(f"{API}/tokens").json()[1]["revoked_at"] is not None


def test_one_cannot_revoke_someone_elses_token(client_for, admin_client):
    a = client_for("marketing", ["OPERA"])
    b = client_for("marketing", ["OPERA"])
    b_token = b.get(f"{API}/tokens").json()[0]["token_id"]
    r = a.delete(f"{API}/tokens/{b_token}")
    assert r.status_code == 404
    assert b.get(f"{API}/me").status_code == 200
    assert admin_client.delete(f"{API}/tokens/{b_token}").status_code == 204
    assert b.get(f"{API}/me").status_code == 401


def test_the_audit_log_records_who_did_what(admin_client, session_for, workspace, clock):
    web = session_for("marketing", ["OPERA"])
    workspace.audit.record(web.principal, "list.export", "12", "OPERA", {"rows": 40},
                           now=clock.advance(minutes=1))
    admin_client.post(f"{API}/users", json={"login": "newbie", "role": "viewer",
                                            "organisations": ["OPERA"]})
    page = admin_client.get(f"{API}/audit", params={"limit": 2}).json()
    assert page["total"] >= 3 and len(page["items"]) == 2
    newest = page["items"][0]
    assert (newest["actor"], newest["action"], newest["target"]) == \
        (admin_client.login, "user.create", "newbie")
    exports = admin_client.get(f"{API}/audit", params={"action": "list.export"}).json()
    assert [(e["actor"], e["target"], e["organisation_id"], e["detail"])
            for e in exports["items"]] == [(web.login, "12", "OPERA", {"rows": 40})]
    logins = admin_client.get(f"{API}/audit", params={"action": "auth.login"}).json()
    assert [e["actor"] for e in logins["items"]] == [web.login]


def test_changes_that_conflict_with_an_account_are_409(admin_client):
    admin_client.post(f"{API}/users", json={"login": "boss2", "role": "admin"})
    r = admin_client.patch(f"{API}/users/boss2", json={"role": "viewer"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "body.organisations"
    r = admin_client.patch(f"{API}/users/boss2", json={"role": "viewer",
                                                       "organisations": ["OPERA"]})
    assert r.status_code == 200 and r.json()["organisations"] == ["OPERA"]
    admin_client.patch(f"{API}/users/boss2", json={"active": False})
    r = admin_client.post(f"{API}/tokens", json={"name": "x", "login": "boss2"})
    assert r.status_code == 409 and _code(r) == "conflict"


def test_text_a_store_cannot_hold_is_refused_by_name(admin_client):
    r = admin_client.post(f"{API}/users", json={"login": "nul", "role": "admin",
                                                "name": "a\u0000b"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "body.name"
    assert admin_client.get(f"{API}/users/a%00b").status_code == 404
    assert admin_client.get(f"{API}/audit", params={"actor": "a\u0000"}).json()["total"] == 0


def test_a_user_changes_its_own_password(app, session_for, anonymous):
    c = session_for("viewer", ["OPERA"])
    elsewhere = TestClient(app)  # the same user in another browser
    elsewhere.post(f"{API}/auth/login", json={"login": c.login, "password": PASSWORD})
    assert elsewhere.get(f"{API}/me").status_code == 200
    r = c.post(f"{API}/me/password", json={"current_password": "wrong-one",
                                           "new_password": "brand-new-password"},
               headers={"X-CSRF-Token": c.csrf_token})
    assert r.status_code == 401 and r.json()["error"]["field"] == "body.current_password"
    r = c.post(f"{API}/me/password", json={"current_password": PASSWORD,
                                           "new_password": "brand-new-password"},
               headers={"X-CSRF-Token": c.csrf_token})
    assert r.status_code == 204
    assert c.get(f"{API}/me").status_code == 200  # the session making the change goes on
    assert elsewhere.get(f"{API}/me").status_code == 401  # the others end
    elsewhere.close()
    r = anonymous.post(f"{API}/auth/login", json={"login": c.login, "password": PASSWORD})
    assert r.status_code == 401
    r = anonymous.post(f"{API}/auth/login",
                       json={"login": c.login, "password": "brand-new-password"})
    assert r.status_code == 200
