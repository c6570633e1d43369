"""A Spark engine for batch computations, over a lake of Parquet files (``storage.lake``).

The indicator steps are the same compiled Ibis expressions as on DuckDB and PostgreSQL, in
Ibis's ``pyspark`` SQL dialect. :class:`SparkRunner` offers what a batch needs of a
:class:`~habitue.storage.bulk.SqlRunner` (``execute``, ``fetchall``, ``scalar``,
``recreate_temp``, ``drop``, ``capabilities``) on a ``SparkSession`` whose temporary views over
the lake carry the store's table names, so the services run the batch's steps on it unchanged.
A step's result is a checkpointed temporary view: computed once and kept by the executors,
read by the later steps as a temporary table would be.

PySpark is the optional extra ``habitue[spark]``: it is imported here only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ibis.expr.datatypes as dt
import sqlglot

from habitue.domain.calendar import SeasonContext
from habitue.domain.format import FieldType
from habitue.storage import lake
from habitue.storage.store import Capabilities

SPARK = Capabilities(
    name="pyspark",
    json_merge="",  # no JSON is merged on a Spark engine: it computes, the store writes
    json_text="CAST({0} AS STRING)",
    bulk_settings=(),
    rebuild_keys_on_bulk_insert=False,
    types={
        FieldType.ID: "STRING", FieldType.TEXT: "STRING", FieldType.ENUM: "STRING",
        FieldType.TIMEZONE: "STRING", FieldType.CURRENCY: "STRING",
        FieldType.COUNTRY: "STRING", FieldType.DATE: "DATE",
        FieldType.DATETIME: "TIMESTAMP_NTZ", FieldType.DECIMAL: "DECIMAL(14,2)",
        FieldType.BOOLEAN: "BOOLEAN", FieldType.INTEGER: "INT",
    },
    json_type="STRING",
)

# Every session of Habitué, whatever the caller's settings: timestamps are the store's naive
# UTC instants, read as TIMESTAMP_NTZ, and the session's zone is UTC so that no conversion can
# shift them.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
}
# Defaults a caller may change: the CLI shows its own progress.
DEFAULT_CONF = {"spark.ui.showConsoleProgress": "false"}


class SparkError(Exception):
    """Spark cannot run here (PySpark or Java missing, the JVM failing) or read the lake."""


_SPARK_TYPES = {"string": "STRING", "date": "DATE", "timestamp": "TIMESTAMP_NTZ",
                "boolean": "BOOLEAN", "int32": "INT", "int64": "BIGINT", "float64": "DOUBLE"}


def spark_type(dtype: dt.DataType) -> str:
    """The Spark SQL type of a column of the compiler's schemas (timestamps without zone)."""
    if dtype.is_decimal():
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    return _SPARK_TYPES[str(dtype).lstrip("!")]


def register_dialect() -> None:
    """Ibis's ``pyspark`` SQL compiler reads the backend's options, which exist once the
    backend is loaded: load it before compiling."""
    from ibis.backends.pyspark import Backend

    Backend.register_options()


