"""A lake: the facts of a store as Parquet files, for an engine beyond one machine (Spark).

Layout of a lake directory (``docs/spark.md``)::

    manifest.json                         what was exported, when, from which schema revision
    <table>/organisation_id=<id>/*.parquet   tables with an organisation (Hive partitions)
    contacts/institution_id=<id>/*.parquet   tables keyed by institution only
    results/manifest.json                 what a Spark computation wrote (``habitue compute
    results/values-<n>/*.parquet           --engine spark``): per group of organisations, the
                                          values and levels, as a batch's ``_ind_new`` table

Only the columns the compiled indicator steps read are exported (found in their SQL, never
listed by hand), with the compiler's types: a contact is its id, institution, kind and birth
date, nothing that names or reaches a person. Each file also holds its partition column:
the directory names (percent-encoded UTF-8) are for people and file listings, no reader needs
to decode them (Spark decodes them as Latin-1, which garbles an accented id).

The store is read through DuckDB: a DuckDB store's own ``COPY … TO`` (partitioned, on every
core); a PostgreSQL store's rows streamed as Arrow through ADBC (as batches pull their facts,
decision 0006) into DuckDB's Parquet writer, never held whole in memory.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from habitue.storage.bulk import SqlRunner, scratch_runner
from habitue.storage.fact_pull import duckdb_engine, hand_back, read_postgres
from habitue.storage.sql_reads import referenced_columns, table_schema
from habitue.storage.store import Store, native

LAKE_FORMAT = "habitue-lake"
RESULTS_FORMAT = "habitue-results"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RESULTS = "results"

# what a batch reads besides its compiled steps: the organisations and their institutions,
# the seasons (each organisation's context) and which indicators each institution disabled
ORCHESTRATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations": ("organisation_id", "institution_id"),
    "seasons": ("organisation_id", "season_id", "start_date", "end_date"),
    "indicator_settings": ("institution_id", "indicator", "enabled"),
}

_DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP",
                 "boolean": "BOOLEAN", "int32": "INTEGER", "int64": "BIGINT",
                 "float64": "DOUBLE"}


class LakeError(Exception):
    """A lake directory that cannot be written or read as asked."""


# -- what a lake holds ------------------------------------------------------------------------

def partition_column(columns: Iterable[str]) -> str | None:
    """``organisation_id`` when the table has one, else ``institution_id`` (contacts,
    indicator settings), else none."""
    names = set(columns)
    for candidate in ("organisation_id", "institution_id"):
        if candidate in names:
            return candidate
    return None


def lake_columns(sqls: Iterable[str]) -> dict[str, ibis.Schema]:
    """Table -> the typed columns a lake holds of it: what ``sqls`` (the compiled steps) read,
    plus what the batch's orchestration reads (:data:`ORCHESTRATION_COLUMNS`), in the
    table's order; the partition column always."""
    wanted = referenced_columns(sqls)
    for name, columns in ORCHESTRATION_COLUMNS.items():
        wanted.setdefault(name, set()).update(columns)
    out = {}
    for name in sorted(wanted):
        schema = table_schema(name)
        keep = wanted[name] | {partition_column(schema.names)} - {None}
        out[name] = ibis.schema({c: t for c, t in schema.items() if c in keep})
    return out


@dataclass(frozen=True)
class LakeTable:
    columns: dict[str, dt.DataType]
    partition_by: str | None
    rows: int


