"""A PostgreSQL store's tables mirrored in DuckDB, and changes copied back (decision 0007).

A bulk import into PostgreSQL is merged in the import's DuckDB staging area rather than by
PostgreSQL: the store's rows are pulled there (Arrow, through ADBC, two connections), the
importer's portable merge runs against that mirror on every core, and only what changed goes
back to PostgreSQL, by ``COPY`` straight into the tables, inside the import's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from habitue.storage import schema
from habitue.storage.bulk import SqlRunner, _traced, copy_duckdb_to_postgres, untraced
from habitue.storage.fact_pull import pull_all, split_by_pages

MIRRORED: tuple[str, ...] = (
    "institutions", *(name for name in schema.ENTITY_TABLES), "order_line_statuses",
)
"""Every table the importer's merge reads or writes, in an order that pulls the biggest
first (so the small ones run beside it)."""


def duckdb_type(column: sa.Column) -> str:
    """The DuckDB type of a column of the schema (as a DuckDB store declares it)."""
    t = column.type
    if isinstance(t, sa.JSON):
        return "JSON"
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        return f"DECIMAL({t.precision},{t.scale})"
    for kind, name in ((sa.DateTime, "TIMESTAMP"), (sa.Date, "DATE"), (sa.Boolean, "BOOLEAN"),
                       (sa.BigInteger, "BIGINT"), (sa.SmallInteger, "SMALLINT"),
                       (sa.Integer, "INTEGER")):
        if isinstance(t, kind):
            return name
    return "VARCHAR"


def table_of(name: str) -> sa.Table:
    return schema.metadata.tables[name]


def columns_of(name: str) -> list[str]:
    return [c.name for c in table_of(name).columns]


def _select(name: str) -> str:
    """The pull of a whole table, JSON and NUMERIC as text (``fact_pull.pull_part`` parses
    them back: ADBC's own decoding of NUMERIC is slow)."""
    cols = ", ".join(f"{c.name}::text AS {c.name}" if isinstance(c.type, (sa.JSON, sa.Numeric))
                     and not isinstance(c.type, sa.Float) else c.name
                     for c in table_of(name).columns)
    return f"SELECT {cols} FROM {name}"


def pull_store(pg_url: str, db: Any, tables: Sequence[str] = MIRRORED) -> None:
    """Create ``tables`` in the DuckDB ``db`` (no keys: the merge keeps them, as on a DuckDB
    store) holding every row of the PostgreSQL store's tables of the same names."""
    pg_url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    work = []
    for name in tables:
        table = table_of(name)
        types = {c.name: duckdb_type(c) for c in table.columns}
        db.execute(f"CREATE OR REPLACE TABLE {name} ("
                   + ", ".join(f"{c} {t}" for c, t in types.items()) + ")")
        work += [(name, part, types) for part in split_by_pages(pg_url, name, _select(name))]
    work.sort(key=lambda w: (w[0] not in ("order_lines", "order_line_statuses"), w[0]))
    pull_all(pg_url, db, work)


def copy_rows(local: SqlRunner, target: SqlRunner, select_sql: str, table: str,
              like: str | None = None) -> None:
    """``COPY`` the rows of ``select_sql`` (DuckDB, the columns of the store's table
    ``like``, default ``table``, in order) into the PostgreSQL table ``table``, inside the
    target's transaction."""
    started = time.perf_counter()
    copy_duckdb_to_postgres(untraced(local.conn), target.conn, select_sql, table,
                            columns_of(like or table))
    _traced(f"COPY INTO {table}", started)


def insert_rows(local: SqlRunner, target: SqlRunner, select_sql: str, table: str,
                rows: int) -> None:
    """Add ``rows`` rows (``select_sql``, on DuckDB) to the store's ``table``: copied straight
    into it, its keys and indexes built again afterwards when the rows are many
    (``SqlRunner.keys_rebuilt``)."""
    if not rows:
        return
    key = [c.name for c in table_of(table).primary_key.columns]
    with target.keys_rebuilt(table, key, rows):
        copy_rows(local, target, select_sql, table)


def update_rows(local: SqlRunner, target: SqlRunner, select_sql: str, table: str,
                rows: int) -> None:
    """Replace, in the store's ``table``, the rows given whole by ``select_sql`` (DuckDB),
    matched on the primary key: copied into a temporary table, then one ``UPDATE``."""
    if not rows:
        return
    key = [c.name for c in table_of(table).primary_key.columns]
    temp = f"_upd_{table}"
    target.drop(temp)
    target.execute(f"CREATE TEMP TABLE {temp} AS SELECT * FROM {table} LIMIT 0")
    copy_rows(local, target, select_sql, temp, like=table)
    sets = ", ".join(f"{c} = u.{c}" for c in columns_of(table) if c not in key)
    match = " AND ".join(f"{table}.{c} = u.{c}" for c in key)
    target.execute(f"ANALYZE {temp}")
    target.execute(f"UPDATE {table} SET {sets} FROM {temp} u WHERE {match}")
    target.drop(temp)
