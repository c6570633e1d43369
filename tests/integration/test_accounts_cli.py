"""``habitue users`` end to end on both stores: the first administrator, tokens, disabling."""

from __future__ import annotations

import json
from datetime import datetime

from typer.testing import CliRunner

from habitue.cli.app import app
from habitue.services.workspace import Workspace

runner = CliRunner()
PASSWORD = "first-admin-password"


def habitue(store, *args: str, input: str | None = None):
    url = store.url.replace("postgresql+psycopg://", "postgresql://")
    return runner.invoke(app, ["--database-url", url, "users", *args], input=input)


def test_the_first_administrator_logs_in_with_the_prompted_password(store):
    store.dispose()
    r = habitue(store, "create", "admin", "--role", "admin", "--name", "Ada",
                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert "user admin created: admin of every organisation" in r.output
    ws = Workspace(store)
    user = ws.accounts.login("admin", PASSWORD, client="cli-test", now=datetime(2026, 1, 1))
    assert user.name == "Ada" and user.organisations is None
    assert ws.audit.query(action="user.create").entries[0].actor.startswith("cli:")


def test_users_with_organisations_tokens_and_disabling(store):
    store.dispose()
    r = habitue(store, "create", "claire", "--role", "marketing", "--organisation", "THEATRE",
                "--organisation", "OPERA", "--email", "c@example.org", "--password-stdin",
                input=f"{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    r = habitue(store, "create", "vic", "--role", "viewer", "--no-password")
    assert r.exit_code == 1 and "needs at least one organisation" in r.output
    r = habitue(store, "create", "claire", "--role", "viewer", "--organisation", "A",
                "--no-password")
    assert r.exit_code == 1 and "taken" in r.output
    r = habitue(store, "create", "x", "--role", "boss", "--no-password")
    assert r.exit_code == 2

    r = habitue(store, "list", "--format", "jsonl")
    (row,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert (row["login"], row["role"], row["organisations"], row["active"]) == \
        ("claire", "marketing", "THEATRE OPERA", True)

    r = habitue(store, "token", "claire", "--name", "ticketing")
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("hab_")
    ws = Workspace(store)
    assert ws.accounts.resolve_token(token, now=datetime(2026, 1, 1)).login == "claire"

    assert habitue(store, "disable", "claire").exit_code == 0
    assert ws.accounts.resolve_token(token, now=datetime(2026, 1, 1)) is None
    assert habitue(store, "disable", "nobody").exit_code == 1


def test_a_password_is_set_from_standard_input(store):
    store.dispose()
    habitue(store, "create", "dan", "--role", "viewer", "--organisation", "A",
            "--password-stdin", input=f"{PASSWORD}\n")
    r = habitue(store, "password", "dan", "--password-stdin", input="a-brand-new-one\n")
    assert r.exit_code == 0, r.output
    assert Workspace(store).accounts.login("dan", "a-brand-new-one", client="c",
                                           now=datetime(2026, 1, 1)).login == "dan"
    r = habitue(store, "password", "dan", "--password-stdin", input="short\n")
    assert r.exit_code == 1 and "at least 8 characters" in r.output
