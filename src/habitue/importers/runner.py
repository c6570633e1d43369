"""One import, from files to the store, all or nothing (``habitue import PATH``)."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from habitue.domain.format import ENTITIES, Entity
from habitue.importers.errors import FileSummary, ImportFailure
from habitue.importers.merge import Merger
from habitue.importers.mirror import merge_in_duckdb, worth_mirroring
from habitue.importers.parsing import DEFAULT_TIMEZONE, stage_entity
from habitue.importers.reading import RawTable, drop_raw, load_raw, sql_literal
from habitue.importers.sources import discover
from habitue.reporting import SILENT, Reporter
from habitue.storage import schema
from habitue.storage.bulk import (
    STAGED_REJECTS,
    SqlRunner,
    configure_duckdb,
    staging_area,
    untraced,
)
from habitue.storage.store import DUCKDB, Store, native

REJECT_COLUMNS = ("file", "line", "column", "value", "reason")


@dataclass
class ImportResult:
    run_id: int
    status: str  # succeeded | partial | failed
    files: list[FileSummary] = field(default_factory=list)
    rejects_path: Path | None = None
    rejected: int = 0
    ignored: list[str] = field(default_factory=list)
    touched_contacts: int = 0
    error: str | None = None

    @property
    def exit_code(self) -> int:
        return {"succeeded": 0, "partial": 2}.get(self.status, 1)

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "files": [f.as_dict() for f in self.files],
            "rejected": self.rejected,
            "rejects_path": str(self.rejects_path) if self.rejects_path else None,
            "ignored": self.ignored,
            "touched_contacts": self.touched_contacts,
            "error": self.error,
        }


# Called inside the import's transaction once the rows are merged, with the store's runner:
# ``_touched`` then lists the contacts whose facts changed (the real-time refresh uses it).
# The second argument: a DuckDB holding the store's tables as merged (a bulk import into
# PostgreSQL merged in DuckDB: ``importers.mirror``), where a batch may be computed; or None.
AfterMerge = Callable[[SqlRunner, SqlRunner | None], None]
# Called after each entity's merge, with ``m_<entity>`` still there (importers.records).
AfterEntity = Callable[[SqlRunner, Entity], None]


RUN_ID_LOCK = "SELECT pg_advisory_xact_lock(hashtext('habitue.records'))"
"""Taken (PostgreSQL) by whoever allocates a run id, here and by the records of the API's
events (``importers.records``, which hold it for their whole transaction): two runs never
get the same ``max + 1``."""


def start_run(store: Store, source: str, *, now: datetime) -> int:
    """Record a new run as ``running`` and return its id (allocated and recorded in one
    transaction, under :data:`RUN_ID_LOCK`). A caller that must know the id before the import
    starts (the API's background imports) passes it to ``run_import``."""
    runs = schema.import_runs
    with store.begin() as conn:
        if store.kind == "postgresql":
            conn.execute(sa.text(RUN_ID_LOCK))
        run_id = (conn.execute(sa.select(sa.func.max(runs.c.run_id))).scalar() or 0) + 1
        conn.execute(runs.insert().values(run_id=run_id, source=source, started_at=now,
                                          status="running"))
    return run_id


def _finish_run(store: Store, result: ImportResult, now: datetime) -> None:
    runs = schema.import_runs
    with store.begin() as conn:
        conn.execute(
            runs.update().where(runs.c.run_id == result.run_id).values(
                finished_at=now, status=result.status, summary=result.as_dict(),
                rejects_path=str(result.rejects_path) if result.rejects_path else None,
                error=result.error,
            )
        )


def run_import(
    store: Store,
    path: Path,
    *,
    now: datetime,
    entity: str | None = None,
    rejects_path: Path | None = None,
    reporter: Reporter = SILENT,
    memory_limit: str = "3GB",
    after_merge: AfterMerge | None = None,
    run_id: int | None = None,
    merge_engine: str = "auto",
) -> ImportResult:
    """Import a file or a directory of the open format; see ``spec/data-format.md``.

    Two phases. Staging reads, parses and checks every file in a DuckDB staging area outside
    any transaction of the store (DuckDB's transaction-local storage made the same work 2-4x
    slower). Merging then runs in one transaction of the store: references, inserts, updates,
    status history, real-time refresh; any error rolls all of it back.

    ``run_id``: a run already recorded by ``start_run`` (otherwise a new one is).
    ``merge_engine`` (PostgreSQL): where the merge runs: ``database`` (PostgreSQL itself),
    ``duckdb`` (the staging area, against a mirror of the store: ``importers.mirror``), or
    ``auto``: DuckDB for a bulk import.
    """
    path = Path(path)
    started = time.perf_counter()
    if run_id is None:
        run_id = start_run(store, str(path), now=now)
    result = ImportResult(run_id=run_id, status="running")
    staged: list[RawTable] = []
    try:
        sources, ignored = discover(path, entity)
        result.ignored = [p.name for p in ignored]
        known_orgs = _known_organisations(store)
        with staging_area(store, memory_limit) as area:
            _timezones(area.db, known_orgs)
            for source in sources:
                reporter.step(f"reading {source.name}", 0, None)
                raw = load_raw(area.db, source, STAGED_REJECTS)
                staged.append(raw)
                stage_entity(area.db, raw, STAGED_REJECTS)
                drop_raw(area.db, raw)
                if source.entity.name == "organisations":
                    _timezones(area.db, known_orgs)
            with store.begin() as conn:
                target = SqlRunner(native(conn), store.capabilities)
                target.begin_bulk()
                if store.kind == "duckdb":
                    configure_duckdb(target.conn, memory_limit)
                if store.kind == "postgresql" and worth_mirroring(target, staged, merge_engine):
                    reporter.step("reading the store", 0, None)
                    local = SqlRunner(untraced(area.db), DUCKDB)
                    merge_in_duckdb(
                        local, target, store.url, result.run_id,
                        lambda local, capture: merge_entities(local, staged, result, reporter,
                                                              capture), memory_limit)
                    rejects = finish_merge(target, staged, result, after_merge, engine=local)
                else:
                    area.expose(target, [r.source.entity for r in staged])
                    rejects = _merge(target, staged, result, reporter, after_merge)
                    area.hide(target)
        result.rejected = len(rejects)
        if rejects:
            result.rejects_path = write_rejects(
                rejects, rejects_path or Path.cwd() / f"habitue-import-{result.run_id}-rejects.csv"
            )
        result.status = "partial" if any(f.rejected for f in result.files) else "succeeded"
    except ImportFailure as exc:
        result.status, result.error, result.files = "failed", str(exc), []
    finally:
        for raw in staged:
            for tmp in raw.temp_files:
                tmp.unlink(missing_ok=True)
    # finished: the import's ``now`` plus how long it ran (the clock is the caller's: a test's
    # stepped clock, the server's app clock)
    _finish_run(store, result, now + timedelta(seconds=time.perf_counter() - started))
    return result


def write_rejects(rows: list[tuple], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECT_COLUMNS)
        writer.writerows(rows)
    return path


def _known_organisations(store: Store) -> list[tuple]:
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(
            schema.organisations.c.organisation_id, schema.organisations.c.institution_id,
            schema.organisations.c.timezone))]


