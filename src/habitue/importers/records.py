"""Records given in memory (API events, contact writes), stored with the importer's own rules.

A record is one row of an entity of the open format, read exactly as a line of a JSON Lines
file of that entity is: the same reading, parsing, checks, references, merge and status
history (``importers.reading``, ``parsing``, ``merge`` and the import's merge loop). What this
module adds:

- the records of one transaction are applied **in order** and **all or nothing**: any
  rejected record raises :class:`RecordsRejected` and the transaction is rolled back;
- a record that repeats a key is applied after the earlier record of that key, in a later
  *round* (one staging and merge per round, all in the same transaction): a line's status
  change may follow the order that created it;
- a key left out of a record keeps the stored value, as an absent column does: when the
  records of one entity in a round do not all give the same keys, the missing ones are read
  from the stored row;
- what was done with each record (inserted, updated, unchanged), read from the merge.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from habitue.domain.format import ENTITIES, ENTITY_BY_NAME, Entity
from habitue.importers.errors import FileSummary, ImportFailure
from habitue.importers.merge import LABELS
from habitue.importers.parsing import stage_entity
from habitue.importers.reading import drop_raw, load_raw, normalise_header, sql_literal
from habitue.importers.runner import RUN_ID_LOCK, ImportResult, _merge, _timezones
from habitue.importers.sources import SourceFile
from habitue.reporting import SILENT
from habitue.storage import schema
from habitue.storage.bulk import STAGED_REJECTS, SqlRunner, configure_duckdb, staging_area
from habitue.storage.schema import stored_fields
from habitue.storage.store import Store, native

# records of a round from which the merge refreshes the planner's statistics on PostgreSQL
# (as an import does); below, a few rows change nothing to them and ANALYZE of a large table
# would be most of an event's time
ANALYZE_FROM = 10_000
ACTIONS = {"insert": "inserted", "update": "updated", "unchanged": "unchanged"}
# the stored columns a history field of a record is read back from, when left out
_HISTORY_STORED = {"order_lines": {"status": "last_status", "status_at": "last_status_at"}}


class Record(NamedTuple):
    """One row of ``entity``: the format's field names (and custom attributes) to JSON-like
    values. A key left out keeps the stored value; ``None`` or ``""`` clears it.
    ``must_exist``: an update of a stored row only (a status change, a door scan)."""

    entity: str
    values: Mapping[str, Any]
    must_exist: bool = False


@dataclass(frozen=True)
class RecordReject:
    index: int | None  # the record's position (None: the records as a whole)
    field: str | None  # the record's key at fault, as given
    value: str | None
    reason: str
    cause: int | None = None  # the rejected record this one refers to, if that is why


# the reason of a reference to a rejected row, as the merge words it for a file
_CASCADE = re.compile(r" \(its row in \w+\.jsonl, line (\d+), was rejected\)$")


class RecordsRejected(Exception):
    """Some records cannot be stored: nothing was."""

    def __init__(self, rejects: list[RecordReject]) -> None:
        more = f" (and {len(rejects) - 1} more)" if len(rejects) > 1 else ""
        super().__init__(rejects[0].reason + more)
        self.rejects = rejects


@dataclass
class _Row:
    index: int
    entity: Entity
    values: dict[str, Any]  # format fields by their name; custom attributes as given
    names: dict[str, str]  # column -> the record's own key
    must_exist: bool
    key: tuple[str, ...]


def json_value(value: Any) -> Any:
    """A value as a JSON Lines file would hold it."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(json_value(value)).strip()


