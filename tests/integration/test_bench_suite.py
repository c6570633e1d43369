"""``bench/suite.py`` (what ``scripts/bench`` runs) goes end to end at a tiny size: every
section of the DuckDB store gets a figure, the references too, the PostgreSQL import joins
the same results file in a second run that reuses the generated data, and the generated block
lands in a temporary copy of the performance page, its hand-written text kept.

Two runs rather than one with both stores on every section: each measured step is its own
process (2–3 s of start-up apiece), and the full PostgreSQL sequence would double the time.
No figure is asserted (the test suite never times anything); the suite never writes into the
repository's docs/performance.md from here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("HABITUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SIZE = 300
SECTIONS = ("import", "compute", "realtime", "segments", "web")
HAND_WRITTEN = "# Performance\n\nIntroduction.\n\n## Analysis\n\nWritten by hand.\n"

pytestmark = pytest.mark.slow


@pytest.fixture
def pg_prefix():
    prefix = f"habitue_benchtest_{os.getpid()}"
    yield prefix
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{prefix}_{SIZE}" WITH (FORCE)')


def _suite(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "bench" / "suite.py"), "--sizes", str(SIZE),
           "--out", str(tmp_path / "performance.md"), "--results", str(tmp_path / "r.json"),
           "--data-dir", str(tmp_path / "data"), "--pg-admin-url", PG_ADMIN_URL,
           "--realtime-contacts", "5", "--segment-repeat", "2", "--web-contacts", "3",
           *options]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, check=False)


def test_the_suite_measures_every_section_and_renders_them(tmp_path, pg_prefix):
    (tmp_path / "performance.md").write_text(HAND_WRITTEN)

    first = _suite(tmp_path, "--stores", "duckdb")
    assert first.returncode == 0, first.stderr[-3000:]
    second = _suite(tmp_path, "--stores", "postgresql", "--only", "import", "--reuse",
                    "--pg-prefix", pg_prefix)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "data reused" in second.stderr  # not generated a second time

    results = json.loads((tmp_path / "r.json").read_text())
    size = results["sizes"][str(SIZE)]
    duckdb = size["stores"]["duckdb"]
    for section in SECTIONS:
        assert duckdb[section]["ok"], (section, duckdb[section])
        assert duckdb[section]["seconds"] > 0 and duckdb[section]["peak_rss_mb"] > 0
    assert duckdb["compute"]["scan"]["query_seconds"] is not None
    assert duckdb["realtime"]["p95_ms"] > 0 and duckdb["realtime"]["floor"]["p95_ms"] > 0
    assert duckdb["segments"]["count"]["median_ms"] > 0
    assert duckdb["segments"]["export_csv"]["rows"] == SIZE
    assert duckdb["web"]["pages"]["contact card"]["median_ms"] > 0
    for reference in ("csv_scan", "startup", "pandas"):
        assert size["reference"][reference]["ok"], size["reference"][reference]
    assert size["reference"]["pandas"]["compute_seconds"] is not None
    assert size["stores"]["postgresql"]["import"]["ok"]
    assert size["data"]["files"]["order_lines.csv"]["rows"] > 0
    assert len(results["runs"]) == 2 and results["postgresql"]["version"]

    text = (tmp_path / "performance.md").read_text()
    assert text.startswith("# Performance\n\nIntroduction.\n\n<!-- bench:begin -->")
    assert text.endswith("<!-- bench:end -->\n\n## Analysis\n\nWritten by hand.\n")
    table = [line for line in text.splitlines() if line.startswith("| ")]
    import_row = next(line for line in table if line.startswith("| import"))
    duck, pg = [c.strip() for c in import_row.strip("|").split(" | ")][2:4]
    assert duck.endswith(" s ✅") and pg.endswith(" s ✅")
    for what in ("full computation", "per-contact", "segment of 6", "export of 300 members",
                 "contact search", "contact card"):
        row = next(line for line in table if line.startswith(f"| {what}"))
        duck = [c.strip() for c in row.strip("|").split(" | ")][2]
        assert duck[0].isdigit(), row
