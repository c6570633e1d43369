"""The audit log page: administrators read who did what, filtered; nobody else."""

from __future__ import annotations

from datetime import timedelta

from tests.web.conftest import NOW


def test_an_administrator_reads_the_audit_log_filtered(make_client, web_ws):
    web_ws.audit.record("marie", "list.export", "7", "THEATRE", {"rows": 12}, now=NOW)
    web_ws.audit.record("marie", "segment.update", "fans", "OPERA", None,
                        now=NOW + timedelta(minutes=1))
    web_ws.audit.record("felix", "list.export", "9", "FESTIVAL", None,
                        now=NOW + timedelta(minutes=2))
    admin = make_client("admin", lang="en")
    html = admin.get("/settings/audit").text
    assert 'data-action="list.export"' in html and 'data-action="segment.update"' in html
    assert html.index(">9<") < html.index(">fans<") < html.index(">7<")  # newest first
    assert "rows: 12" in html
    only = admin.get("/settings/audit", params={"actor": "marie", "action": "list.export"}).text
    assert ">7<" in only and ">9<" not in only and ">fans<" not in only
    assert "1 entry" in only
    french = make_client("admin").get("/settings/audit").text
    assert "Journal d'audit" in french or "Journal d&#39;audit" in french


def test_only_administrators_read_the_audit_log(make_client):
    assert make_client("marie").get("/settings/audit").status_code == 403
    assert make_client("victor").get("/settings/audit").status_code == 403
