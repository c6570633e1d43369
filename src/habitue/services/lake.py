"""Beyond one machine: a lake of the facts, the indicators computed on it by Spark, and the
results brought back into the store (``docs/spark.md``).

Three steps, each its own command, so that the lake can travel to a cluster and the results
back: ``export_lake`` (store -> Parquet), ``compute_on_spark`` (Parquet -> Spark -> Parquet;
no store needed) and ``import_results`` (Parquet -> the store, as one batch). The indicator
logic is the compiled Ibis steps of every batch, in Spark's dialect; how a group of
organisations is computed (``compute_group``) and how a batch is stored (``store_batch``) are
the very functions of ``services.indicators``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from habitue.indicators.catalogue import INDICATORS
from habitue.indicators.compiler import compile_sql
from habitue.indicators.facts import Window
from habitue.reporting import SILENT, Reporter
from habitue.services.indicators import (
    ComputeSummary,
    codes_for,
    compute_group,
    organisation_groups,
    store_batch,
)
from habitue.storage import indicator_store as ist
from habitue.storage import lake, migrate
from habitue.storage.bulk import SqlRunner, duckdb_transaction, scratch_runner
from habitue.storage.store import Store, native


def export_lake(store: Store, directory: Path, *, now: datetime,
                organisations: Sequence[str] | None = None, memory_limit: str = "3GB",
                reporter: Reporter = SILENT) -> lake.LakeManifest:
    """Write the facts every indicator reads (all organisations, or ``organisations``) as a
    lake of Parquet files under ``directory``."""
    migrate.require_current(store)
    steps = compile_sql("duckdb", tuple(i.code for i in INDICATORS), False)
    columns = lake.lake_columns([*(sql for _, sql in steps.facts), steps.values])
    reporter.step("exporting the facts", 0, None)
    return lake.export_lake(store, directory, columns, organisations=organisations,
                            exported_at=now, schema_revision=migrate.current_revision(store),
                            memory_limit=memory_limit)


@dataclass(frozen=True)
class SparkSummary:
    as_of: date
    organisations: int
    contacts: int
    values: int
    results: str
    engine: str


def compute_on_spark(lake_path: str, *, as_of: date, now: datetime, master: str | None = None,
                     conf: Mapping[str, str] | None = None,
                     organisations: Sequence[str] | None = None,
                     reporter: Reporter = SILENT) -> SparkSummary:
    """Compute every enabled indicator of the lake at ``lake_path`` (a directory, or a URI
    Spark reads: ``hdfs://…``, ``s3a://…``) as of ``as_of`` on Spark (``master``), and write
    the values and levels under ``<lake>/results``."""
    from habitue.storage import spark

    reporter.step("starting Spark", 0, None)
    with spark.spark_runner(master=master, conf=conf) as runner:
        manifest = lake.LakeManifest.from_json(
            runner.read_text(lake.join(lake_path, lake.MANIFEST)))
        spark.open_lake(runner, manifest, lake_path)
        orgs = ist.load_organisations(runner, organisations)
        unknown = sorted(set(organisations or ()) - {o for o, _ in orgs})
        if unknown:
            raise lake.LakeError(f"organisation(s) not in the lake: {', '.join(unknown)}")
        seasons = ist.load_seasons(runner)
        window = Window(as_of)
        # earlier results go first: a computation that fails leaves none, never a mix
        runner.delete(lake.join(lake_path, lake.RESULTS))
        groups = []
        contacts = values = 0
        for i, (codes, group) in enumerate(
                organisation_groups(runner, orgs, codes_for("full")).items()):
            table = f"_ind_new_{i}"
            compute_group(runner, table, codes, group, seasons, window, reporter=reporter,
                          write_context=spark.write_context)
            reporter.step("writing the results", 0, None)
            path = f"values-{i}"
            rows = runner.write_parquet(table, lake.join(lake_path, lake.RESULTS, path))
            contacts += runner.scalar(f"SELECT count(DISTINCT contact_id) FROM {table}")
            runner.drop(table)
            values += rows * len(codes)
            groups.append(lake.ResultGroup(path, codes, tuple(o for o, _ in group), rows))
        results = lake.ResultsManifest(
            as_of=as_of.isoformat(), computed_at=now.isoformat(),
            engine=f"pyspark {runner.session.version}",
            lake_exported_at=manifest.exported_at, groups=tuple(groups))
        runner.write_text(lake.join(lake_path, lake.RESULTS, lake.MANIFEST), results.to_json())
    return SparkSummary(as_of, len(orgs), contacts, values,
                        lake.join(lake_path, lake.RESULTS), results.engine)


def import_results(store: Store, directory: Path, *, memory_limit: str = "3GB",
                   reporter: Reporter = SILENT) -> ComputeSummary:
    """Store the results Spark wrote under ``directory/results`` (or ``directory``, a copy of
    that results directory) as one batch, exactly as a
    computation in the store stores its values (level changes, thresholds, batch record,
    segment sizes). The batch is dated when Spark computed it."""
    migrate.require_current(store)
    directory, results = lake.read_results(directory)
    as_of = date.fromisoformat(results.as_of)
    computed_at = datetime.fromisoformat(results.computed_at)
    if store.kind == "duckdb":
        with scratch_runner(store, memory_limit) as runner:
            computed = _load(runner, directory, results, memory_limit, reporter)
            return store_batch(runner, computed, as_of=as_of, cadence="full",
                               now=computed_at, organisations=_organisations(computed),
                               reporter=reporter, writing=lambda: duckdb_transaction(runner))
    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        runner.begin_bulk()
        computed = _load(runner, directory, results, memory_limit, reporter)
        return store_batch(runner, computed, as_of=as_of, cadence="full", now=computed_at,
                           organisations=_organisations(computed), reporter=reporter)


def _organisations(computed: Sequence[tuple]) -> list[str]:
    return sorted({o for _, _, orgs in computed for o in orgs})


def _load(runner: SqlRunner, directory: Path, results: lake.ResultsManifest,
          memory_limit: str, reporter: Reporter) -> list[tuple[str, tuple[str, ...], list[str]]]:
    """Each group's Parquet files as a temporary table ``_ind_new_<n>``, checked against the
    store (its organisations must be there) and against the manifest (its row count)."""
    known = {o for o, _ in ist.load_organisations(runner)}
    reporter.step("reading the results", 0, None)
    computed = []
    for i, group in enumerate(results.groups):
        missing = sorted(set(group.organisations) - known)
        if missing:
            raise lake.LakeError(f"the results are for organisation(s) this store does not "
                                 f"have: {', '.join(missing)}")
        table = f"_ind_new_{i}"
        rows = lake.load_results(runner, table, directory / group.path, memory_limit)
        if rows != group.rows:
            raise lake.LakeError(f"{group.path}: {rows} rows where the manifest says "
                                 f"{group.rows}: the results are incomplete")
        computed.append((table, group.codes, list(group.organisations)))
    return computed