def _timezones(staging, known: list[tuple]) -> None:
    """Time zones in which local date-times are read: per organisation and per institution
    (contacts), from this import's organisations and the store's."""
    staging.execute("CREATE OR REPLACE TABLE _known_orgs (organisation_id VARCHAR, "
                    "institution_id VARCHAR, timezone VARCHAR)")
    if known:
        staging.executemany("INSERT INTO _known_orgs VALUES (?, ?, ?)", known)
    has_staged = staging.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 's_organisations' "
        "AND database_name = current_database()").fetchone()[0]
    staged = ("SELECT organisation_id AS key, timezone, institution_id FROM s_organisations "
              "UNION ALL " if has_staged else "")
    not_staged = ("WHERE k.organisation_id NOT IN (SELECT organisation_id FROM s_organisations)"
                  if has_staged else "")
    staging.execute(
        f"""CREATE OR REPLACE TABLE _org_tz AS
        {staged}SELECT organisation_id AS key, timezone, institution_id FROM _known_orgs k
        {not_staged}"""
    )
    staging.execute(
        f"""CREATE OR REPLACE TABLE _inst_tz AS
        SELECT institution_id AS key, coalesce(min(timezone), '{DEFAULT_TIMEZONE}') AS timezone
        FROM _org_tz GROUP BY institution_id"""
    )


