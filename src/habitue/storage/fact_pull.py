"""A batch computation of a PostgreSQL store run in DuckDB (decision 0006).

PostgreSQL runs the indicators' big joins and aggregations on one core (no parallel workers on
temporary tables); DuckDB runs the very same compiled steps on every core, several times
faster. So a batch on a PostgreSQL store pulls the facts it reads into a private in-memory
DuckDB (as Arrow, through ADBC: only the columns and rows the steps read), computes there, and
hands the values back to PostgreSQL (``COPY … FROM STDIN`` into a temporary table), where they
are stored inside the store's transaction as usual.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from habitue.storage.bulk import (
    SqlRunner,
    TracedDuckDB,
    _traced,
    configure_duckdb,
    copy_duckdb_to_postgres,
    untraced,
)
from habitue.storage.sql_reads import table_schema
from habitue.storage.store import DUCKDB

_DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP",
                 "boolean": "BOOLEAN", "int32": "INTEGER", "int64": "BIGINT",
                 "float64": "DOUBLE"}
_POSTGRES_TYPES = {"VARCHAR": "TEXT", "DOUBLE": "DOUBLE PRECISION", "HUGEINT": "NUMERIC",
                   "UBIGINT": "NUMERIC", "UINTEGER": "BIGINT", "TINYINT": "SMALLINT",
                   "FLOAT": "REAL"}


SPLIT_FROM_PAGES = 10_000
"""Pages (8 kB) from which a table is read over two connections."""
PULL_FROM_LINES = 200_000
"""Order lines from which ``auto`` pulls the facts into DuckDB: below, the connections and
copies cost more than PostgreSQL's own computation (a few milliseconds)."""


def worth_pulling(runner: SqlRunner) -> bool:
    """Whether a batch on this PostgreSQL store is big enough to run in DuckDB (the
    planner's estimate of the order lines: no scan)."""
    rows = runner.scalar("SELECT reltuples FROM pg_class WHERE relname = 'order_lines' "
                         "AND relkind = 'r' AND relpersistence = 'p'")
    return (rows or 0) >= PULL_FROM_LINES


def _duckdb_type(dtype) -> str:
    if dtype.is_decimal():
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    return _DUCKDB_TYPES[str(dtype).lstrip("!")]


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in values)})"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pulled_columns(name: str, used: Mapping[str, set[str]] | None) -> dict[str, str]:
    """The columns of ``name`` a pull reads (those ``used`` names for it: see
    ``sql_reads.referenced_columns``; all without it), with their DuckDB types."""
    wanted = used.get(name) if used is not None else None
    return {c: _duckdb_type(t) for c, t in table_schema(name).items()
            if wanted is None or c in wanted}


def _select_list(types: dict[str, str]) -> str:
    # NUMERIC read as text: ADBC's decoding of NUMERIC took a quarter of the order lines'
    # pull; DuckDB casts the text back to the same DECIMAL, exactly
    return ", ".join(f"{c}::text AS {c}" if t.startswith("DECIMAL") else c
                     for c, t in types.items())


def _pull_query(name: str, organisations: Sequence[str], institutions: Sequence[str],
                late_from: datetime, types: dict[str, str] | None = None) -> str:
    """The rows of ``name`` a batch of ``organisations`` reads (the columns of ``types``;
    default: all). The history of statuses is read only for the lines whose latest status
    is dated after D (few or none); the steps filter again, so a superset would do no
    harm."""
    cols = _select_list(types or _pulled_columns(name, None))
    if name == "order_line_statuses":
        late = (f"SELECT organisation_id, line_id FROM order_lines WHERE "
                f"{_in('organisation_id', organisations)} AND last_status_at >= "
                f"TIMESTAMP '{late_from.isoformat(sep=' ')}'")
        return (f"SELECT {cols} FROM order_line_statuses "
                f"WHERE (organisation_id, line_id) IN ({late})")
    names = table_schema(name).names
    if "organisation_id" in names:
        return f"SELECT {cols} FROM {name} WHERE {_in('organisation_id', organisations)}"
    if "institution_id" in names:
        return f"SELECT {cols} FROM {name} WHERE {_in('institution_id', institutions)}"
    return f"SELECT {cols} FROM {name}"


def _adbc():
    """The ADBC driver, imported when a batch first pulls (0.4 s of imports, pyarrow's
    dataset module included, that no other command of a DuckDB store needs)."""
    import adbc_driver_postgresql.dbapi

    return adbc_driver_postgresql.dbapi


def pull_part(pg_url: str, db: Any, name: str, query: str,
              types: dict[str, str] | None = None) -> None:
    """The rows of ``query`` (:func:`read_postgres`) inserted into the DuckDB table ``name``,
    each column cast to its DuckDB type in ``types`` (default: the compiler's column types).
    It reads committed rows (a bulk import's refresh runs after its commit)."""
    if types is None:
        types = {c: _duckdb_type(t) for c, t in table_schema(name).items()}
    started = time.perf_counter()
    casts = ", ".join(_cast(c, t) for c, t in types.items())
    read_postgres(pg_url, db, query,
                  lambda source: f"INSERT INTO {name} SELECT {casts} FROM {source}")
    _traced(f"PULL {name} ({query})", started)


def read_postgres(pg_url: str, db: Any, query: str,
                  statement: Callable[[str], str]) -> tuple | None:
    """Run on the DuckDB ``db`` the statement ``statement(source)``, where ``source`` names
    the rows of ``query`` read out of PostgreSQL as Arrow record batches (ADBC: PostgreSQL's
    binary ``COPY`` parsed in C++, no Python per row, streamed, so two reads use two cores).
    Each read has its own connection and DuckDB cursor; returns the statement's first row."""
    cursor = db.cursor()
    source = f"_pg_rows_{threading.get_ident()}"
    try:
        with _adbc().connect(pg_url) as pg, pg.cursor() as cur:
            cur.execute(query)
            cursor.register(source, cur.fetch_record_batch())
            row = cursor.execute(statement(source)).fetchone()
            cursor.unregister(source)
            return row
    finally:
        cursor.close()


