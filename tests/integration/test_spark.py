"""Beyond one machine: the indicators computed by Spark over a lake equal DuckDB's, value for
value and level for level, and once imported they are stored exactly as a local batch stores
its own (level changes, band thresholds, batch record).

One venue for the module: a generated one (two organisations of one institution) and the
hand-written edge venue of the pandas reference test, its third organisation and its second
institution renamed to ids with an accent, a quote, a slash and spaces (they name partition
directories), and one indicator disabled there (so the results have two groups). It is
imported into a DuckDB store, copied before any computation; the original computes as of D
(inside an earlier season of the generated venue: lines whose status changed after D take it
from their history), the copy imports what Spark (``local[2]``) computed on the lake.

Spark needs Java: the Spark tests are skipped only where there is none (``java -version``).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from habitue.cli.app import app
from habitue.generator import generate_venue
from habitue.importers.runner import run_import
from habitue.indicators.catalogue import INDICATORS
from habitue.services import lake as lake_service
from habitue.services.workspace import Workspace
from habitue.storage import lake, migrate, schema
from habitue.storage.store import Store, native
from tests.integration.test_pandas_reference import EDGE_FILES

needs_java = pytest.mark.skipif(shutil.which("java") is None,
                                reason="Spark needs Java (java -version)")

D = date(2026, 1, 20)
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 1, 21, 3, 0)
ODD_ORGANISATION = "Ça va/ d'ici"
ODD_INSTITUTION = "l'autre é"
SPARK_CONF = {"spark.sql.shuffle.partitions": "2", "spark.driver.memory": "1g",
              "spark.ui.enabled": "false"}


def _edge_venue(directory: Path) -> Path:
    """The pandas reference test's edge venue with organisation C and institution ``other``
    renamed."""
    directory.mkdir()
    for name, text in EDGE_FILES.items():
        text = text.replace("\nC,", f"\n{ODD_ORGANISATION},").replace(
            ",other,", f",{ODD_INSTITUTION},")
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def _import_venue(store: Store, venue: list[Path]) -> None:
    for directory in venue:
        result = run_import(store, directory, now=NOW)
        assert result.status == "succeeded", result.error
    Workspace(store).set_indicator_enabled("jeune", False, ODD_INSTITUTION)


@dataclass
class Run:
    base: Path
    venue: list[Path]  # the directories imported, in order
    local: Store  # computed by DuckDB
    copy: Store  # the same facts, no indicator yet
    lake_dir: Path
    manifest: lake.LakeManifest


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    """The venue imported, computed by DuckDB, exported (Spark runs in one test only: the
    suite's workers would each start it for a module-scoped fixture)."""
    base = tmp_path_factory.mktemp("spark")
    venue = [generate_venue(base / "generated", contacts=2000, organisations=2, seed=5,
                            today=TODAY).directory, _edge_venue(base / "edge")]
    local = Store(f"duckdb:///{base / 'local.duckdb'}")
    migrate.upgrade(local)
    _import_venue(local, venue)
    local.dispose()
    shutil.copy(base / "local.duckdb", base / "copy.duckdb")

    Workspace(local).compute(as_of=D, now=NOW)
    manifest = lake_service.export_lake(local, base / "lake", now=NOW)
    local.dispose()
    yield Run(base, venue, local, Store(f"duckdb:///{base / 'copy.duckdb'}"), base / "lake",
              manifest)
    local.dispose()


def _table(store: Store, table: sa.Table, *order: str) -> list[tuple]:
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(table).order_by(*(table.c[c] for c in order)))]


def _batches(store: Store) -> list[tuple]:
    """(batch, as of, cadence, started, finished, thresholds) of every batch."""
    rows = _table(store, schema.indicator_batches, "batch_id")
    return [(*r[:-1], json.loads(r[-1]) if isinstance(r[-1], str) else r[-1]) for r in rows]


INDICATOR_KEY = ("organisation_id", "contact_id")
HISTORY_KEY = ("organisation_id", "contact_id", "indicator", "old_level", "new_level")


# -- Spark equals DuckDB ---------------------------------------------------------------------

@pytest.mark.spark
@needs_java
def test_spark_computes_and_stores_exactly_what_duckdb_does(run, pg_store):
    spark = lake_service.compute_on_spark(str(run.lake_dir), as_of=D, now=NOW,
                                          master="local[2]", conf=SPARK_CONF)
    assert spark.organisations == 5 and spark.engine.startswith("pyspark ")
    _assert_not_about_defaults(run.lake_dir)

    summary = lake_service.import_results(run.copy, run.lake_dir)
    expected = _table(run.local, schema.contact_indicators, *INDICATOR_KEY)
    got = _table(run.copy, schema.contact_indicators, *INDICATOR_KEY)
    assert len(got) == len(expected) and summary.batch_id == 1
    diff = [(e, g) for e, g in zip(expected, got, strict=True) if e != g]
    assert not diff, f"{len(diff)} rows differ; first: {diff[:3]}"
    # the same level changes and the same batch: thresholds, dates
    assert (_table(run.copy, schema.indicator_history, *HISTORY_KEY)
            == _table(run.local, schema.indicator_history, *HISTORY_KEY))
    assert _batches(run.copy) == _batches(run.local)

    # a PostgreSQL store receives them through COPY: the same values
    _import_venue(pg_store, run.venue)
    lake_service.import_results(pg_store, run.lake_dir / lake.RESULTS)
    assert _table(pg_store, schema.contact_indicators, *INDICATOR_KEY) == expected


