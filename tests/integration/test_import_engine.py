"""Where an import into PostgreSQL is merged (``HABITUE_IMPORT_ENGINE``, decision 0007): the
choice of ``auto``, and the lock a merge in DuckDB holds against events."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from habitue.domain.format import ENTITY_BY_NAME
from habitue.importers import mirror
from habitue.importers.reading import RawTable
from habitue.importers.runner import run_import
from habitue.importers.sources import SourceFile
from habitue.storage import schema
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import native

NOW = datetime(2026, 1, 15, 12, 0)


def _staged(entity: str, rows: int) -> RawTable:
    source = SourceFile(path=Path(f"{entity}.csv"), entity=ENTITY_BY_NAME[entity], format="csv")
    return RawTable(source=source, table=f"raw_{entity}", known=[], unknown={}, rows=rows)


def _choice(store, staged: list[RawTable], engine: str = "auto") -> bool:
    with store.begin() as conn:
        return mirror.worth_mirroring(SqlRunner(native(conn), store.capabilities), staged,
                                      engine)


def test_auto_merges_a_bulk_import_in_duckdb_and_a_daily_one_in_postgresql(pg_store,
                                                                            monkeypatch):
    monkeypatch.setattr(mirror, "MIRROR_FROM_ROWS", 100)
    with pg_store.begin() as conn:  # 400 contacts known to the planner
        conn.execute(schema.institutions.insert().values(institution_id="i", name="i"))
        conn.execute(schema.contacts.insert(), [
            {"institution_id": "i", "contact_id": f"C{n}"} for n in range(400)])
        conn.execute(sa.text("ANALYZE contacts"))
    assert not _choice(pg_store, [_staged("contacts", 99)])  # fewer rows than a bulk import
    assert not _choice(pg_store, [_staged("contacts", 99), _staged("orders", 50)])
    assert _choice(pg_store, [_staged("contacts", 100)])  # a quarter of the table
    assert not _choice(pg_store, [_staged("contacts", 100)], "database")
    assert _choice(pg_store, [_staged("contacts", 1)], "duckdb")
    with pytest.raises(ValueError, match="unknown import engine 'spark'"):
        _choice(pg_store, [], "spark")


def test_both_merges_store_the_same_rows(pg_store, tmp_path, example_dir):
    """The worked example merged by PostgreSQL, then (after emptying the store) in DuckDB:
    every stored row is the same."""
    def dump() -> dict:
        with pg_store.connect() as conn:
            return {t.name: sorted(map(repr, conn.execute(
                sa.select(*(c for c in t.columns if c.name != "import_run_id")))))
                for t in (schema.institutions, *schema.ENTITY_TABLES.values(),
                          schema.order_line_statuses)}

    first = run_import(pg_store, example_dir, now=NOW, merge_engine="database",
                       rejects_path=tmp_path / "r1.csv")
    by_postgresql = dump()
    with pg_store.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            conn.execute(table.delete())
    second = run_import(pg_store, example_dir, now=NOW, merge_engine="duckdb",
                        rejects_path=tmp_path / "r2.csv")
    assert [f.as_dict() for f in first.files] == [f.as_dict() for f in second.files]
    assert dump() == by_postgresql
    assert sum(len(rows) for rows in by_postgresql.values()) > 30
