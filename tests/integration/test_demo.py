"""``habitue demo``: a new user gets a venue with indicators and a login that works."""

from __future__ import annotations

import re
from datetime import datetime

from typer.testing import CliRunner

from habitue.cli.app import app
from habitue.services.workspace import Workspace
from habitue.storage.store import Store


def test_demo_prints_a_login_that_signs_in(tmp_path):
    out = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "demo"), "--contacts", "300",
                                   "--no-serve"])
    assert out.exit_code == 0, out.output
    found = re.search(r"sign in as (\S+) with the password (\S+)", " ".join(out.output.split()))
    assert found, out.output
    login, password = found.groups()
    ws = Workspace(Store(f"duckdb:///{tmp_path / 'demo' / 'habitue.duckdb'}"))
    try:
        user = ws.accounts.login(login, password, client="test", now=datetime(2026, 11, 23, 9))
        assert user.login == "demo" and user.role == "admin"
        assert ws.counts()["contacts"] >= 300
        assert any(r.level > 0 for r in ws.indicator_rows())
    finally:
        ws.close()