def _merge(target: SqlRunner, staged: list[RawTable], result: ImportResult,
           reporter: Reporter, after_merge: AfterMerge | None,
           after_entity: AfterEntity | None = None, analyze: bool = True) -> list[tuple]:
    """Entity by entity, in dependency order: check references against the store (which
    already holds the parents merged just before), merge, count. ``after_entity`` sees each
    entity's ``m_<entity>`` (its keys and their ``__action``) before it is dropped;
    ``analyze=False`` leaves the planner's statistics alone (a few rows written)."""
    merge_entities(target, staged, result, reporter, after_entity)
    return finish_merge(target, staged, result, after_merge, analyze)


def merge_entities(target: SqlRunner, staged: list[RawTable], result: ImportResult,
                   reporter: Reporter, after_entity: AfterEntity | None = None) -> None:
    """The merge itself (see ``_merge``), leaving ``rej`` and ``_touched`` for
    :func:`finish_merge`. ``target`` is the store, or the DuckDB mirror of a PostgreSQL
    store (``importers.mirror``)."""
    by_entity = {r.source.entity.name: r for r in staged}
    files = {name: raw.source.name for name, raw in by_entity.items()}
    target.recreate_temp("_touched", "SELECT CAST(NULL AS TEXT) AS institution_id, "
                         "CAST(NULL AS TEXT) AS contact_id LIMIT 0")
    merger = Merger(target, files, result.run_id)
    merger.build_orgmap()
    for entity in ENTITIES:
        raw = by_entity.get(entity.name)
        if raw is None:
            continue
        reporter.step(f"checking {raw.source.name}", 0, None)
        merger.check_references(entity)
        if "institution_id" in entity.field_names:
            merger.insert_institutions(entity)
        reporter.step(f"merging {raw.source.name}", 0, None)
        merger.merge_entity(entity, raw.known, bool(raw.unknown))
        if entity.name == "order_lines":
            merger.merge_statuses()
        if entity.name == "organisations":
            merger.build_orgmap()
        counts = merger.counts(entity)
        rejected = target.scalar(
            f"SELECT count(DISTINCT line) FROM rej WHERE file = {sql_literal(raw.source.name)}")
        result.files.append(FileSummary(
            file=raw.source.name, entity=entity.name, format=raw.source.format,
            encoding=raw.encoding, delimiter=raw.delimiter, read=raw.rows,
            inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged,
            rejected=rejected, unknown_columns=list(raw.unknown.values()),
        ))
        merger.collect_touched_contacts(entity)
        if after_entity is not None:
            after_entity(target, entity)
        target.drop(f"m_{entity.name}", "m_statuses", "m_statuses_new")
    result.touched_contacts = target.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT institution_id, contact_id FROM _touched) t")
    target.drop("_orgmap")


def finish_merge(target: SqlRunner, staged: list[RawTable], result: ImportResult,
                 after_merge: AfterMerge | None, analyze: bool = True,
                 engine: SqlRunner | None = None) -> list[tuple]:
    """Once the rows are merged into the store: the real-time refresh (``after_merge``, on
    ``_touched``, given ``engine``: see :data:`AfterMerge`), the rejects recorded and
    returned, the planner's statistics."""
    if after_merge is not None:
        after_merge(target, engine)
    target.execute(
        f"""INSERT INTO import_rejects (run_id, file, line, column_name, value, reason)
        SELECT {result.run_id}, file, line, column_name, value, reason FROM rej"""
    )
    rejects = target.fetchall(
        "SELECT file, line, column_name, value, reason FROM rej ORDER BY file, line, column_name"
    )
    target.drop("rej", "_touched")
    if analyze and target.capabilities.name == "postgresql":
        # the planner's statistics of the tables just written (autovacuum may be off, and
        # would come later anyway): without them, the next queries may pick dreadful plans
        for raw in staged:
            target.execute(f"ANALYZE {raw.source.entity.name}")
            if raw.source.entity.name == "order_lines":
                target.execute("ANALYZE order_line_statuses")
    return rejects


def summary_json(result: ImportResult) -> str:
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False)
