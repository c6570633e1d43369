"""The command line, end to end on both stores: exit codes, summaries, indicator output."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from habitue.cli.app import app
from tests.factories.files import minimal_venue, write_csv

runner = CliRunner()


def _url(store) -> str:
    return store.url.replace("postgresql+psycopg://", "postgresql://")


def habitue(store, *args: str):
    return runner.invoke(app, ["--database-url", _url(store), *args])


def test_import_exit_codes(store, tmp_path: Path):
    store.dispose()
    ok = minimal_venue(tmp_path / "ok")
    result = habitue(store, "import", str(ok), "--rejects", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    assert "every row was imported" in result.output

    partial = tmp_path / "partial"
    write_csv(partial, "orders", ["ORG,O2,C1,,2025-09-11 10:00,INTERNET",
                                  "ORG,O3,C1,,not a date,INTERNET"])
    result = habitue(store, "import", str(partial / "orders.csv"),
                     "--rejects", str(tmp_path / "partial-rejects.csv"))
    assert result.exit_code == 2, result.output
    rejects = (tmp_path / "partial-rejects.csv").read_text(encoding="utf-8")
    assert "orders.csv,3,created_at,not a date" in rejects

    broken = tmp_path / "broken"
    write_csv(broken, "orders", ["ORG,O4,C1,2025-09-11"],
              header="organisation_id,order_id,buyer_contact_id,created_at")
    result = habitue(store, "import", str(broken / "orders.csv"))
    assert result.exit_code == 1
    assert "channel" in result.output and "nothing was changed" in result.output


def test_import_json_summary(store, tmp_path: Path):
    store.dispose()
    venue = minimal_venue(tmp_path / "v")
    result = habitue(store, "import", str(venue), "--output", "json")
    summary = json.loads(result.output)
    lines = next(f for f in summary["files"] if f["entity"] == "order_lines")
    assert (lines["read"], lines["inserted"], lines["rejected"]) == (2, 2, 0)


def test_compute_then_indicators_jsonl(store, tmp_path: Path):
    store.dispose()
    habitue(store, "import", str(minimal_venue(tmp_path / "v")))
    result = habitue(store, "compute", "--as-of", "2025-12-01")
    assert result.exit_code == 0, result.output
    result = habitue(store, "indicators", "--contact", "C1", "--format", "jsonl",
                     "--lang", "en")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    by_code = {r["indicator"]: r for r in records}
    assert len(records) == 12
    assert set(records[0]) == {"organisation_id", "contact_id", "indicator", "value", "level",
                               "label"}
    # C1 holds one paid seat at PF1 and bought C2's: one performance this season
    assert by_code["assiduite"] | {} == {
        "organisation_id": "ORG", "contact_id": "C1", "indicator": "assiduite",
        "value": 1, "level": 1, "label": "Occasional"}
    assert by_code["pmg_n"]["value"] == "45.00"
    assert by_code["recence"]["value"] == "2025-10-03"
    assert by_code["jeune"]["value"] is False


def test_bad_as_of_is_a_usage_error(store):
    store.dispose()
    result = habitue(store, "compute", "--as-of", "01/12/2025")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_commands_need_an_initialised_store(tmp_path: Path):
    result = runner.invoke(app, ["--database-url", f"duckdb:///{tmp_path / 'new.duckdb'}",
                                 "indicators"])
    assert result.exit_code == 1
    assert "habitue init" in result.output


def test_disable_hides_an_indicator_and_enable_brings_it_back(store, tmp_path: Path):
    store.dispose()
    habitue(store, "import", str(minimal_venue(tmp_path / "v")))
    habitue(store, "compute", "--as-of", "2025-12-01")
    result = habitue(store, "indicators", "disable", "pmg_n", "--institution", "INST")
    assert result.exit_code == 0, result.output
    out = habitue(store, "indicators", "--contact", "C1", "--format", "jsonl").output
    codes = [json.loads(line)["indicator"] for line in out.splitlines()]
    assert "pmg_n" not in codes and len(codes) == 11
    # a disabled indicator is not computed either
    habitue(store, "compute", "--as-of", "2025-12-02")
    with store.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT pmg_n, pmg_n_level FROM contact_indicators WHERE contact_id = 'C1'").all()
    assert stored == [(None, None)]
    habitue(store, "indicators", "enable", "pmg_n")
    habitue(store, "compute", "--as-of", "2025-12-02")
    out = habitue(store, "indicators", "--contact", "C1", "--format", "jsonl").output
    pmg_n = [json.loads(line) for line in out.splitlines()
             if json.loads(line)["indicator"] == "pmg_n"]
    assert pmg_n[0]["value"] == "45.00"


def test_unknown_indicator_or_institution_is_refused(store, tmp_path: Path):
    store.dispose()
    habitue(store, "import", str(minimal_venue(tmp_path / "v")))
    result = habitue(store, "indicators", "disable", "nope")
    assert result.exit_code == 1 and "unknown indicator 'nope'" in result.output
    result = habitue(store, "indicators", "disable", "pmg", "--institution", "ELSEWHERE")
    assert result.exit_code == 1 and "unknown institution 'ELSEWHERE'" in result.output


def test_refresh_by_cadence_touches_only_its_indicators(store, tmp_path: Path):
    store.dispose()
    venue = minimal_venue(tmp_path / "v")
    habitue(store, "import", str(venue))
    habitue(store, "compute", "--as-of", "2025-12-01")
    # a second paid seat for C1 in a new order
    write_csv(tmp_path / "more", "orders", ["ORG,O9,C1,,2025-12-05 10:00,INTERNET"])
    write_csv(tmp_path / "more", "order_lines", ["ORG,O9,L9,P1,PF1,,30.00,PAID,,"])
    habitue(store, "import", str(tmp_path / "more"))
    result = habitue(store, "refresh", "--cadence", "daily", "--as-of", "2025-12-06")
    assert result.exit_code == 0, result.output
    out = habitue(store, "indicators", "--contact", "C1", "--format", "jsonl").output
    by_code = {json.loads(line)["indicator"]: json.loads(line) for line in out.splitlines()}
    assert by_code["filiere_vente"]["value"] == 2  # daily: refreshed
    assert by_code["pmg_n"]["value"] == "45.00"  # weekly: stale until its refresh
    habitue(store, "refresh", "--cadence", "weekly", "--as-of", "2025-12-07")
    out = habitue(store, "indicators", "--contact", "C1", "--format", "jsonl").output
    by_code = {json.loads(line)["indicator"]: json.loads(line) for line in out.splitlines()}
    assert by_code["pmg_n"]["value"] == "75.00"