def _cast(column: str, duckdb_type: str) -> str:
    # JSON arrives as PostgreSQL's text of it; json() parses and minifies it, as DuckDB's own
    # JSON functions write it (the importer compares attributes as text)
    if duckdb_type == "JSON":
        return f"json(CAST({column} AS VARCHAR)) AS {column}"
    return f"CAST({column} AS {duckdb_type}) AS {column}"


def split_by_pages(pg_url: str, name: str, query: str) -> list[str]:
    """``query`` (a plain scan of the table ``name``, maybe filtered) split into ranges of
    the table's pages (TID range scans) when the table is big, so that two connections read
    it side by side; else ``query`` itself."""
    with _adbc().connect(pg_url) as pg, pg.cursor() as cur:
        cur.execute(f"SELECT relpages FROM pg_class WHERE relname = {_quote(name)} "
                    "AND relkind = 'r' AND relpersistence = 'p'")
        row = cur.fetchone()
    pages = int(row[0]) if row and row[0] else 0
    if pages < SPLIT_FROM_PAGES:
        return [query]
    glue = " AND " if " WHERE " in query else " WHERE "
    middle = pages // 2
    # the last range is open: pages added since the statistics were taken are read too
    return [f"{query}{glue}ctid < '({middle},0)'::tid",
            f"{query}{glue}ctid >= '({middle},0)'::tid"]


_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
ENGINE_SHARE = 2 / 3
"""Share of ``HABITUE_MEMORY_LIMIT`` given to the engine's DuckDB: the Arrow batches of the
pulls and the process itself live outside DuckDB's accounting (measured at 1M contacts: 3 GB
for DuckDB made 3.5 GB of the process, 2 GB made 2.7 GB, in the same time)."""


def engine_memory_limit(memory_limit: str) -> str:
    """``memory_limit`` (``3GB``, ``4GiB``…) scaled by :data:`ENGINE_SHARE`, in MB."""
    found = re.fullmatch(r"\s*([\d.]+)\s*([a-zA-Z]*)\s*", memory_limit)
    if not found or found.group(2).upper() not in _UNITS:
        return memory_limit  # DuckDB says what it thinks of it
    size = float(found.group(1)) * _UNITS[found.group(2).upper() or "B"]
    return f"{max(1, int(size * ENGINE_SHARE) // 10**6)}MB"


@contextmanager
def duckdb_engine(memory_limit: str) -> Iterator[SqlRunner]:
    """A private in-memory DuckDB, spilling to a temporary directory past its share of
    ``memory_limit`` (:func:`engine_memory_limit`)."""
    memory_limit = engine_memory_limit(memory_limit)
    spill = tempfile.mkdtemp(prefix="habitue-engine-")
    db = duckdb.connect(":memory:", config={"memory_limit": memory_limit,
                                            "temp_directory": spill})
    try:
        configure_duckdb(db, memory_limit)
        db.execute("SET preserve_insertion_order = false")
        yield SqlRunner(TracedDuckDB(db), DUCKDB)
    finally:
        db.close()
        for f in Path(spill).glob("*"):
            f.unlink(missing_ok=True)
        os.rmdir(spill)


def pull_facts(store_url: str, engine: SqlRunner, tables: Iterable[str], *,
               organisations: Sequence[str], institutions: Sequence[str],
               late_from: datetime,
               columns: Mapping[str, set[str]] | None = None) -> None:
    """Copy into ``engine`` (a :func:`duckdb_engine`) the rows of ``tables`` a batch of
    ``organisations`` reads, two tables at a time; with ``columns`` (see
    ``sql_reads.referenced_columns``), only the columns named there."""
    pg_url = store_url.replace("postgresql+psycopg://", "postgresql://")
    db = untraced(engine.conn)
    work = []
    # the biggest first, so that the smaller ones run beside it
    for name in sorted(tables, key=lambda n: (n != "order_lines", n != "orders", n)):
        types = _pulled_columns(name, columns)
        db.execute(f"CREATE TABLE {name} ("
                   + ", ".join(f"{c} {t}" for c, t in types.items()) + ")")
        query = _pull_query(name, organisations, institutions, late_from, types)
        parts = ([query] if name == "order_line_statuses"  # a lookup of a few lines' rows
                 else split_by_pages(pg_url, name, query))
        work += [(name, part, types) for part in parts]
    pull_all(pg_url, db, work)


def pull_all(pg_url: str, db: Any, work: Sequence[tuple[str, str, dict | None]]) -> None:
    """Run the pulls ``(table, query, types)`` of :func:`pull_part`, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(pull_part, pg_url, db, name, query, types)
                       for name, query, types in work]:
            future.result()


def hand_back(engine: SqlRunner, target: SqlRunner, table: str) -> None:
    """Copy the engine's table ``table`` into a temporary table of the same name and
    columns on the PostgreSQL ``target`` (inside its transaction)."""
    described = engine.fetchall(f"DESCRIBE {table}")
    columns = [r[0] for r in described]
    ddl = ", ".join(f"{name} {_POSTGRES_TYPES.get(kind, kind)}" for name, kind, *_ in described)
    target.drop(table)
    target.execute(f"CREATE TEMP TABLE {table} ({ddl})")
    db = untraced(engine.conn)
    started = time.perf_counter()
    copy_duckdb_to_postgres(db, target.conn, f"SELECT * FROM {table}", table, columns)
    _traced(f"HAND BACK {table}", started)
    target.execute(f"ANALYZE {table}")

