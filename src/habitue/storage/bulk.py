"""Bulk paths between the DuckDB staging area and the store.

An import is parsed and validated in DuckDB (its CSV, Parquet and JSON readers are the fastest
we have). On a DuckDB store the staging tables live in the store's own connection; on a
PostgreSQL store they are parsed in a private in-memory DuckDB and moved with ``COPY``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from habitue.domain.format import Entity
from habitue.storage.schema import SECONDARY_INDEXES
from habitue.storage.store import Capabilities, native

COPY_BLOCK = 8 * 1024 * 1024
BULK_ROWS = 100_000  # rows from which an insert is a bulk insert
log = logging.getLogger("habitue.sql")


def _traced(sql: str, started: float) -> None:
    elapsed = time.perf_counter() - started
    if elapsed >= 0.5:
        log.info("%.2fs %s", elapsed, " ".join(sql.split())[:160])


class TracedDuckDB:
    """A DuckDB connection whose slow statements go to the ``habitue.sql`` logger (see
    bench/: ``--trace``), the rest passed through."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def execute(self, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = self._db.execute(sql, *args)
        _traced(sql, started)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def untraced(conn: Any) -> Any:
    """The DuckDB connection itself, under its :class:`TracedDuckDB` wrapper if any (what
    DuckDB's own API needs: ``cursor()``, ``register``)."""
    return conn._db if isinstance(conn, TracedDuckDB) else conn