def _read_record(index: int, record: Record) -> _Row | RecordReject:
    entity = ENTITY_BY_NAME.get(record.entity)
    if entity is None:
        return RecordReject(index, None, str(record.entity)[:200],
                            f"unknown entity {record.entity!r} (one of "
                            f"{', '.join(ENTITY_BY_NAME)})")
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for key, value in record.values.items():
        name = str(key).strip()
        norm = normalise_header(name)
        if not norm:
            return RecordReject(index, str(key), None, "a field must have a name")
        if norm in seen:
            return RecordReject(index, str(key), None,
                                f"{key!r} and {seen[norm]!r} name the same column")
        seen[norm] = str(key)
        column = norm if norm in entity.field_names else name
        values[column] = json_value(value)
        names[column] = str(key)
    key = tuple(_cell_text(values.get(k)) or (entity.get(k).default or "") for k in entity.key)
    return _Row(index, entity, values, names, record.must_exist, key)


def plan_rounds(rows: Sequence[_Row]) -> list[list[_Row]]:
    """Rounds of rows, in order: a row goes one round after the previous row of its key."""
    last: dict[tuple, int] = {}
    rounds: list[list[_Row]] = []
    for row in rows:
        k = (row.entity.name, row.key)
        r = last.get(k, -1) + 1
        last[k] = r
        if r == len(rounds):
            rounds.append([])
        rounds[r].append(row)
    return rounds


_DUCKDB_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


@contextmanager
def _serialised(store: Store) -> Iterator[None]:
    """One writer of records at a time: a DuckDB store is written by one process, whose
    threads take turns here (two of its transactions writing one row conflict)."""
    if store.kind != "duckdb":
        yield
        return
    with _GUARD:
        lock = _DUCKDB_LOCKS.setdefault(store.url, threading.Lock())
    with lock:
        yield


