"""Stores: a DuckDB file or a PostgreSQL database behind one interface.

Engine differences are data (:class:`Capabilities`), read by the code that needs them, rather
than ``if`` chains spread around.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from habitue.domain.format import FieldType

DEFAULT_URL = "duckdb:///habitue.duckdb"


class StoreError(Exception):
    """A store that cannot be opened or used (bad URL, server down, schema missing)."""


@dataclass(frozen=True)
class Capabilities:
    name: str
    # Merge two JSON objects, keys of the right one winning, null values removing the key.
    json_merge: str
    # Text of a JSON value for comparisons.
    json_text: str
    # Statements run at the start of a bulk transaction (imports, batch computations).
    bulk_settings: tuple[str, ...]
    # Whether a large insert goes faster by dropping the table's primary key and building it
    # again afterwards (PostgreSQL: one sorted index build instead of millions of inserts).
    rebuild_keys_on_bulk_insert: bool
    types: dict[FieldType, str]
    json_type: str
    # Whether a few contacts' facts are looked up by single-column ``IN (SELECT ...)`` steps
    # first, the only form DuckDB answers from an index (decision 0009); PostgreSQL's planner
    # finds its indexes from the joins themselves.
    index_lookups: bool = False


DUCKDB = Capabilities(
    name="duckdb",
    json_merge="json_merge_patch(coalesce({old}, '{{}}'::JSON), {new})",
    json_text="CAST({0} AS VARCHAR)",
    bulk_settings=(),
    rebuild_keys_on_bulk_insert=False,
    types={
        FieldType.ID: "VARCHAR", FieldType.TEXT: "VARCHAR", FieldType.ENUM: "VARCHAR",
        FieldType.TIMEZONE: "VARCHAR", FieldType.CURRENCY: "VARCHAR",
        FieldType.COUNTRY: "VARCHAR", FieldType.DATE: "DATE", FieldType.DATETIME: "TIMESTAMP",
        FieldType.DECIMAL: "DECIMAL(14,2)", FieldType.BOOLEAN: "BOOLEAN",
        FieldType.INTEGER: "INTEGER",
    },
    json_type="JSON",
    index_lookups=True,
)
POSTGRESQL = Capabilities(
    name="postgresql",
    json_merge="jsonb_strip_nulls(coalesce({old}, '{{}}'::jsonb) || {new})",
    json_text="CAST({0} AS TEXT)",
    # PostgreSQL's defaults (4 MB per sort or hash) send the merge's joins and aggregates to
    # disk; the import's transaction gets more, for itself only.
    bulk_settings=("SET LOCAL work_mem = '256MB'", "SET LOCAL maintenance_work_mem = '1GB'"),
    rebuild_keys_on_bulk_insert=True,
    types={
        FieldType.ID: "TEXT", FieldType.TEXT: "TEXT", FieldType.ENUM: "TEXT",
        FieldType.TIMEZONE: "TEXT", FieldType.CURRENCY: "TEXT", FieldType.COUNTRY: "TEXT",
        FieldType.DATE: "DATE", FieldType.DATETIME: "TIMESTAMP",
        FieldType.DECIMAL: "NUMERIC(14,2)", FieldType.BOOLEAN: "BOOLEAN",
        FieldType.INTEGER: "INTEGER",
    },
    json_type="JSONB",
)


def normalise_url(url: str | None) -> str:
    """Accept the URLs users write and return the SQLAlchemy URL of the store.

    ``duckdb:///relative/file.duckdb`` is made absolute against the current directory, so the
    printed location is unambiguous; ``postgresql://`` and ``postgres://`` use psycopg 3.
    """
    url = (url or DEFAULT_URL).strip()
    if url.startswith("duckdb:///"):
        path = url[len("duckdb:///"):]
        if path and path != ":memory:" and not path.startswith("/"):
            path = str(Path(path).resolve())
        return "duckdb:///" + path
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise StoreError(
        f"unsupported database URL {url!r}: use duckdb:///path/file.duckdb "
        "or postgresql://user@host/database"
    )


class Store:
    """A connection factory with the engine's capabilities."""

    def __init__(self, url: str | None = None) -> None:
        self.url = normalise_url(url)
        self.capabilities = DUCKDB if self.url.startswith("duckdb") else POSTGRESQL
        kwargs: dict[str, Any] = {}
        if self.kind == "postgresql":
            kwargs["pool_pre_ping"] = True
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, **kwargs)

    @property
    def kind(self) -> str:
        return self.capabilities.name

    @property
    def path(self) -> str:
        """The DuckDB file (DuckDB stores only)."""
        return self.url[len("duckdb:///"):]

    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True).replace("+psycopg", "")

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """One transaction: committed when the block ends, rolled back on any error."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
                started = time.perf_counter()  # the commit, traced like a slow statement
            elapsed = time.perf_counter() - started
            if elapsed >= 0.5:
                logging.getLogger("habitue.sql").info("%.2fs COMMIT", elapsed)
        except sa.exc.OperationalError as exc:  # server down, file locked
            raise StoreError(f"cannot use the store {self.display_url()}: {exc.orig}") from exc

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def store_from_env(url: str | None = None) -> Store:
    return Store(url or os.environ.get("HABITUE_DATABASE_URL"))


def native(conn: sa.Connection) -> Any:
    """The driver's own connection inside a SQLAlchemy connection (same transaction)."""
    return conn.connection.driver_connection