def _spark_sql(sql: str) -> str:
    """A statement written for the stores (``indicator_store``'s queries: standard SQL, quotes
    doubled in literals) in Spark's dialect, where ``'l''x'`` would be two literals glued
    together and a backslash an escape."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkRunner:
    """What a batch computation asks of a runner, on a Spark session. ``execute``,
    ``fetchall`` and ``scalar`` take the stores' SQL (translated); ``recreate_temp`` the
    compiled steps, in Spark's dialect already."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.capabilities = SPARK
        self._frames: dict[str, Any] = {}

    def execute(self, sql: str) -> None:
        self.session.sql(_spark_sql(sql))

    def fetchall(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self.session.sql(_spark_sql(sql)).collect()]

    def scalar(self, sql: str) -> Any:
        rows = self.fetchall(sql)
        return rows[0][0] if rows else None

    def recreate_temp(self, name: str, select: str) -> None:
        """``name``: a temporary view of ``select``, computed now and kept by the executors
        (memory, then disk) until dropped. A local checkpoint, not ``CACHE TABLE``: its rows
        no longer depend on the views it was computed from, which the batch drops (a cached
        view is re-resolved by name, and recomputed when what it read is uncached)."""
        self.drop(name)
        frame = self.session.sql(select).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def drop(self, *names: str) -> None:
        for name in names:
            self.session.catalog.dropTempView(name)
            self._frames.pop(name, None)  # its blocks are freed once unreferenced

    def register_view(self, name: str, path: str, columns: Mapping[str, dt.DataType],
                      rows: int) -> None:
        """``name``: a temporary view of the Parquet files under ``path`` and its
        sub-directories, typed by ``columns``; an empty view when the lake holds no row. The
        partition directories are not decoded: the files hold their partition column."""
        ddl = ", ".join(f"{c} {spark_type(t)}" for c, t in columns.items())
        if rows:
            frame = (self.session.read.option("recursiveFileLookup", "true").schema(ddl)
                     .parquet(path))
        else:  # a table exported empty has no file
            frame = self.session.sql("SELECT " + ", ".join(
                f"CAST(NULL AS {spark_type(t)}) AS {c}" for c, t in columns.items())
                + " WHERE 1 = 0")
        frame.createOrReplaceTempView(name)

    def write_parquet(self, name: str, path: str) -> int:
        """Write the view ``name`` as Parquet files under ``path`` (replaced); its rows."""
        frame = self.session.table(name)
        frame.write.mode("overwrite").parquet(path)
        return frame.count()

    def read_text(self, path: str) -> str:
        """A small text file (a manifest) of any file system Spark reaches (local, HDFS,
        S3 through ``s3a://``)."""
        from pyspark.errors import AnalysisException

        try:
            rows = self.session.read.text(path, wholetext=True).collect()
        except AnalysisException as exc:  # PATH_NOT_FOUND and the like
            raise SparkError(f"cannot read {path}: {str(exc).splitlines()[0]}") from exc
        return "\n".join(r[0] for r in rows)

    def write_text(self, path: str, text: str) -> None:
        """Write ``text`` as the single file ``path``, through Hadoop's file system API (what
        Spark writes with is a directory of part files, not one named file)."""
        target, fs = self._hadoop_path(path)
        out = fs.create(target, True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def delete(self, path: str) -> None:
        """Remove ``path`` and what it holds, if it exists (any file system Spark reaches)."""
        target, fs = self._hadoop_path(path)
        fs.delete(target, True)

    def _hadoop_path(self, path: str) -> tuple[Any, Any]:
        jvm = self.session.sparkContext._jvm
        target = jvm.org.apache.hadoop.fs.Path(path)
        return target, target.getFileSystem(self.session.sparkContext._jsc.hadoopConfiguration())


@contextmanager
def spark_runner(*, master: str | None = None, conf: Mapping[str, str] | None = None,
                 app_name: str = "habitue") -> Iterator[SparkRunner]:
    """A Spark session (``master``: ``spark://host:7077``, ``yarn``…; None: what
    ``spark-submit`` or ``spark-defaults.conf`` says, else ``local[*]``; ``conf``: Spark
    settings, e.g. ``spark.executor.memory``), stopped at the end."""
    session_class = _pyspark_session()
    register_dialect()
    builder = session_class.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in {**DEFAULT_CONF, **(conf or {}), **SESSION_CONF}.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: its reason is on stderr
        raise SparkError(f"Spark did not start ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'see above'})") from exc
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield SparkRunner(session)
    finally:
        session.stop()


def _pyspark_session() -> Any:
    """PySpark's ``SparkSession``, once it is known that Spark can start: PySpark installed
    (the extra ``habitue[spark]``) and a Java runtime to run it."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkError("PySpark is not installed: pip install 'habitue[spark]'") from exc
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").is_file()) and not shutil.which("java"):
        raise SparkError("Spark needs a Java runtime (17 or later) and none was found: install "
                         "one (e.g. openjdk-17-jre-headless) or set JAVA_HOME")
    return SparkSession


def open_lake(runner: SparkRunner, manifest: lake.LakeManifest, base: str) -> None:
    """Register a view per table of the lake at ``base`` (a path or a URI), named after the
    store's table."""
    for name, table in manifest.tables.items():
        runner.register_view(name, lake.join(base, name), table.columns, table.rows)


# -- the context --------------------------------------------------------------------------------

def _literal(value: Any) -> str:
    """A Spark SQL literal (backslashes are escapes in Spark's string literals)."""
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return f"TIMESTAMP_NTZ '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


_CONTEXT_COLUMNS = ("organisation_id", "institution_id", "current_season_id",
                    "previous_season_id", "young_born_from", "as_of", "end_ts", "months_12",
                    "months_36", "years_1", "years_3", "years_4")


def write_context(runner: SparkRunner, contexts: Sequence[tuple[SeasonContext, str]],
                  dates: dict) -> None:
    """``_ind_ctx`` on Spark (what ``indicator_store.write_context`` writes on a store): a
    checkpointed view of literal rows, typed as the compiler's context schema. Plain SQL, so no
    Python runs on Spark's executors."""
    from habitue.indicators.sources import CONTEXT_SCHEMA

    tail = [dates[k] for k in _CONTEXT_COLUMNS[5:]]
    rows = [
        (c.organisation_id, inst, c.current.season_id if c.current else None,
         c.previous.season_id if c.previous else None, c.young_born_from, *tail)
        for c, inst in contexts
    ]
    columns = ", ".join(f"CAST(c{i} AS {spark_type(CONTEXT_SCHEMA[name])}) AS {name}"
                        for i, name in enumerate(_CONTEXT_COLUMNS))
    if not rows:
        rows = [(None,) * len(_CONTEXT_COLUMNS)]
        where = " WHERE 1 = 0"
    else:
        where = ""
    values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    aliases = ", ".join(f"c{i}" for i in range(len(_CONTEXT_COLUMNS)))
    runner.recreate_temp("_ind_ctx",
                         f"SELECT {columns} FROM VALUES {values} AS t({aliases}){where}")