class RecordsWriter:
    """One open transaction of the store writing records (see :func:`records_transaction`).

    ``apply`` may be called more than once; ``touched_sql`` lists the contacts whose facts
    changed so far (``institution_id, contact_id``)."""

    touched_sql = "SELECT DISTINCT institution_id, contact_id FROM _rec_touched"

    def __init__(self, store: Store, conn: sa.Connection, runner: SqlRunner, run_id: int,
                 memory_limit: str) -> None:
        self.store = store
        self.conn = conn
        self.runner = runner
        self.run_id = run_id
        self.memory_limit = memory_limit
        self.files: list[FileSummary] = []
        self.rounds = 0
        self._offset = 0  # line numbers go on across calls: they order a run's statuses
        self._actions: dict[int, str] = {}
        self._unknown: set[int] = set()  # lines of must_exist rows of no stored row

    def apply(self, records: Sequence[Record]) -> list[str]:
        """Store ``records`` in order; return what was done with each (``inserted``,
        ``updated``, ``unchanged``). Raises :class:`RecordsRejected` (the caller's transaction
        must then be rolled back: leaving the ``with`` block by the exception does it)."""
        rows: list[_Row] = []
        rejects: list[RecordReject] = []
        for i, record in enumerate(records):
            read = _read_record(i, record)
            (rejects if isinstance(read, RecordReject) else rows).append(read)
        if rejects:
            raise RecordsRejected(rejects)
        for round_rows in plan_rounds(rows):
            rejects += self._round(round_rows)
            if rejects:
                raise RecordsRejected(sorted(rejects, key=lambda r: (r.index or 0)))
        actions = [self._actions.get(self._offset + i + 1, "unchanged")
                   for i in range(len(records))]
        self._offset += len(records)
        return actions

    def touched(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.runner.fetchall(self.touched_sql + " ORDER BY 1, 2")]

    # -- one round ----------------------------------------------------------------------

    def _round(self, rows: list[_Row]) -> list[RecordReject]:
        self.rounds += 1
        by_entity: dict[str, list[_Row]] = {}
        for row in rows:
            by_entity.setdefault(row.entity.name, []).append(row)
        line_rows = {self._offset + row.index + 1: row for row in rows}
        result = ImportResult(run_id=self.run_id, status="running")
        try:
            with (tempfile.TemporaryDirectory(prefix="habitue-records-") as tmp,
                  staging_area(self.store, self.memory_limit) as area):
                known = [tuple(r) for r in self.runner.fetchall(
                    "SELECT organisation_id, institution_id, timezone FROM organisations")]
                _timezones(area.db, known)
                staged = []
                for entity in ENTITIES:
                    group = by_entity.get(entity.name)
                    if not group:
                        continue
                    raw = self._stage(area.db, Path(tmp), entity, group)
                    staged.append(raw)
                    if entity.name == "organisations":
                        _timezones(area.db, known)
                area.expose(self.runner, [r.source.entity for r in staged])
                found = _merge(self.runner, staged, result, SILENT,
                               after_merge=self._keep_touched, after_entity=self._keep_actions,
                               analyze=len(rows) >= ANALYZE_FROM)
                area.hide(self.runner)
        except ImportFailure as exc:
            return [RecordReject(None, None, None, str(exc))]
        self.files.extend(result.files)
        rejects = []
        for _file, line, column, value, reason in found:
            if line in self._unknown and not reason.startswith("unknown "):
                continue  # an unknown row's empty cells say nothing more
            row = line_rows.get(line)
            field = row.names.get(column, column) if row and column else column
            cause = None
            if found_cause := _CASCADE.search(reason):
                cause = int(found_cause.group(1)) - self._offset - 1
                reason = reason[:found_cause.start()] + f" (record {cause} was rejected)"
            rejects.append(RecordReject(row.index if row else None, field, value, reason,
                                        cause))
        return rejects

    def _stage(self, db: Any, tmp: Path, entity: Entity, group: list[_Row]) -> Any:
        """Stage ``group`` as the JSON Lines file ``<entity>.jsonl`` of this round, each row
        on its line number across the records (the rejects and the status order use it)."""
        lines = self._complete(db, entity, group)
        path = tmp / f"{entity.name}.jsonl"
        path.write_text("".join(json.dumps(v) + "\n" for v in lines), encoding="utf-8")
        raw = load_raw(db, SourceFile(path, entity, "jsonl"), STAGED_REJECTS)
        assert not raw.is_view, "a JSON Lines file is staged as a table"
        db.execute(f"UPDATE {raw.table} SET __line = list_extract(?::BIGINT[], __line)",
                   [[self._offset + row.index + 1 for row in group]])
        stage_entity(db, raw, STAGED_REJECTS)
        drop_raw(db, raw)
        return raw

    def _complete(self, db: Any, entity: Entity, group: list[_Row]) -> list[dict]:
        """The rows as JSON objects of one shape: a column some row leaves out takes the
        stored value (the row's absent column); a ``must_exist`` row of no stored row is
        rejected."""
        columns = {*entity.key, *entity.required}
        for row in group:
            columns.update(row.values)
        need = [row for row in group if row.must_exist or not columns <= row.values.keys()]
        stored = self._stored(entity, [row.key for row in need], columns) if need else {}
        out = []
        for row in group:
            old = stored.get(row.key)
            if row.must_exist and old is None:
                col = entity.id_column
                name = row.values.get(col)
                self._unknown.add(self._offset + row.index + 1)
                db.execute(f"INSERT INTO {STAGED_REJECTS} VALUES (?, ?, ?, ?, ?, ?)", [
                    f"{entity.name}.jsonl", self._offset + row.index + 1, col,
                    None if name is None else str(name)[:200],
                    f"unknown {LABELS[entity.name]} '{name}'", "|".join(row.key)])
            values = dict(row.values)
            for col in columns - values.keys():
                values[col] = old.get(col) if old else None
            out.append(values)
        return out

    def _stored(self, entity: Entity, keys: list[tuple], columns: set[str]) -> dict:
        """The stored values of ``columns`` of the rows of ``keys``, as text."""
        history = _HISTORY_STORED.get(entity.name, {})
        fields = stored_fields(entity)
        select = {c: f"t.{c}" for c in columns if c in fields}
        select.update({c: f"t.{stored}" for c, stored in history.items() if c in columns})
        custom = [c for c in columns if c not in entity.field_names]
        keys_sql = ", ".join("(" + ", ".join(sql_literal(v) for v in key) + ")"
                             for key in sorted(set(keys)))
        exprs = [f"t.{k}" for k in entity.key] + list(select.values()) + ["t.attributes"]
        found = self.runner.fetchall(
            f"SELECT {', '.join(exprs)} FROM {entity.name} t JOIN (VALUES {keys_sql}) AS "
            f"v({', '.join(entity.key)}) ON "
            + " AND ".join(f"t.{k} = v.{k}" for k in entity.key))
        out = {}
        n = len(entity.key)
        for r in found:
            values = {c: _stored_text(v) for c, v in zip(select, r[n:-1], strict=True)}
            attrs = r[-1]
            attrs = json.loads(attrs) if isinstance(attrs, str) else (attrs or {})
            values.update({c: attrs.get(c) for c in custom})
            out[tuple(str(k) for k in r[:n])] = values
        return out

    # -- hooks of the merge --------------------------------------------------------------

    def _keep_touched(self, runner: SqlRunner, _engine: SqlRunner | None = None) -> None:
        runner.execute("INSERT INTO _rec_touched SELECT institution_id, contact_id FROM _touched")

    def _keep_actions(self, runner: SqlRunner, entity: Entity) -> None:
        if entity.name == "order_lines":  # an unchanged line may have a new status
            sql = """SELECT m.__first, CASE WHEN m.__action = 'unchanged' AND EXISTS (
                        SELECT 1 FROM m_statuses_new n WHERE n.organisation_id =
                        m.organisation_id AND n.line_id = m.line_id) THEN 'update'
                     ELSE m.__action END FROM m_order_lines m"""
        else:
            sql = f"SELECT __first, __action FROM m_{entity.name}"
        for line, action in runner.fetchall(sql):
            self._actions[int(line)] = ACTIONS[action]

    def summary(self) -> dict:
        by_entity: dict[str, FileSummary] = {}
        for f in self.files:
            into = by_entity.setdefault(f.entity, FileSummary(f.file, f.entity, "records"))
            for count in ("read", "inserted", "updated", "unchanged", "rejected"):
                setattr(into, count, getattr(into, count) + getattr(f, count))
            into.unknown_columns += [c for c in f.unknown_columns
                                     if c not in into.unknown_columns]
        result = ImportResult(self.run_id, "succeeded", files=list(by_entity.values()),
                              touched_contacts=len(self.touched()))
        return result.as_dict()


