"""Bulk paths between the DuckDB staging area and the store.

An import is parsed and validated in DuckDB (its CSV, Parquet and JSON readers are the fastest
we have). On a DuckDB store the staging tables live in the store's own connection; on a
PostgreSQL store they are parsed in a private in-memory DuckDB and moved with ``COPY``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from habitue.domain.format import Entity
from habitue.storage.store import Capabilities

COPY_BLOCK = 8 * 1024 * 1024


class SqlRunner:
    """Runs plain SQL on a driver connection (DuckDB or psycopg), inside the caller's
    transaction. Statements carry no parameters: values are quoted literals."""

    def __init__(self, conn: Any, capabilities: Capabilities) -> None:
        self.conn = conn
        self.capabilities = capabilities

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def fetchall(self, sql: str) -> list[tuple]:
        return list(self.conn.execute(sql).fetchall())

    def scalar(self, sql: str) -> Any:
        row = self.conn.execute(sql).fetchone()
        return row[0] if row else None

    def recreate_temp(self, name: str, select: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")
        self.execute(f"CREATE TEMP TABLE {name} AS {select}")

    def drop(self, *names: str) -> None:
        for name in names:
            self.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def staging_database(memory_limit: str, temp_directory: str | None = None) -> Iterator[Any]:
    """A private in-memory DuckDB for parsing (PostgreSQL stores)."""
    config = {"memory_limit": memory_limit}
    if temp_directory:
        config["temp_directory"] = temp_directory
    db = duckdb.connect(":memory:", config=config)
    try:
        db.execute("SET TimeZone = 'UTC'")
        yield db
    finally:
        db.close()


def configure_duckdb(db: Any, memory_limit: str) -> None:
    db.execute(f"SET memory_limit = '{memory_limit}'")
    db.execute("SET TimeZone = 'UTC'")


def staged_columns_ddl(entity: Entity, caps: Capabilities) -> str:
    cols = ["__line BIGINT"] + [f"{f.name} {caps.types[f.type]}" for f in entity.fields]
    cols.append(f"attributes {caps.json_type}")
    return ", ".join(cols)


def copy_duckdb_to_postgres(
    staging: Any, pg: Any, source_sql: str, table: str, columns: Sequence[str]
) -> int:
    """Stream the result of ``source_sql`` (DuckDB) into the PostgreSQL table ``table``."""
    fd, name = tempfile.mkstemp(prefix="habitue-copy-", suffix=".csv")
    os.close(fd)
    path = Path(name)
    try:
        staging.execute(
            f"COPY ({source_sql}) TO '{path}' (FORMAT csv, HEADER false, "
            "TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S.%f', DATEFORMAT '%Y-%m-%d')"
        )
        cols = ", ".join(columns)
        with pg.cursor() as cur:
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
                with path.open("rb") as fh:
                    while block := fh.read(COPY_BLOCK):
                        copy.write(block)
            return cur.rowcount
    finally:
        path.unlink(missing_ok=True)