@dataclass(frozen=True)
class LakeManifest:
    exported_at: str
    store_kind: str
    schema_revision: str | None
    organisations: list[dict]
    tables: dict[str, LakeTable] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({
            "format": LAKE_FORMAT, "version": FORMAT_VERSION, "exported_at": self.exported_at,
            "store": {"kind": self.store_kind, "schema_revision": self.schema_revision},
            "organisations": self.organisations,
            "tables": {name: {"partition_by": t.partition_by, "rows": t.rows,
                              "columns": {c: str(ty) for c, ty in t.columns.items()}}
                       for name, t in self.tables.items()},
        }, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> LakeManifest:
        data = _checked(text, LAKE_FORMAT)
        return cls(
            exported_at=data["exported_at"], store_kind=data["store"]["kind"],
            schema_revision=data["store"]["schema_revision"],
            organisations=data["organisations"],
            tables={name: LakeTable({c: dt.dtype(ty) for c, ty in t["columns"].items()},
                                    t["partition_by"], t["rows"])
                    for name, t in data["tables"].items()},
        )


def _checked(text: str, kind: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LakeError(f"not a manifest of Habitué ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != kind:
        raise LakeError(f"not a {kind} manifest")
    if data.get("version") != FORMAT_VERSION:
        raise LakeError(f"{kind} version {data.get('version')} is not supported "
                        f"(this Habitué reads version {FORMAT_VERSION})")
    return data


def join(base: str, *parts: str) -> str:
    """``base`` (a local path or a URI: ``hdfs://…``, ``s3a://…``) and ``parts``, with ``/``."""
    return "/".join([base.rstrip("/"), *parts])


def read_manifest(directory: Path) -> LakeManifest:
    path = directory / MANIFEST
    if not path.is_file():
        raise LakeError(f"{directory} is not a lake: it has no {MANIFEST} "
                        "(write one with `habitue export-lake`)")
    return LakeManifest.from_json(path.read_text(encoding="utf-8"))


# -- export -------------------------------------------------------------------------------------

def _duckdb_type(dtype: dt.DataType) -> str:
    if dtype.is_decimal():
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    return _DUCKDB_TYPES[str(dtype).lstrip("!")]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _row_filter(schema: ibis.Schema, organisations: Sequence[dict]) -> str:
    """The rows of the exported organisations (their institutions for tables without one)."""
    column = partition_column(schema.names)
    if column is None:
        return "TRUE"
    values = sorted({o[column] for o in organisations})
    if not values:
        return "FALSE"
    return f"{column} IN ({', '.join(_quote(v) for v in values)})"


def _copy_options(target: Path, partition: str | None) -> tuple[str, str]:
    """Where ``COPY … TO`` writes a table, and its options (zstd-compressed Parquet)."""
    if partition is None:
        target.mkdir(parents=True, exist_ok=True)
        return str(target / "data_0.parquet"), "FORMAT parquet, COMPRESSION zstd"
    return str(target), (f"FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({partition}), "
                         "WRITE_PARTITION_COLUMNS true")


def _copy_sql(source: str, schema: ibis.Schema, target: Path) -> str:
    casts = ", ".join(f"CAST({c} AS {_duckdb_type(t)}) AS {c}" for c, t in schema.items())
    path, options = _copy_options(target, partition_column(schema.names))
    return f"COPY (SELECT {casts} FROM {source}) TO {_quote(path)} ({options})"


def _prepare(directory: Path) -> None:
    """An empty directory, or a lake written before (its tables and results replaced); never
    someone's directory of other files."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MANIFEST).is_file():
            raise LakeError(f"{directory} is not empty and not a lake: choose an empty "
                            "directory")
        for child in directory.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)


def export_lake(store: Store, directory: Path, columns: Mapping[str, ibis.Schema], *,
                organisations: Sequence[str] | None, exported_at: datetime,
                schema_revision: str | None, memory_limit: str) -> LakeManifest:
    """Write ``columns`` (table -> typed columns, :func:`lake_columns`) of the store's rows of
    ``organisations`` (None: all) under ``directory``, then its manifest (last: a lake
    without one is an unfinished export)."""
    if store.kind == "duckdb":
        with scratch_runner(store, memory_limit) as runner:
            orgs = _organisations(runner, organisations)
            _prepare(directory)
            rows = {name: _export_duckdb(runner, name, schema, directory, orgs)
                    for name, schema in columns.items()}
    else:
        with store.connect() as conn:
            orgs = _organisations(SqlRunner(native(conn), store.capabilities), organisations)
        _prepare(directory)
        rows = _export_postgres(store.url, columns, directory, orgs, memory_limit)
    manifest = LakeManifest(
        exported_at=exported_at.isoformat(), store_kind=store.kind,
        schema_revision=schema_revision, organisations=orgs,
        tables={name: LakeTable(dict(schema.items()), partition_column(schema.names),
                                rows[name]) for name, schema in columns.items()})
    (directory / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _organisations(runner: SqlRunner, only: Sequence[str] | None) -> list[dict]:
    rows = runner.fetchall("SELECT organisation_id, institution_id FROM organisations "
                           "ORDER BY organisation_id")
    found = [{"organisation_id": o, "institution_id": i} for o, i in rows
             if not only or o in only]
    missing = sorted(set(only or ()) - {o["organisation_id"] for o in found})
    if missing:
        raise LakeError(f"unknown organisation(s): {', '.join(missing)}")
    return found


def _export_duckdb(runner: SqlRunner, name: str, schema: ibis.Schema, directory: Path,
                   orgs: Sequence[dict]) -> int:
    source = f"{name} WHERE {_row_filter(schema, orgs)}"
    return int(runner.conn.execute(_copy_sql(source, schema, directory / name)).fetchone()[0])


def _export_postgres(url: str, columns: Mapping[str, ibis.Schema], directory: Path,
                     orgs: Sequence[dict], memory_limit: str) -> dict[str, int]:
    """Each table streamed out of PostgreSQL (ADBC, binary ``COPY``) into DuckDB's Parquet
    writer, two tables at a time (two connections, two cores)."""
    pg_url = url.replace("postgresql+psycopg://", "postgresql://")
    with duckdb_engine(memory_limit) as engine:
        db = engine.conn  # its cursor() is DuckDB's own: one per thread
        # the biggest first, so that the smaller ones run beside it
        names = sorted(columns, key=lambda n: (n != "order_lines", n != "order_line_statuses",
                                               n != "orders", n))
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {name: pool.submit(_stream_table, pg_url, db, name, columns[name],
                                         directory, orgs) for name in names}
            return {name: future.result() for name, future in futures.items()}


def _stream_table(pg_url: str, db: Any, name: str, schema: ibis.Schema, directory: Path,
                  orgs: Sequence[dict]) -> int:
    query = (f"SELECT {', '.join(schema.names)} FROM {name} "
             f"WHERE {_row_filter(schema, orgs)}")
    row = read_postgres(pg_url, db, query,
                        lambda source: _copy_sql(source, schema, directory / name))
    return int(row[0])


# -- results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResultGroup:
    """The values of one group of organisations (the same enabled indicators)."""

    path: str
    codes: tuple[str, ...]
    organisations: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class ResultsManifest:
    as_of: str
    computed_at: str
    engine: str
    lake_exported_at: str
    groups: tuple[ResultGroup, ...]

    def to_json(self) -> str:
        return json.dumps({
            "format": RESULTS_FORMAT, "version": FORMAT_VERSION, "as_of": self.as_of,
            "computed_at": self.computed_at, "engine": self.engine,
            "lake_exported_at": self.lake_exported_at,
            "groups": [{"path": g.path, "codes": list(g.codes),
                        "organisations": list(g.organisations), "rows": g.rows}
                       for g in self.groups],
        }, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ResultsManifest:
        data = _checked(text, RESULTS_FORMAT)
        return cls(as_of=data["as_of"], computed_at=data["computed_at"],
                   engine=data["engine"], lake_exported_at=data["lake_exported_at"],
                   groups=tuple(ResultGroup(g["path"], tuple(g["codes"]),
                                            tuple(g["organisations"]), g["rows"])
                                for g in data["groups"]))


def read_results(directory: Path) -> tuple[Path, ResultsManifest]:
    """The results directory (``directory/results``, or ``directory`` itself when it is one:
    results copied back from a cluster's file system) and its manifest."""
    nested = directory / RESULTS / MANIFEST
    if nested.is_file():
        return nested.parent, ResultsManifest.from_json(nested.read_text(encoding="utf-8"))
    own = directory / MANIFEST
    if own.is_file():
        text = own.read_text(encoding="utf-8")
        if json.loads(text).get("format") == RESULTS_FORMAT:
            return directory, ResultsManifest.from_json(text)
    raise LakeError(f"{directory} holds no results: run `habitue compute --engine spark "
                    f"--lake {directory}` first")


def load_results(runner: SqlRunner, table: str, files: Path, memory_limit: str) -> int:
    """The Parquet files under ``files`` as the temporary table ``table`` of the store
    (``runner``: a DuckDB store's scratch runner or a PostgreSQL transaction's), with the
    columns and types Spark wrote. Returns its rows."""
    source = f"read_parquet({_quote(str(files / '*.parquet'))})"
    if runner.capabilities.name == "duckdb":
        runner.recreate_temp(table, f"SELECT * FROM {source}")
    else:
        with duckdb_engine(memory_limit) as engine:
            engine.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")
            hand_back(engine, runner, table)
    return int(runner.scalar(f"SELECT count(*) FROM {table}"))