def _stored_text(value: Any) -> Any:
    """A stored value as the cell text that reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json_value(value)


@contextmanager
def records_transaction(store: Store, *, now: datetime, source: str,
                        memory_limit: str = "3GB") -> Iterator[RecordsWriter]:
    """One transaction writing records, recorded as an import run (``source``) when it
    commits; the caller may write more on ``writer.conn`` / ``writer.runner`` before. Any
    exception leaving the block rolls everything back (no run is recorded)."""
    runs = schema.import_runs
    with _serialised(store), store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        if store.kind == "postgresql":  # one writer of records at a time, across processes
            runner.execute(RUN_ID_LOCK)
        else:
            configure_duckdb(runner.conn, memory_limit)
        run_id = (conn.execute(sa.select(sa.func.max(runs.c.run_id))).scalar() or 0) + 1
        conn.execute(runs.insert().values(run_id=run_id, source=source, started_at=now,
                                          status="running"))
        runner.recreate_temp("_rec_touched", "SELECT CAST(NULL AS TEXT) AS institution_id, "
                             "CAST(NULL AS TEXT) AS contact_id LIMIT 0")
        writer = RecordsWriter(store, conn, runner, run_id, memory_limit)
        yield writer
        if writer.rounds:
            conn.execute(runs.update().where(runs.c.run_id == run_id).values(
                finished_at=now, status="succeeded", summary=writer.summary()))
        else:  # nothing was written: no run
            conn.execute(runs.delete().where(runs.c.run_id == run_id))
        runner.drop("_rec_touched")
