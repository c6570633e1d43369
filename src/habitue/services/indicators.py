"""Computing indicators: a batch as of a date (all contacts of some organisations, some or all
indicators), and the per-contact refresh of the real-time indicators after new facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from habitue.domain.calendar import season_context
from habitue.indicators.catalogue import INDICATORS, Cadence
from habitue.indicators.compiler import BANDED, CompiledSteps, compile_sql
from habitue.indicators.facts import FACT_TABLES, LINES_TABLE, Window
from habitue.reporting import SILENT, Reporter
from habitue.storage import indicator_store as ist
from habitue.storage.bulk import SqlRunner, duckdb_transaction, scratch_runner
from habitue.storage.fact_pull import (
    duckdb_engine,
    hand_back,
    pull_facts,
    worth_pulling,
)
from habitue.storage.sql_reads import referenced_columns, referenced_tables
from habitue.storage.store import Store, native

DIALECTS = {"duckdb": "duckdb", "postgresql": "postgres", "pyspark": "pyspark"}
REALTIME_CODES = tuple(i.code for i in INDICATORS if Cadence.REALTIME in i.cadences)
# above this many touched contacts, a per-contact refresh runs as a batch of the same
# indicators over their organisations (same values, set-based all the way)
PER_CONTACT_LIMIT = 50_000
# up to this many touched (organisation, contact) pairs, a refresh takes its inputs and writes
# its values as literal rows (measured at 1M contacts, against the temporary tables: one
# contact 9 ms instead of 24 on PostgreSQL, 78 instead of 100 on DuckDB; 100 contacts 27
# instead of 41 ms, 540 instead of 610 ms. At 1,000, DuckDB spends 90 ms parsing the literal
# rows of one statement and the temporary tables win there)
FEW_PAIRS = 100
TOUCHED_COLUMNS = (("organisation_id", "TEXT"), ("contact_id", "TEXT"))


@dataclass(frozen=True)
class ComputeSummary:
    batch_id: int | None
    as_of: date
    organisations: int
    contacts: int
    values: int
    level_changes: int


@lru_cache(maxsize=128)
def _sql(dialect: str, codes: tuple[str, ...], subset: bool,
         lookup: bool = False) -> CompiledSteps:
    return compile_sql(dialect, codes, subset, lookup)


def codes_for(cadence: str) -> tuple[str, ...]:
    """The indicators a cadence refreshes (``full``: all of them)."""
    if cadence == "full":
        return tuple(i.code for i in INDICATORS)
    return tuple(i.code for i in INDICATORS if Cadence(cadence) in i.cadences)


def organisation_groups(runner: SqlRunner, orgs: list[tuple], wanted: Sequence[str]) -> dict:
    """Organisations grouped by the indicators to compute for them (enabled ∩ wanted)."""
    groups: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for org_id, inst in orgs:
        codes = tuple(c for c in ist.enabled_codes(runner, inst) if c in wanted)
        if codes:
            groups[codes].append((org_id, inst))
    return groups


def _run_steps(runner: SqlRunner, codes: tuple[str, ...], subset: bool,
               with_lines: bool = False, lookup: bool = False) -> str:
    """Materialise the facts as of D (and with ``with_lines`` the lines, which only
    ``explain`` reads); return the SQL of the values. ``lookup``: a few contacts, looked up
    by index where the store does so (decision 0009)."""
    steps = _sql(DIALECTS[runner.capabilities.name], codes, subset,
                 lookup and runner.capabilities.index_lookups)
    for table, sql in steps.facts:
        runner.recreate_temp(table, sql)
        ist.analyze(runner, table)
    if with_lines:
        runner.recreate_temp(LINES_TABLE, steps.lines)
        ist.analyze(runner, LINES_TABLE)
    return steps.values


@contextmanager
def _engine(runner: SqlRunner, groups: dict, window: Window, pull_from: str | None,
            memory_limit: str, engine: SqlRunner | None = None):
    """Where the batch's values are computed: the store itself, ``engine`` (a DuckDB already
    holding the store's tables: a bulk import's mirror, decision 0007), or (``pull_from``:
    the URL of a PostgreSQL store) a private DuckDB holding the facts the steps read
    (decision 0006)."""
    if engine is not None:
        yield engine
        return
    if pull_from is None:
        yield runner
        return
    steps = [_sql("duckdb", codes, False) for codes in groups]
    sqls = [sql for s in steps for sql in (*(q for _, q in s.facts), s.values)]
    tables = referenced_tables(sqls)
    pairs = [pair for group in groups.values() for pair in group]
    with duckdb_engine(memory_limit) as private:
        pull_facts(pull_from, private, tables, organisations=[o for o, _ in pairs],
                   institutions=sorted({inst for _, inst in pairs}),
                   late_from=window.as_row()["end_ts"], columns=referenced_columns(sqls))
        yield private


def compute_batch(runner: SqlRunner, *, as_of: date, organisations: Sequence[str] | None,
                  cadence: str, now: datetime, reporter: Reporter = SILENT,
                  writing: Callable[[], AbstractContextManager] = nullcontext,
                  pull_from: str | None = None, memory_limit: str = "3GB",
                  engine: SqlRunner | None = None) -> ComputeSummary:
    """Compute the indicators of ``cadence`` for every contact of the organisations as one
    batch (its thresholds recorded). The values are computed into temporary tables first, then
    written inside ``writing()`` (the caller's transaction by default; on DuckDB a short one of
    its own, after a computation run outside any transaction). With ``pull_from`` (a
    PostgreSQL store's URL), they are computed in a private DuckDB and handed back; with
    ``engine``, in that DuckDB (holding the store's tables) and handed back."""
    orgs = ist.load_organisations(runner, organisations)
    if not orgs:
        return ComputeSummary(None, as_of, 0, 0, 0, 0)
    seasons = ist.load_seasons(runner)
    window = Window(as_of)
    computed: list[tuple[str, tuple[str, ...], list[str]]] = []
    groups = organisation_groups(runner, orgs, codes_for(cadence))
    reporter.step("collecting the facts", 0, None)
    with _engine(runner, groups, window, pull_from, memory_limit, engine) as where:
        for i, (codes, group) in enumerate(groups.items()):
            compute_group(where, f"_ind_new_{i}", codes, group, seasons, window,
                          reporter=reporter)
            if where is not runner:
                hand_back(where, runner, f"_ind_new_{i}")
            computed.append((f"_ind_new_{i}", codes, [o for o, _ in group]))
    return store_batch(runner, computed, as_of=as_of, cadence=cadence, now=now,
                       organisations=[o for o, _ in orgs], reporter=reporter,
                       writing=writing)


def compute_group(engine: SqlRunner, table: str, codes: tuple[str, ...], group: Sequence[tuple],
                  seasons: Sequence, window: Window, *, reporter: Reporter = SILENT,
                  write_context: Callable = ist.write_context) -> None:
    """Compute the values and levels of ``codes`` for the organisations of ``group``
    (``(organisation, institution)`` pairs) into the temporary table ``table`` of
    ``engine``. ``write_context`` puts the context rows there (a Spark engine has its own:
    ``storage.spark``); the compiled steps are the same on every engine."""
    write_context(engine, [(season_context(o, seasons, window.as_of), inst)
                           for o, inst in group], window.as_row())
    values_sql = _run_steps(engine, codes, subset=False)
    reporter.step("computing indicators", 0, None)
    engine.recreate_temp(table, values_sql)
    engine.drop(*FACT_TABLES, LINES_TABLE, "_ind_ctx")


def store_batch(runner: SqlRunner, computed: Sequence[tuple[str, tuple[str, ...], list[str]]],
                *, as_of: date, cadence: str, now: datetime, organisations: Sequence[str],
                reporter: Reporter = SILENT,
                writing: Callable[[], AbstractContextManager] = nullcontext) -> ComputeSummary:
    """Store the batch's values, ``computed``: ``(temporary table, codes, organisations)``
    per group (level changes, thresholds, batch record, segment sizes), inside
    ``writing()``. Also how computed results brought back from Spark are stored."""
    contacts = values = changes = 0
    thresholds: dict = {}
    reporter.step("storing the values", 0, None)
    with writing():
        batch_id = ist.next_batch_id(runner)
        for table, codes, org_ids in computed:
            out = ist.store_values(runner, table, codes=codes, as_of=as_of,
                                   batch_id=batch_id,
                                   replace_organisations=org_ids if cadence == "full" else None)
            contacts += out["contacts"]
            values += out["values"]
            changes += out["level_changes"]
            thresholds.update(out["thresholds"])
        ist.record_batch(runner, batch_id=batch_id, as_of=as_of, cadence=cadence,
                         started_at=now, finished_at=now, thresholds=thresholds)
    runner.drop(*(table for table, _, _ in computed))
    # the size of every saved segment at each refresh (segments import this module)
    from habitue.services.segments import record_segment_sizes
    record_segment_sizes(runner, list(organisations), as_of, batch_id)
    return ComputeSummary(batch_id, as_of, len(organisations), contacts, values, changes)


def refresh_touched(runner: SqlRunner, *, as_of: date, touched_sql: str,
                    codes: Sequence[str] = REALTIME_CODES) -> int:
    """Recompute ``codes`` (default: the real-time indicators) of the contacts listed by
    ``touched_sql`` (``institution_id, contact_id``), in every organisation of their
    institution, inside the caller's transaction. Returns the (organisation, contact) pairs
    refreshed. Up to ``FEW_PAIRS`` pairs (an API event, a small import), from literal rows
    (:func:`_refresh_few`); beyond, through temporary tables."""
    few = min(FEW_PAIRS, PER_CONTACT_LIMIT)
    pairs = ist.touched_pairs(runner, touched_sql, few)
    if len(pairs) <= few:
        return _refresh_few(runner, pairs, as_of=as_of, codes=codes)
    runner.recreate_temp(
        "_ind_touched",
        f"""SELECT DISTINCT o.organisation_id, t.contact_id
            FROM ({touched_sql}) t JOIN organisations o ON o.institution_id = t.institution_id""",
    )
    ist.analyze(runner, "_ind_touched")
    pairs = runner.scalar("SELECT count(*) FROM _ind_touched")
    if not pairs:
        runner.drop("_ind_touched")
        return 0
    orgs = [r[0] for r in runner.fetchall(
        "SELECT DISTINCT organisation_id FROM _ind_touched ORDER BY 1")]
    org_rows = ist.load_organisations(runner, orgs)
    seasons = ist.load_seasons(runner)
    window = Window(as_of)
    subset = pairs <= PER_CONTACT_LIMIT
    if any(code in BANDED for code in codes):  # the real-time indicators are not banded
        ist.write_thresholds(runner)
    for group_codes, group in organisation_groups(runner, org_rows, codes).items():
        ist.write_context(runner, [(season_context(o, seasons, as_of), inst)
                                   for o, inst in group], window.as_row())
        values_sql = _run_steps(runner, group_codes, subset=subset)
        if not subset:
            values_sql = (f"SELECT * FROM ({values_sql}) v WHERE EXISTS (SELECT 1 FROM "
                          "_ind_touched t WHERE t.organisation_id = v.organisation_id AND "
                          "t.contact_id = v.contact_id)")
        runner.recreate_temp("_ind_new", values_sql)
        ist.store_values(runner, "_ind_new", codes=group_codes, as_of=as_of, batch_id=None,
                         replace_organisations=None)
        runner.drop(*FACT_TABLES, LINES_TABLE, "_ind_ctx", "_ind_new")
    runner.drop("_ind_touched", "_ind_thresholds")
    return pairs


def _refresh_few(runner: SqlRunner, pairs: Sequence[tuple[str, str, str]], *, as_of: date,
                 codes: Sequence[str]) -> int:
    """Refresh ``pairs`` (``ist.touched_pairs``) with the compiled subset steps, their inputs
    given as literal rows and their values written from the rows read back: for one contact,
    5 statements on PostgreSQL and 13 on DuckDB where the temporary tables took 46 and 40
    (see ``ist.STEPS_AS_CTES``)."""
    if not pairs:
        return 0
    seasons = ist.load_seasons(runner)
    window = Window(as_of)
    thresholds = ([("_ind_thresholds", ist.rows_sql(ist.THRESHOLD_COLUMNS,
                                                    ist.latest_thresholds(runner)))]
                  if any(code in BANDED for code in codes) else [])
    orgs = sorted({(org, inst) for org, _, inst in pairs})
    for group_codes, group in organisation_groups(runner, orgs, codes).items():
        in_group = {org for org, _ in group}
        touched = [(org, contact) for org, contact, _ in pairs if org in in_group]
        contexts = [(season_context(o, seasons, as_of), inst) for o, inst in group]
        inputs = [("_ind_touched", ist.rows_sql(TOUCHED_COLUMNS, touched)),
                  ("_ind_ctx", ist.rows_sql(ist.CONTEXT_COLUMNS,
                                            ist.context_rows(contexts, window.as_row()))),
                  *thresholds]
        steps = _sql(DIALECTS[runner.capabilities.name], group_codes, True,
                     runner.capabilities.index_lookups)
        rows = ist.refreshed_values(runner, steps, group_codes, inputs)
        ist.write_refreshed(runner, rows, group_codes, as_of)
    return len(pairs)


def refresh_institutions(runner: SqlRunner, institutions: Sequence[str], *, as_of: date,
                         now: datetime, reporter: Reporter = SILENT,
                         engine: SqlRunner | None = None) -> ComputeSummary:
    """The real-time indicators of every contact of ``institutions`` as one batch, inside the
    caller's transaction (a bulk import's, which sees its own new organisations); ``engine``:
    see :func:`compute_batch`."""
    orgs = [o for o, inst in ist.load_organisations(runner) if inst in institutions]
    return compute_batch(runner, as_of=as_of, organisations=orgs, cadence="realtime",
                         now=now, reporter=reporter, engine=engine)


def bulk_institutions(runner: SqlRunner, touched_sql: str) -> list[str]:
    """The institutions of the contacts listed by ``touched_sql`` when they are too many for
    a per-contact refresh (a bulk load): their real-time indicators are then refreshed as a
    batch once the import is committed. Empty for a usual import."""
    pairs = runner.scalar(f"SELECT count(*) FROM (SELECT DISTINCT institution_id, contact_id "
                          f"FROM ({touched_sql}) t) p")
    if pairs <= PER_CONTACT_LIMIT:
        return []
    return [r[0] for r in runner.fetchall(
        f"SELECT DISTINCT institution_id FROM ({touched_sql}) t ORDER BY 1")]


def compute_indicators(store: Store, *, as_of: date, organisation: str | None = None,
                       cadence: str = "full", now: datetime, memory_limit: str = "3GB",
                       reporter: Reporter = SILENT,
                       organisations: Sequence[str] | None = None,
                       batch_engine: str = "auto") -> ComputeSummary:
    """Compute (``cadence`` ``full``: every enabled indicator) as of ``as_of`` and store.

    On DuckDB the computation runs outside any transaction (inside one, DuckDB keeps its
    temporary tables in transaction-local storage, which ran out of 3 GB at 1M contacts) and
    only the writes are one transaction. On PostgreSQL the writes are one transaction; the
    values are computed in a private DuckDB fed from the store (``batch_engine`` ``duckdb``,
    decision 0006) or by PostgreSQL itself (``database``); ``auto`` pulls when the store holds
    enough order lines for it to pay.
    """
    if organisation:
        organisations = [organisation]
    if store.kind == "duckdb":
        with scratch_runner(store, memory_limit) as runner:
            return compute_batch(runner, as_of=as_of, organisations=organisations,
                                 cadence=cadence, now=now, reporter=reporter,
                                 writing=lambda: duckdb_transaction(runner))
    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        runner.begin_bulk()
        pull = batch_engine == "duckdb" or (batch_engine == "auto" and worth_pulling(runner))
        return compute_batch(runner, as_of=as_of, organisations=organisations,
                             cadence=cadence, now=now, reporter=reporter,
                             pull_from=store.url if pull else None, memory_limit=memory_limit)