def _assert_not_about_defaults(lake_dir: Path) -> None:
    """Every indicator has contacts above level 0; the institution with an indicator disabled
    is a group of its own; the odd ids came through the partition directories."""
    results_dir, results = lake.read_results(lake_dir)
    assert [len(g.codes) for g in results.groups] == [len(INDICATORS), len(INDICATORS) - 1]
    assert ODD_ORGANISATION in results.groups[1].organisations
    values = f"read_parquet('{results_dir}/values-*/*.parquet', union_by_name = true)"
    db = duckdb.connect()
    for indicator in INDICATORS:
        levels = db.execute(f"SELECT count(DISTINCT {indicator.code}_level) FROM {values} "
                            f"WHERE {indicator.code}_level > 0").fetchone()[0]
        assert levels >= 1, indicator.code
    orgs = {r[0] for r in db.execute(f"SELECT DISTINCT organisation_id FROM {values}").fetchall()}
    assert orgs == {"ORG1", "ORG2", "A", "B", ODD_ORGANISATION}


# -- the lake -----------------------------------------------------------------------------------

def test_the_lake_holds_what_the_indicators_read_and_no_more(run):
    tables = run.manifest.tables
    assert {"orders", "order_lines", "order_line_statuses", "seasons", "products",
            "performances", "contacts", "social_shares", "share_visits", "organisations",
            "indicator_settings"} == set(tables)
    # a contact is its id, institution, kind and birth date: nothing that names or reaches it
    assert list(tables["contacts"].columns) == ["contact_id", "institution_id", "kind",
                                                "birth_date"]
    assert tables["contacts"].partition_by == "institution_id"
    assert tables["orders"].partition_by == "organisation_id"
    assert tables["indicator_settings"].rows == 1
    with run.local.connect() as conn:
        db = native(conn)
        for name, table in tables.items():
            files = (f"read_parquet('{run.lake_dir / name}/**/*.parquet', "
                     "hive_partitioning = false)")
            assert db.execute(f"SELECT count(*) FROM {files}").fetchone()[0] == table.rows
            assert db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == table.rows
    partitions = {p.name for p in (run.lake_dir / "orders").iterdir()}
    assert "organisation_id=ORG1" in partitions and len(partitions) == 5


def test_a_lake_of_one_organisation(run, tmp_path):
    local = run.local
    manifest = lake_service.export_lake(local, tmp_path / "lake", now=NOW,
                                        organisations=[ODD_ORGANISATION])
    local.dispose()
    assert manifest.organisations == [{"organisation_id": ODD_ORGANISATION,
                                       "institution_id": ODD_INSTITUTION}]
    assert manifest.tables["contacts"].rows == 2  # the contacts of its institution
    assert manifest.tables["order_lines"].rows == 2


def test_a_postgresql_store_exports_the_same_lake(run, pg_store, tmp_path):
    """The same venue imported into PostgreSQL gives the same rows in every table of the
    lake."""
    _import_venue(pg_store, run.venue)
    manifest = lake_service.export_lake(pg_store, tmp_path / "lake", now=NOW)
    assert {n: t.rows for n, t in manifest.tables.items()} == {
        n: t.rows for n, t in run.manifest.tables.items()}
    db = duckdb.connect()
    for name in manifest.tables:
        a, b = (f"read_parquet('{d / name}/**/*.parquet', hive_partitioning = false)"
                for d in (run.lake_dir, tmp_path / "lake"))
        differ = db.execute(f"SELECT count(*) FROM ((FROM {a} EXCEPT ALL FROM {b}) UNION ALL "
                            f"(FROM {b} EXCEPT ALL FROM {a}))").fetchone()[0]
        assert differ == 0, name


# -- the command line ---------------------------------------------------------------------------

def test_spark_needs_a_lake_and_a_lake_needs_spark(tmp_path):
    cli = CliRunner()
    out = cli.invoke(app, ["compute", "--engine", "spark"])
    assert out.exit_code == 2 and "export-lake" in out.output
    out = cli.invoke(app, ["compute", "--lake", str(tmp_path)])
    assert out.exit_code == 2 and "--engine spark" in out.output


def test_export_lake_refuses_a_directory_that_is_not_a_lake(tmp_path):
    url = f"duckdb:///{tmp_path / 'h.duckdb'}"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    cli = CliRunner()
    assert cli.invoke(app, ["--database-url", url, "init"]).exit_code == 0
    out = cli.invoke(app, ["--database-url", url, "export-lake", str(tmp_path / "mine")])
    assert out.exit_code == 1 and "not a lake" in out.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    out = cli.invoke(app, ["--database-url", url, "import-results", str(tmp_path / "mine")])
    assert out.exit_code == 1 and "no results" in out.output