class SqlRunner:
    """Runs plain SQL on a driver connection (DuckDB or psycopg), inside the caller's
    transaction. Statements carry no parameters: values are quoted literals."""

    def __init__(self, conn: Any, capabilities: Capabilities,
                 bulk_threshold: int | None = None) -> None:
        self.conn = conn
        self.capabilities = capabilities
        self.bulk_threshold = BULK_ROWS if bulk_threshold is None else bulk_threshold

    def execute(self, sql: str) -> None:
        started = time.perf_counter()
        self.conn.execute(sql)
        _traced(sql, started)

    def fetchall(self, sql: str) -> list[tuple]:
        return list(self.conn.execute(sql).fetchall())

    def scalar(self, sql: str) -> Any:
        row = self.conn.execute(sql).fetchone()
        return row[0] if row else None

    def begin_bulk(self) -> None:
        """Settings of the engine for the bulk work of the current transaction."""
        for statement in self.capabilities.bulk_settings:
            self.execute(statement)

    def bulk_insert(self, table: str, key: Sequence[str], rows: int, insert_sql: str) -> None:
        """Run ``insert_sql`` (which adds about ``rows`` rows to ``table``) inside
        :meth:`keys_rebuilt`."""
        with self.keys_rebuilt(table, key, rows):
            self.execute(insert_sql)

    @contextmanager
    def keys_rebuilt(self, table: str, key: Sequence[str], rows: int) -> Iterator[None]:
        """Around an insert of about ``rows`` rows into ``table``: when that is a large share
        of the table and the engine builds an index faster than it maintains one, the primary
        key and the secondary indexes are dropped before and built again after, in the same
        transaction. (Not DuckDB, whose lookup indexes, decision 0009, are kept: an index
        dropped inside a transaction is still maintained until its commit, and building it
        again after costs more than that.)"""
        rebuild = (self.capabilities.rebuild_keys_on_bulk_insert and rows >= self.bulk_threshold
                   and rows * 2 >= (self.scalar(f"SELECT count(*) FROM {table}") or 0))
        if not rebuild:
            yield
            return
        # the secondary indexes the table has (an optional one may be missing)
        present = {r[0] for r in self.fetchall(
            f"SELECT indexname FROM pg_indexes WHERE tablename = '{table}' "
            "AND schemaname = current_schema()")}
        indexes = [ix for ix in SECONDARY_INDEXES
                   if ix.table.name == table and ix.name in present]
        self.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey")
        for ix in indexes:
            self.execute(f"DROP INDEX {ix.name}")
        yield
        self.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey "
                     f"PRIMARY KEY ({', '.join(key)})")
        for ix in indexes:
            self.execute(str(CreateIndex(ix).compile(dialect=postgresql.dialect())))

    def recreate_temp(self, name: str, select: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")
        self.execute(f"CREATE TEMP TABLE {name} AS {select}")

    def drop(self, *names: str) -> None:
        for name in names:
            self.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def scratch_runner(store: Any, memory_limit: str) -> Iterator[SqlRunner]:
    """A runner on a second connection of a DuckDB store's own database instance, outside any
    transaction (decision 0003): temporary tables there are not transaction-local. Its work is
    made durable inside ``duckdb_transaction``."""
    with store.connect() as conn:
        db = native(conn).duplicate()
    try:
        configure_duckdb(db, memory_limit)
        # nothing done here depends on row order; letting DuckDB drop it lets it spill
        db.execute("SET preserve_insertion_order = false")
        yield SqlRunner(db, store.capabilities)
    finally:
        db.close()


@contextmanager
def duckdb_transaction(runner: SqlRunner) -> Iterator[None]:
    runner.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        runner.execute("ROLLBACK")
        raise
    runner.execute("COMMIT")


STAGED_REJECTS = "stg_rej"
REJECTS_DDL = ("file VARCHAR, line BIGINT, column_name VARCHAR, value VARCHAR, "
               "reason VARCHAR, key VARCHAR")


class StagingArea:
    """Where an import is read, parsed and checked: a DuckDB database outside any transaction
    of the store. ``expose`` then shows the staged rows to the store's merge transaction as
    ``s_<entity>``, and the rejects so far as the temporary table ``rej``."""

    def __init__(self, db: Any, attached: str | None) -> None:
        self.db = db
        self.attached = attached  # DuckDB store: the staging database attached to it
        self._views: list[str] = []
        self.db.execute(f"CREATE OR REPLACE TABLE {STAGED_REJECTS} ({REJECTS_DDL})")

    def expose(self, target: SqlRunner, entities: Sequence[Entity]) -> None:
        caps = target.capabilities
        if self.attached:
            for entity in entities:
                target.execute(f"CREATE OR REPLACE TEMP VIEW s_{entity.name} AS "
                               f"SELECT * FROM {self.attached}.s_{entity.name}")
                self._views.append(f"s_{entity.name}")
            target.recreate_temp("rej", f"SELECT * FROM {self.attached}.{STAGED_REJECTS}")
            return
        for entity in entities:
            target.drop(f"s_{entity.name}")
            target.execute(f"CREATE TEMP TABLE s_{entity.name} "
                           f"({staged_columns_ddl(entity, caps)})")
            cols = ["__line"] + [f.name for f in entity.fields] + ["attributes"]
            select = ", ".join("CAST(attributes AS VARCHAR)" if c == "attributes" else c
                               for c in cols)
            copy_duckdb_to_postgres(self.db, target.conn,
                                    f"SELECT {select} FROM s_{entity.name}",
                                    f"s_{entity.name}", cols)
            target.execute(f"ANALYZE s_{entity.name}")
        target.drop("rej")
        target.execute(f"CREATE TEMP TABLE rej ({REJECTS_DDL.replace('VARCHAR', 'TEXT')})")
        copy_duckdb_to_postgres(self.db, target.conn, f"SELECT * FROM {STAGED_REJECTS}", "rej",
                                ["file", "line", "column_name", "value", "reason", "key"])

    def hide(self, target: SqlRunner) -> None:
        """Drop what ``expose`` made (before the store's transaction ends)."""
        for name in self._views:
            target.execute(f"DROP VIEW IF EXISTS {name}")
        self._views = []


@contextmanager
def staging_area(store: Any, memory_limit: str) -> Iterator[StagingArea]:
    """A DuckDB staging area for one import. On a DuckDB store: an in-memory database
    attached to the store's own database instance (so the merge reads the staged rows without
    a copy); on PostgreSQL: a private in-memory DuckDB."""
    if store.kind == "duckdb":
        name = f"habitue_staging_{uuid.uuid4().hex[:12]}"
        with store.connect() as conn:
            db = native(conn).duplicate()
        main = db.execute("SELECT current_database()").fetchone()[0]
        configure_duckdb(db, memory_limit)
        db.execute(f"ATTACH ':memory:' AS {name}")
        db.execute(f"USE {name}")
        try:
            yield StagingArea(TracedDuckDB(db), name)
        finally:
            db.execute(f"USE \"{main}\"")
            db.execute(f"DETACH {name}")
            db.close()
        return
    # past its memory limit, DuckDB spills to a directory of its own (a bulk import's merge
    # runs here on PostgreSQL: importers.mirror)
    spill = tempfile.mkdtemp(prefix="habitue-staging-")
    db = duckdb.connect(":memory:", config={"memory_limit": memory_limit,
                                            "temp_directory": spill})
    try:
        db.execute("SET TimeZone = 'UTC'")
        yield StagingArea(TracedDuckDB(db), None)
    finally:
        db.close()
        shutil.rmtree(spill, ignore_errors=True)


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
