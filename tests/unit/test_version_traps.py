"""Version traps of the stack (design.md). Each test pins a known breakage so that an upgrade
that fixes it, or brings it back, is noticed."""

from __future__ import annotations

import duckdb
import ibis
import pytest
import sqlglot
from packaging.version import Version


def test_duckdb_stays_below_2_where_ibis_12_works():
    # Ibis 12.0 calls fetch_arrow_table, removed in DuckDB 2.0
    assert Version(duckdb.__version__) < Version("2")
    assert hasattr(duckdb.DuckDBPyConnection, "fetch_arrow_table")


def test_sqlglot_pinned_below_the_create_table_overwrite_break():
    # sqlglot >= 30.18 breaks Ibis create_table(overwrite=True)
    assert Version(sqlglot.__version__) <= Version("30.15")


def test_ibis_create_table_overwrite_works_on_duckdb():
    con = ibis.duckdb.connect()
    t = ibis.memtable({"a": [1, 2]})
    con.create_table("t", t, overwrite=True)
    con.create_table("t", t, overwrite=True)
    assert con.table("t").count().execute() == 2


def test_duckdb_sqlalchemy_dialect_reflects_schemas():
    sa = pytest.importorskip("sqlalchemy")
    engine = sa.create_engine("duckdb:///:memory:")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE x (a INTEGER)")
        assert sa.inspect(conn).get_table_names() == ["x"]
