"""``habitue segments`` and ``habitue lists`` end to end, on both stores."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from habitue.cli.app import app
from tests.factories.segment_venue import load_segment_venue

runner = CliRunner()
AS_OF = ("--as-of", "2026-01-15")


def flat(text: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def cli(store, tmp_path):
    load_segment_venue(store, tmp_path)
    store.dispose()
    url = store.url.replace("postgresql+psycopg://", "postgresql://")

    def habitue(*args: str):
        return runner.invoke(app, ["--database-url", url, *args])
    return habitue


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_create_show_count_preview(cli, tmp_path):
    opera = write(tmp_path, "opera.yaml",
                  "rules:\n  - behaviour: bought\n    genre: Opéra\n    lines: {gte: 2}\n")
    r = cli("segments", "create", "opera", "--file", opera, "--name", "Opera", "--by", "me",
            "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "segment opera created in ORG: Bought at least 2 opéra items" in flat(r.output)

    r = cli("segments", "show", "opera", "--sql", "--lang", "en", *AS_OF)
    assert r.exit_code == 0, r.output
    assert "Bought at least 2 opéra items" in r.output and "SELECT" in r.output
    r = cli("segments", "show", "opera", "--format", "json")
    shown = json.loads(r.output)
    assert (shown["name"], shown["created_by"], shown["sizes"]) == ("Opera", "me", [])
    assert shown["definition"]["rules"][0]["lines"] == {"gte": 2}

    r = cli("segments", "count", "opera", *AS_OF)
    assert (r.exit_code, r.output.strip()) == (0, "1 members as of 2026-01-15")
    email = write(tmp_path, "email.json", '{"rules": [{"consent": "email"}]}')
    r = cli("segments", "count", "--file", email, "--format", "json", *AS_OF)
    assert json.loads(r.output)["count"] == 3

    r = cli("segments", "preview", "--file", email, "--format", "jsonl", "--limit", "2",
            "--lang", "en", *AS_OF)
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [x["contact_id"] for x in rows] == ["A", "B"]
    assert rows[0]["abonne:label"] == "No" and rows[0]["email"] == "a@example.org"
    r = cli("segments", "preview", "opera", *AS_OF)
    assert r.exit_code == 0 and "1 members as of 2026-01-15" in r.output

    cli("segments", "create", "email", "--file", email)
    r = cli("segments", "overlap", "opera", "email", "--format", "json", *AS_OF)
    assert json.loads(r.output) | {} == {"a": "opera", "b": "email", "as_of": "2026-01-15",
                                         "a_only": 0, "both": 1, "b_only": 2}
    r = cli("segments", "list", "--format", "csv")
    listed = list(csv.reader(r.output.splitlines()))
    assert listed[0] == ["key", "organisation_id", "name", "size", "size_as_of", "sentence"]
    assert [x[0] for x in listed[1:]] == ["email", "opera"]


def test_update_and_delete(cli, tmp_path):
    cli("segments", "create", "s", "--file", write(tmp_path, "s.yaml",
                                                   "rules: [{consent: email}]"))
    r = cli("segments", "update", "s", "--file", write(tmp_path, "t.yaml",
                                                       "rules: [{consent: sms}]"),
            "--lang", "en")
    assert r.exit_code == 0 and "segment s updated: Opted in to SMS" in flat(r.output)
    r = cli("segments", "update", "s")
    assert r.exit_code == 1 and "nothing to change" in r.output
    assert cli("segments", "delete", "s").exit_code == 0
    r = cli("segments", "delete", "s")
    assert r.exit_code == 1 and "unknown segment 's'" in r.output


def test_export_and_lists(cli, tmp_path):
    cli("segments", "create", "everyone", "--file", write(
        tmp_path, "all.yaml", "rules: [{any: [{field: kind, is: INDIVIDUAL}, "
                              "{field: kind, is: STRUCTURE}]}]"))
    out = tmp_path / "mail.csv"
    r = cli("segments", "export", "everyone", "--output", str(out), "--columns",
            "contact_id,email,abonne:label", "--purpose", "email", *AS_OF)
    assert r.exit_code == 0, r.output
    assert "exported 2 of 6 members" in flat(r.output)
    assert "left out: 3 without email opt-in, 1 without a usable email address" in \
        flat(r.output)
    assert out.read_text(encoding="utf-8").splitlines() == [
        "contact_id,email,abonne:label", "A,a@example.org,Non", "E,e@example.org,Non"]
    r = cli("segments", "export", "everyone", "--output", str(tmp_path / "all.xlsx"), *AS_OF)
    assert r.exit_code == 0 and (tmp_path / "all.xlsx").stat().st_size > 0

    r = cli("lists", "freeze", "everyone", "--name", "Tous", "--by", "me", *AS_OF)
    assert r.exit_code == 0, r.output
    assert "list 1 'Tous': 6 members of segment everyone as of 2026-01-15" in flat(r.output)
    r = cli("lists", "list", "--format", "jsonl")
    [listed] = [json.loads(line) for line in r.output.splitlines()]
    assert (listed["list_id"], listed["members"], listed["created_by"]) == (1, 6, "me")
    r = cli("lists", "export", "Tous", "--output", str(tmp_path / "l.csv"), "--columns",
            "contact_id", "--purpose", "post")
    assert r.exit_code == 0 and "exported 1 of 6 members" in flat(r.output)
    assert (tmp_path / "l.csv").read_text().splitlines() == ["contact_id", "D"]
    assert cli("lists", "delete", "1").exit_code == 0
    assert cli("lists", "export", "1", "--output", str(tmp_path / "x.csv")).exit_code == 1


def test_errors(cli, tmp_path):
    bad = write(tmp_path, "bad.yaml", "rules:\n  - any:\n      - {indicator: pmgg, level: 1}\n")
    r = cli("segments", "create", "bad", "--file", bad, "--lang", "en")
    assert r.exit_code == 1
    assert "rules[0].any[0].indicator: unknown indicator 'pmgg' (did you mean 'pmg'?)" in \
        flat(r.output)
    r = cli("segments", "count", "--file", bad, "--lang", "fr")
    assert r.exit_code == 1 and "rules[0].any[0].indicator : indicateur inconnu" in \
        flat(r.output)
    r = cli("lists", "freeze", "nope", "--name", "X")
    assert r.exit_code == 1 and "unknown segment 'nope'" in r.output
    r = cli("segments", "create", "x", "--file", str(tmp_path / "missing.yaml"))
    assert r.exit_code == 1 and "cannot read" in r.output
    r = cli("segments", "count")
    assert r.exit_code == 1 and "give a saved segment's key or --file" in r.output
    r = cli("segments", "count", "x", "--as-of", "15/01/2026")
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output
