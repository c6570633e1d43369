"""One import, from files to the store, all or nothing (``habitue import PATH``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from habitue.domain.format import ENTITIES
from habitue.importers.errors import FileSummary, ImportFailure
from habitue.importers.merge import Merger
from habitue.importers.parsing import DEFAULT_TIMEZONE, stage_entity
from habitue.importers.reading import RawTable, load_raw
from habitue.importers.sources import SourceFile, discover
from habitue.reporting import SILENT, Reporter
from habitue.storage import schema
from habitue.storage.bulk import (
    SqlRunner,
    configure_duckdb,
    copy_duckdb_to_postgres,
    staged_columns_ddl,
    staging_database,
)
from habitue.storage.store import DUCKDB, Store, native

REJECT_COLUMNS = ("file", "line", "column", "value", "reason")
REJ_DDL = "file VARCHAR, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR, key VARCHAR"


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
AfterMerge = Callable[[SqlRunner], None]


def _next_run_id(store: Store) -> int:
    with store.connect() as conn:
        current = conn.execute(sa.select(sa.func.max(schema.import_runs.c.run_id))).scalar()
    return (current or 0) + 1


def _record_run(store: Store, result: ImportResult, source: str, now: datetime,
                finished: bool) -> None:
    runs = schema.import_runs
    with store.begin() as conn:
        if not finished:
            conn.execute(runs.insert().values(run_id=result.run_id, source=source,
                                              started_at=now, status="running"))
            return
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
) -> ImportResult:
    """Import a file or a directory of the open format; see ``spec/data-format.md``."""
    path = Path(path)
    result = ImportResult(run_id=_next_run_id(store), status="running")
    _record_run(store, result, str(path), now, finished=False)
    try:
        sources, ignored = discover(path, entity)
        result.ignored = [p.name for p in ignored]
        with store.begin() as conn:
            target = SqlRunner(native(conn), store.capabilities)
            if store.kind == "duckdb":
                configure_duckdb(target.conn, memory_limit)
                rejects = _import(target, target.conn, sources, result, reporter, after_merge)
            else:
                with staging_database(memory_limit) as staging:
                    rejects = _import(target, staging, sources, result, reporter, after_merge)
        result.rejected = len(rejects)
        if rejects:
            result.rejects_path = write_rejects(
                rejects, rejects_path or Path.cwd() / f"habitue-import-{result.run_id}-rejects.csv"
            )
        result.status = "partial" if any(f.rejected for f in result.files) else "succeeded"
    except ImportFailure as exc:
        result.status, result.error, result.files = "failed", str(exc), []
    _record_run(store, result, str(path), datetime.now(), finished=True)
    return result


def write_rejects(rows: list[tuple], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECT_COLUMNS)
        writer.writerows(rows)
    return path


def _timezones(target: SqlRunner, staging) -> None:
    """Time zones in which local date-times are read: per organisation and per institution
    (contacts), from this import's organisations and the store's."""
    known = target.fetchall("SELECT organisation_id, institution_id, timezone FROM organisations")
    staging.execute("CREATE OR REPLACE TEMP TABLE _known_orgs (organisation_id VARCHAR, "
                    "institution_id VARCHAR, timezone VARCHAR)")
    if known:
        staging.executemany("INSERT INTO _known_orgs VALUES (?, ?, ?)", known)
    staging.execute(
        """CREATE OR REPLACE TEMP TABLE _org_tz AS
        SELECT organisation_id AS key, timezone, institution_id FROM s_organisations
        UNION ALL SELECT organisation_id, timezone, institution_id FROM _known_orgs k
        WHERE k.organisation_id NOT IN (SELECT organisation_id FROM s_organisations)"""
    )
    staging.execute(
        f"""CREATE OR REPLACE TEMP TABLE _inst_tz AS
        SELECT institution_id AS key, coalesce(min(timezone), '{DEFAULT_TIMEZONE}') AS timezone
        FROM _org_tz GROUP BY institution_id"""
    )


def _empty_staged(db, entity, caps) -> None:
    db.execute(f"DROP TABLE IF EXISTS s_{entity.name}")
    db.execute(f"CREATE TEMP TABLE s_{entity.name} ({staged_columns_ddl(entity, caps)})")


def _import(target: SqlRunner, staging, sources: list[SourceFile], result: ImportResult,
            reporter: Reporter, after_merge: AfterMerge | None) -> list[tuple]:
    by_entity = {s.entity.name: s for s in sources}
    raws: dict[str, RawTable] = {}
    staging.execute(f"CREATE OR REPLACE TEMP TABLE rej ({REJ_DDL})")
    try:
        for entity in ENTITIES:
            if entity.name not in by_entity:
                _empty_staged(staging, entity, DUCKDB)
            else:
                source = by_entity[entity.name]
                reporter.step(f"reading {source.name}", 0, None)
                raw = load_raw(staging, source, "rej")
                raws[entity.name] = raw
                stage_entity(staging, raw, "rej")
                staging.execute(f"DROP TABLE {raw.table}")
            if entity.name == "organisations":
                _timezones(target, staging)
        if staging is not target.conn:
            _transfer(staging, target, [s.entity.name for s in sources])
        files = {name: src.name for name, src in by_entity.items()}
        merger = Merger(target, files, result.run_id)
        reporter.step("checking references", 0, None)
        merger.build_orgmap()
        merger.check_references()
        merger.insert_institutions()
        for entity in ENTITIES:
            reporter.step(f"merging {entity.name}", 0, None)
            raw = raws.get(entity.name)
            merger.merge_entity(entity, raw.known if raw else [], bool(raw and raw.unknown))
            if entity.name == "order_lines":
                merger.merge_statuses()
        for entity in ENTITIES:
            raw = raws.get(entity.name)
            if raw is None:
                continue
            counts = merger.counts(entity)
            rejected = target.scalar(
                "SELECT count(DISTINCT line) FROM rej WHERE file = "
                + "'" + raw.source.name.replace("'", "''") + "'"
            )
            result.files.append(FileSummary(
                file=raw.source.name, entity=entity.name, format=raw.source.format,
                encoding=raw.encoding, delimiter=raw.delimiter, read=raw.rows,
                inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged,
                rejected=rejected, unknown_columns=list(raw.unknown.values()),
            ))
        merger.collect_touched_contacts()
        result.touched_contacts = target.scalar("SELECT count(*) FROM _touched")
        if after_merge is not None:
            after_merge(target)
        target.execute(
            f"""INSERT INTO import_rejects (run_id, file, line, column_name, value, reason)
            SELECT {result.run_id}, file, line, column_name, value, reason FROM rej"""
        )
        return target.fetchall(
            "SELECT file, line, column_name, value, reason FROM rej ORDER BY file, line, column_name"
        )
    finally:
        for raw in raws.values():
            for tmp in raw.temp_files:
                tmp.unlink(missing_ok=True)
        _drop_temp(target)


def _transfer(staging, target: SqlRunner, names: list[str]) -> None:
    """Move the staged rows (and the rejects so far) from DuckDB into the store's temp tables."""
    caps = target.capabilities
    for entity in ENTITIES:
        _empty_staged(target, entity, caps)
        if entity.name in names:
            cols = ["__line"] + [f.name for f in entity.fields] + ["attributes"]
            select = ", ".join(
                "CAST(attributes AS VARCHAR)" if c == "attributes" else c for c in cols)
            copy_duckdb_to_postgres(staging, target.conn,
                                    f"SELECT {select} FROM s_{entity.name}",
                                    f"s_{entity.name}", cols)
            target.execute(f"ANALYZE s_{entity.name}")
    target.execute("DROP TABLE IF EXISTS rej")
    target.execute(f"CREATE TEMP TABLE rej ({REJ_DDL.replace('VARCHAR', 'TEXT')})")
    copy_duckdb_to_postgres(staging, target.conn, "SELECT * FROM rej", "rej",
                            ["file", "line", "column_name", "value", "reason", "key"])


def _drop_temp(target: SqlRunner) -> None:
    names = ["rej", "_orgmap", "_touched", "m_statuses", "m_statuses_new", "_org_tz",
             "_inst_tz", "_known_orgs", "_shifts"]
    for entity in ENTITIES:
        names += [f"s_{entity.name}", f"m_{entity.name}"]
    try:
        target.drop(*names)
    except Exception:  # the transaction is already aborted; rollback drops them anyway
        pass


def summary_json(result: ImportResult) -> str:
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False)
