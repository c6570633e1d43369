"""Accounts on both stores: password hashing, the login rate limit (stepped clock), API tokens
stored hashed, sessions' secret, the audit log."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from habitue.domain.access import AccessDenied, Principal, Role
from habitue.services.accounts import AccountError
from habitue.services.workspace import Workspace
from habitue.settings import Settings
from habitue.storage.account_schema import api_tokens, app_secrets, users

T0 = datetime(2026, 1, 15, 10, 0)
PASSWORD = "s3cret-password"


@pytest.fixture
def ws(store) -> Workspace:
    return Workspace(store, Settings(login_max_failures=3, login_max_failures_per_address=5,
                                     login_window=900))


def _rows(store, table) -> list[dict]:
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


def _login_fails(ws, login, password, *, client="10.0.0.1", now=T0) -> str:
    with pytest.raises(AccountError) as exc:
        ws.accounts.login(login, password, client=client, now=now)
    return exc.value.code


# -- users and passwords --------------------------------------------------------------------


def test_the_password_is_stored_as_an_argon2id_hash_only(ws, store):
    ws.accounts.create_user("alice", role="marketing", organisations=["THEATRE"],
                            password=PASSWORD, now=T0, actor="cli")
    (row,) = _rows(store, users)
    assert row["password_hash"].startswith("$argon2id$")
    assert not any(PASSWORD in str(v) for v in row.values())
    user = ws.accounts.login("alice", PASSWORD, client="10.0.0.1", now=T0)
    assert user.login == "alice" and user.role is Role.MARKETING
    assert _login_fails(ws, "alice", PASSWORD + "x") == "invalid_credentials"
    assert ws.accounts.get_user("alice").last_login_at == T0


def test_a_changed_password_replaces_the_old_one_and_ends_sessions(ws):
    u = ws.accounts.create_user("bob", role="viewer", organisations=["OPERA"],
                                password=PASSWORD, now=T0, actor="cli")
    version = ws.accounts.session_version(u.user_id)
    assert ws.accounts.session_principal(u.user_id, version).login == "bob"
    ws.accounts.update_user("bob", password="another-password", now=T0, actor="cli")
    assert _login_fails(ws, "bob", PASSWORD) == "invalid_credentials"
    assert ws.accounts.login("bob", "another-password", client="c", now=T0).login == "bob"
    assert ws.accounts.session_principal(u.user_id, version) is None


def test_users_need_a_valid_login_a_long_password_and_organisations(ws):
    def code_of(**kw):
        with pytest.raises(AccountError) as exc:
            ws.accounts.create_user(**{"login": "carol", "role": "viewer",
                                       "organisations": ["A"], "now": T0, "actor": "cli", **kw})
        return exc.value.code, exc.value.field

    assert code_of(login="no spaces") == ("invalid", "login")
    assert code_of(password="short") == ("invalid", "password")
    assert code_of(organisations=None) == ("invalid", "organisations")
    assert code_of(role="boss") == ("invalid", "role")
    ws.accounts.create_user("carol", role="viewer", organisations=["A"], now=T0, actor="cli")
    assert code_of() == ("login_taken", "login")


def test_only_an_administrator_without_organisations_sees_them_all(ws):
    admin = ws.accounts.create_user("root", role="admin", now=T0, actor="cli")
    scoped = ws.accounts.create_user("opera-admin", role="admin", organisations=["OPERA"],
                                     now=T0, actor="cli")
    viewer = ws.accounts.create_user("v", role="viewer", organisations=["OPERA"], now=T0,
                                     actor="cli")
    assert admin.principal("token").sees("ANY")
    assert scoped.principal("token").sees("OPERA") and not scoped.principal("token").sees("X")
    assert not viewer.principal("token").can_write("OPERA")


def test_a_scoped_administrator_manages_only_accounts_of_its_organisations(ws):
    ws.accounts.create_user("root", role="admin", now=T0, actor="cli")
    scoped = ws.accounts.create_user("oa", role="admin", organisations=["OPERA"], now=T0,
                                     actor="cli").principal("session")
    ws.accounts.create_user("m", role="marketing", organisations=["OPERA"], now=T0,
                            actor=scoped)
    with pytest.raises(AccessDenied):
        ws.accounts.create_user("t", role="viewer", organisations=["THEATRE"], now=T0,
                                actor=scoped)
    with pytest.raises(AccessDenied):
        ws.accounts.update_user("root", active=False, now=T0, actor=scoped)
    with pytest.raises(AccessDenied):  # may not widen an account beyond its own scope
        ws.accounts.update_user("m", organisations=["OPERA", "THEATRE"], now=T0, actor=scoped)
    assert [u.login for u in ws.accounts.list_users(viewer=scoped)] == ["m", "oa"]


def test_the_last_global_administrator_cannot_be_disabled_or_demoted(ws):
    ws.accounts.create_user("root", role="admin", now=T0, actor="cli")
    for change in ({"active": False}, {"role": "viewer", "organisations": ["A"]},
                   {"organisations": ["A"]}):
        with pytest.raises(AccountError) as exc:
            ws.accounts.update_user("root", now=T0, actor="cli", **change)
        assert exc.value.code == "last_admin"
    ws.accounts.create_user("root2", role="admin", now=T0, actor="cli")
    assert ws.accounts.disable_user("root", now=T0, actor="cli").active is False


def test_a_disabled_user_cannot_log_in(ws):
    ws.accounts.create_user("root", role="admin", now=T0, actor="cli")
    ws.accounts.create_user("dan", role="viewer", organisations=["A"], password=PASSWORD,
                            now=T0, actor="cli")
    ws.accounts.disable_user("dan", now=T0, actor="cli")
    assert _login_fails(ws, "dan", PASSWORD) == "invalid_credentials"


# -- the login rate limit -------------------------------------------------------------------


def test_failed_logins_lock_the_login_until_the_window_passes(ws):
    ws.accounts.create_user("eve", role="viewer", organisations=["A"], password=PASSWORD,
                            now=T0, actor="cli")
    times = [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    for at in times:  # 3 failures (the limit of this workspace)
        assert _login_fails(ws, "eve", "wrong-password", now=at) == "invalid_credentials"
    later = T0 + timedelta(minutes=5)
    with pytest.raises(AccountError) as exc:  # refused even with the right password
        ws.accounts.login("eve", PASSWORD, client="10.0.0.2", now=later)
    assert exc.value.code == "too_many_attempts"
    assert exc.value.retry_at == T0 + timedelta(minutes=15)
    assert "eve" in exc.value.message and "try again after 10:15:00" in exc.value.message
    # one second before the first failure leaves the window: still refused
    assert _login_fails(ws, "eve", PASSWORD,
                        now=T0 + timedelta(minutes=15, seconds=-1)) == "too_many_attempts"
    # refused attempts did not count: at 10:15 one failure left the window
    ok = ws.accounts.login("eve", PASSWORD, client="10.0.0.2", now=T0 + timedelta(minutes=15))
    assert ok.login == "eve"


def test_a_successful_login_starts_the_count_again(ws):
    ws.accounts.create_user("fay", role="viewer", organisations=["A"], password=PASSWORD,
                            now=T0, actor="cli")
    for i in range(2):
        _login_fails(ws, "fay", "wrong-password", now=T0 + timedelta(seconds=i))
    ws.accounts.login("fay", PASSWORD, client="c", now=T0 + timedelta(seconds=10))
    for i in range(2):
        _login_fails(ws, "fay", "wrong-password", now=T0 + timedelta(seconds=20 + i))
    assert ws.accounts.login("fay", PASSWORD, client="c", now=T0 + timedelta(seconds=30))


def test_failures_from_one_address_lock_that_address(ws):
    ws.accounts.create_user("gil", role="viewer", organisations=["A"], password=PASSWORD,
                            now=T0, actor="cli")
    for i in range(5):  # unknown logins from one address (the per-address limit is 5)
        _login_fails(ws, f"nobody{i}", "guess-guess", client="6.6.6.6",
                     now=T0 + timedelta(seconds=i))
    assert _login_fails(ws, "gil", PASSWORD, client="6.6.6.6",
                        now=T0 + timedelta(minutes=1)) == "too_many_attempts"
    # the user, from elsewhere, is not locked out
    assert ws.accounts.login("gil", PASSWORD, client="10.1.1.1", now=T0 + timedelta(minutes=1))


# -- API tokens -----------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_hashed(ws, store):
    ws.accounts.create_user("svc", role="marketing", organisations=["THEATRE"], now=T0,
                            actor="cli")
    created = ws.accounts.create_token("svc", name="ticketing", now=T0, actor="cli")
    assert created.token.startswith("hab_") and len(created.token) > 40
    (row,) = _rows(store, api_tokens)
    assert row["token_hash"] == hashlib.sha256(created.token.encode()).hexdigest()
    assert not any(created.token in str(v) for v in row.values())
    assert created.token.startswith(row["prefix"]) and len(row["prefix"]) == 12
    listed = ws.accounts.list_tokens("svc")
    assert [(t.name, t.prefix) for t in listed] == [("ticketing", row["prefix"])]
    assert not hasattr(listed[0], "token")

    principal = ws.accounts.resolve_token(created.token, now=T0 + timedelta(hours=1))
    assert principal == Principal("svc", Role.MARKETING, frozenset({"THEATRE"}),
                                  principal.user_id, "token")
    assert ws.accounts.list_tokens("svc")[0].last_used_at == T0 + timedelta(hours=1)
    assert ws.accounts.resolve_token(created.token[:-1] + "x", now=T0) is None
    assert ws.accounts.resolve_token("Bearer-ish", now=T0) is None


def test_last_used_is_written_at_most_once_a_minute(ws):
    ws.accounts.create_user("svc", role="viewer", organisations=["A"], now=T0, actor="cli")
    token = ws.accounts.create_token("svc", name="bi", now=T0, actor="cli").token
    for seconds in (0, 30, 59):
        ws.accounts.resolve_token(token, now=T0 + timedelta(seconds=seconds))
    assert ws.accounts.list_tokens("svc")[0].last_used_at == T0
    ws.accounts.resolve_token(token, now=T0 + timedelta(seconds=61))
    assert ws.accounts.list_tokens("svc")[0].last_used_at == T0 + timedelta(seconds=61)


def test_a_revoked_token_or_a_disabled_user_is_refused(ws):
    ws.accounts.create_user("root", role="admin", now=T0, actor="cli")
    ws.accounts.create_user("svc", role="viewer", organisations=["A"], now=T0, actor="cli")
    one = ws.accounts.create_token("svc", name="one", now=T0, actor="cli")
    two = ws.accounts.create_token("svc", name="two", now=T0, actor="cli")
    revoked = ws.accounts.revoke_token(one.record.token_id, now=T0, actor="cli")
    assert revoked.revoked_at == T0
    assert ws.accounts.resolve_token(one.token, now=T0) is None
    assert ws.accounts.resolve_token(two.token, now=T0) is not None
    ws.accounts.disable_user("svc", now=T0, actor="cli")
    assert ws.accounts.resolve_token(two.token, now=T0) is None


def test_only_the_owner_or_its_administrator_revokes_a_token(ws):
    ws.accounts.create_user("root", role="admin", now=T0, actor="cli")
    owner = ws.accounts.create_user("o", role="viewer", organisations=["A"], now=T0,
                                    actor="cli")
    other = ws.accounts.create_user("p", role="marketing", organisations=["A"], now=T0,
                                    actor="cli")
    token = ws.accounts.create_token("o", name="t", now=T0, actor="cli").record
    with pytest.raises(AccountError) as exc:
        ws.accounts.revoke_token(token.token_id, now=T0, actor=other.principal("token"))
    assert exc.value.code == "not_found"
    ws.accounts.revoke_token(token.token_id, now=T0, actor=owner.principal("token"))


# -- the sessions' secret -------------------------------------------------------------------


def test_the_session_secret_is_generated_once_and_shared(store):
    first = Workspace(store, Settings()).accounts.session_secret(now=T0)
    second = Workspace(store, Settings()).accounts.session_secret(now=T0)
    assert first == second and len(first) >= 32
    assert len(_rows(store, app_secrets)) == 1
    assert Workspace(store, Settings(secret_key="given")).accounts.session_secret(now=T0) \
        == "given"


# -- the audit log --------------------------------------------------------------------------


def test_account_changes_and_logins_are_audited(ws):
    ws.accounts.create_user("root", role="admin", password=PASSWORD, now=T0, actor="cli:ops")
    ws.accounts.login("root", PASSWORD, client="10.0.0.9", now=T0 + timedelta(minutes=1))
    root = ws.accounts.get_user("root").principal("session")
    later = T0 + timedelta(minutes=2)
    ws.accounts.create_user("h", role="viewer", organisations=["A"], now=later, actor=root)
    ws.accounts.update_user("h", role="marketing", now=later, actor=root)
    token = ws.accounts.create_token("h", name="crm", now=later, actor=root)
    ws.accounts.revoke_token(token.record.token_id, now=later, actor=root)
    entries = ws.audit.query().entries
    assert [(e.actor, e.action, e.target) for e in reversed(entries)] == [
        ("cli:ops", "user.create", "root"), ("root", "auth.login", "root"),
        ("root", "user.create", "h"), ("root", "user.update", "h"),
        ("root", "token.create", "h"), ("root", "token.revoke", "h")]
    update = next(e for e in entries if e.action == "user.update")
    assert update.detail == {"role": "marketing"}
    assert not any(PASSWORD in str(e.detail) for e in entries)


def test_the_audit_log_is_filtered_paginated_and_scoped(ws):
    for i in range(7):
        ws.audit.record("ann" if i % 2 else "ben", "list.export", str(i),
                        "OPERA" if i < 5 else "THEATRE", {"rows": i},
                        now=T0 + timedelta(minutes=i))
    page = ws.audit.query(limit=3)
    assert page.total == 7 and [e.target for e in page.entries] == ["6", "5", "4"]
    assert [e.target for e in ws.audit.query(limit=3, offset=6).entries] == ["0"]
    assert [e.target for e in ws.audit.query(actor="ann").entries] == ["5", "3", "1"]
    assert ws.audit.query(organisation="THEATRE").total == 2
    since = ws.audit.query(since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4))
    assert [e.target for e in since.entries] == ["3", "2"]
    assert ws.audit.query(action="segment.update").total == 0
    assert ws.audit.query(target="3").entries[0].detail == {"rows": 3}
    opera = Principal("oa", Role.ADMIN, frozenset({"OPERA"}))
    assert ws.audit.query(viewer=opera).total == 5
    ws.audit.record("root", "user.create", "x", None, None, now=T0)
    assert ws.audit.query(viewer=opera).total == 5
    assert ws.audit.query(viewer=Principal("r", Role.ADMIN, None)).total == 8
