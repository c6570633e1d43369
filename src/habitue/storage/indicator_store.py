"""Running compiled indicator expressions on the store, and keeping their results.

The compiler hands over Ibis expressions over unbound tables; here they are rendered to the
store's SQL dialect and run inside one transaction: facts are materialised once in temporary
tables, the new values are compared with the stored ones (level changes appended to the
history), then written, with the band thresholds of the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from habitue.domain.calendar import Season, SeasonContext
from habitue.indicators.catalogue import INDICATORS
from habitue.indicators.compiler import BANDED, CompiledSteps
from habitue.storage.bulk import SqlRunner
from habitue.storage.schema import POPULATION_COLUMNS, contact_indicators


def analyze(runner: SqlRunner, *tables: str) -> None:
    """PostgreSQL does not gather statistics on temporary tables by itself."""
    if runner.capabilities.name == "postgresql":
        for t in tables:
            runner.execute(f"ANALYZE {t}")


def load_seasons(runner: SqlRunner) -> list[Season]:
    return [Season(*row) for row in runner.fetchall(
        "SELECT organisation_id, season_id, start_date, end_date FROM seasons")]


def load_organisations(runner: SqlRunner, only: Sequence[str] | None = None) -> list[tuple]:
    rows = runner.fetchall(
        "SELECT organisation_id, institution_id FROM organisations ORDER BY organisation_id")
    return [r for r in rows if not only or r[0] in only]


def enabled_codes(runner: SqlRunner, institution_id: str) -> list[str]:
    disabled = {r[0] for r in runner.fetchall(
        "SELECT indicator FROM indicator_settings WHERE enabled = false AND institution_id = "
        + _lit(institution_id))}
    return [i.code for i in INDICATORS if i.code not in disabled]


def _lit(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def rows_sql(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]) -> str:
    """A SELECT of literal ``rows`` whose ``columns`` (name, SQL type) are typed whatever the
    rows hold (a column of NULLs included; no rows: an empty relation of those columns)."""
    if not rows:
        return "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {n}" for n, t in columns) + \
            " WHERE 1 = 0"
    values = ", ".join("(" + ", ".join(_lit(v) for v in row) + ")" for row in rows)
    names = ", ".join(n for n, _ in columns)
    return (f"SELECT {', '.join(f'CAST({n} AS {t}) AS {n}' for n, t in columns)} "
            f"FROM (VALUES {values}) AS v({names})")


CONTEXT_COLUMNS = (
    ("organisation_id", "TEXT"), ("institution_id", "TEXT"), ("current_season_id", "TEXT"),
    ("previous_season_id", "TEXT"), ("young_born_from", "DATE"), ("as_of", "DATE"),
    ("end_ts", "TIMESTAMP"), ("months_12", "DATE"), ("months_36", "DATE"), ("years_1", "DATE"),
    ("years_3", "DATE"), ("years_4", "DATE"),
)


def context_rows(contexts: Sequence[tuple[SeasonContext, str]], dates: dict) -> list[tuple]:
    """The rows of ``_ind_ctx`` (``CONTEXT_COLUMNS``), see :func:`write_context`."""
    tail = tuple(dates[k] for k in ("as_of", "end_ts", "months_12", "months_36", "years_1",
                                    "years_3", "years_4"))
    return [(c.organisation_id, inst, c.current.season_id if c.current else None,
             c.previous.season_id if c.previous else None, c.young_born_from, *tail)
            for c, inst in contexts]


def write_context(runner: SqlRunner, contexts: Sequence[tuple[SeasonContext, str]],
                  dates: dict) -> None:
    """``_ind_ctx``: per organisation, its institution, current and previous season, and the
    dates the rules compare with (``Window.as_row()``)."""
    runner.drop("_ind_ctx")
    runner.execute(
        "CREATE TEMP TABLE _ind_ctx (organisation_id TEXT, institution_id TEXT, "
        "current_season_id TEXT, previous_season_id TEXT, young_born_from DATE, as_of DATE, "
        "end_ts TIMESTAMP, months_12 DATE, months_36 DATE, years_1 DATE, years_3 DATE, "
        "years_4 DATE)"
    )
    if not contexts:
        return
    values = ", ".join("(" + ", ".join(_lit(v) for v in row) + ")"
                       for row in context_rows(contexts, dates))
    runner.execute(f"INSERT INTO _ind_ctx VALUES {values}")


def write_thresholds(runner: SqlRunner) -> None:
    """``_ind_thresholds``: the band thresholds of the latest batch that computed each
    (organisation, indicator)."""
    runner.drop("_ind_thresholds")
    runner.execute(
        "CREATE TEMP TABLE _ind_thresholds (organisation_id TEXT, indicator TEXT, "
        "population TEXT, level_1_max NUMERIC(14,2), level_2_max NUMERIC(14,2))"
    )
    rows = [
        "(" + ", ".join(_lit(v) for v in row) + ")" for row in latest_thresholds(runner)
    ]
    if rows:
        runner.execute(f"INSERT INTO _ind_thresholds VALUES {', '.join(rows)}")


THRESHOLD_COLUMNS = (("organisation_id", "TEXT"), ("indicator", "TEXT"), ("population", "TEXT"),
                     ("level_1_max", "NUMERIC(14,2)"), ("level_2_max", "NUMERIC(14,2)"))


def latest_thresholds(runner: SqlRunner) -> list[tuple]:
    """The rows of ``_ind_thresholds`` (``THRESHOLD_COLUMNS``), see :func:`write_thresholds`."""
    latest: dict[tuple[str, str], dict] = {}
    for (thresholds,) in runner.fetchall(
            "SELECT thresholds FROM indicator_batches ORDER BY batch_id"):
        data = json.loads(thresholds) if isinstance(thresholds, str) else (thresholds or {})
        for org, by_code in data.items():
            for code, by_pop in by_code.items():
                latest[(org, code)] = by_pop
    return [(org, code, pop, _decimal(t.get("level_1_max")), _decimal(t.get("level_2_max")))
            for (org, code), by_pop in latest.items() for pop, t in by_pop.items()]


def _decimal(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))  # thresholds are stored as decimal strings


def next_batch_id(runner: SqlRunner) -> int:
    return (runner.scalar("SELECT max(batch_id) FROM indicator_batches") or 0) + 1


def store_values(runner: SqlRunner, table: str, *, codes: Sequence[str], as_of: date,
                 batch_id: int | None, replace_organisations: Sequence[str] | None) -> dict:
    """Store the values of ``table`` (a temporary table of new values): append the level
    changes to the history and write the values: all rows of ``replace_organisations``
    replaced (a full batch), or the given codes updated row by row (a cadence or per-contact
    refresh). Returns counts."""
    level_changes = _append_level_changes(runner, table, codes, as_of, batch_id)
    rows = runner.scalar(f"SELECT count(*) FROM {table}")
    value_cols = [c for code in codes for c in (code, f"{code}_level")]
    value_cols += [POPULATION_COLUMNS[c] for c in codes if c in POPULATION_COLUMNS]
    batch = "NULL" if batch_id is None else str(batch_id)
    if replace_organisations:
        # rows in key order: a contact's row is then found through the column statistics of
        # a few row groups (DuckDB) or pages (PostgreSQL) rather than by reading them all
        org_list = ", ".join(_lit(o) for o in replace_organisations)
        runner.execute(f"DELETE FROM contact_indicators WHERE organisation_id IN ({org_list})")
        cols = ", ".join(value_cols)
        # (PostgreSQL: for a large batch the primary key is built again afterwards, one
        # sorted build instead of a million index insertions)
        runner.bulk_insert(
            "contact_indicators", ("organisation_id", "contact_id"), rows,
            f"""INSERT INTO contact_indicators
                (organisation_id, contact_id, institution_id, as_of, batch_id, {cols})
            SELECT organisation_id, contact_id, institution_id, {_lit(as_of)}, {batch}, {cols}
            FROM {table} ORDER BY organisation_id, contact_id"""
        )
    else:
        upsert_values(runner, table, value_cols, as_of, batch)
    thresholds = band_thresholds(runner, table, [c for c in codes if c in BANDED])
    contacts = runner.scalar(f"SELECT count(DISTINCT contact_id) FROM {table}")
    return {"rows": rows, "contacts": contacts, "level_changes": level_changes,
            "values": rows * len(codes), "thresholds": thresholds}


# -- the refresh of a few contacts (an API event, a small import) ------------------------------
# Its inputs (touched pairs, contexts, thresholds) are literal rows, its values come back to
# Python with the stored levels beside them, and are written from literal rows: a handful of
# statements, no temporary table created, analysed and dropped for each input and each write.
#
# How the compiled steps run, by engine (measured at 1M contacts / 9.4M lines, 1 to 1,000
# contacts): PostgreSQL plans them as the materialised CTEs of one statement as well as or
# better than as temporary tables (one contact: 5 ms against 13-17 ms, without their DDL and
# statistics); DuckDB needs each step's size before planning the next (as one statement it
# chose join orders that took 1.2 s instead of 0.3 s), so there each step stays a temporary
# table (CREATE OR REPLACE, all dropped by one call at the end).
STEPS_AS_CTES = {"postgresql": True, "duckdb": False}


def touched_pairs(runner: SqlRunner, touched_sql: str, limit: int) -> list[tuple[str, str, str]]:
    """(organisation, contact, institution) of the contacts listed by ``touched_sql``
    (``institution_id, contact_id``) in every organisation of their institution; at most
    ``limit + 1`` of them (more than ``limit``: too many to refresh from literal rows)."""
    return runner.fetchall(
        f"""SELECT DISTINCT o.organisation_id, t.contact_id, o.institution_id
            FROM ({touched_sql}) t JOIN organisations o ON o.institution_id = t.institution_id
            ORDER BY 1, 2 LIMIT {limit + 1}""")


def _value_columns(codes: Sequence[str]) -> list[str]:
    cols = [c for code in codes for c in (code, f"{code}_level")]
    return cols + [POPULATION_COLUMNS[c] for c in codes if c in POPULATION_COLUMNS]


def refreshed_values(runner: SqlRunner, steps: CompiledSteps, codes: Sequence[str],
                     inputs: Sequence[tuple[str, str]]) -> list[tuple]:
    """Run the compiled ``steps`` (subset) over ``inputs`` (``(name, SELECT)``: the touched
    pairs, ``_ind_ctx``, ``_ind_thresholds``); one row per touched (organisation, contact):
    organisation, contact, institution, the value columns of ``codes``, whether a row is
    stored, then the stored level of each code."""
    cols = _value_columns(codes)
    select = (
        "SELECT n.organisation_id, n.contact_id, n.institution_id, "
        + ", ".join(f"n.{c}" for c in cols) + ", o.contact_id IS NOT NULL, "
        + ", ".join(f"o.{code}_level" for code in codes)
        + f" FROM ({steps.values}) n LEFT JOIN contact_indicators o"
        " ON o.contact_id = n.contact_id AND o.organisation_id = n.organisation_id"
        " ORDER BY n.organisation_id, n.contact_id")
    named = [*inputs, *steps.facts]
    if STEPS_AS_CTES.get(runner.capabilities.name, False):
        return runner.fetchall(
            "WITH " + ", ".join(f"{name} AS MATERIALIZED ({sql})" for name, sql in named)
            + " " + select)
    for name, sql in named:
        runner.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    rows = runner.fetchall(select)
    runner.execute("; ".join(f"DROP TABLE IF EXISTS {name}" for name, _ in named))
    return rows


def write_refreshed(runner: SqlRunner, rows: Sequence[tuple], codes: Sequence[str],
                    as_of: date) -> int:
    """Store ``rows`` (``refreshed_values``) as :func:`store_values` stores a per-contact
    refresh: the level changes appended to the history, stored rows updated, the others
    inserted. Returns the level changes."""
    cols = _value_columns(codes)
    width = 3 + len(cols)  # organisation, contact, institution, value columns; then stored?
    changes = []
    for i, code in enumerate(codes):  # in the order _append_level_changes appends them
        for row in rows:
            old, new = row[width + 1 + i], row[3 + 2 * i + 1]  # stored level, new level
            if new is not None and (0 if old is None else old) != new:
                changes.append((row[0], row[1], code, old, new, as_of, None))
    if changes:
        runner.execute(
            "INSERT INTO indicator_history (organisation_id, contact_id, indicator, old_level, "
            "new_level, as_of, batch_id) VALUES "
            + ", ".join("(" + ", ".join(_lit(v) for v in c) + ")" for c in changes))
    stored = [row[:width] for row in rows if row[width]]
    if stored:
        types = {c.name: _sql_type(c.type) for c in contact_indicators.columns}
        relation = rows_sql([("organisation_id", "TEXT"), ("contact_id", "TEXT"),
                             ("institution_id", "TEXT"), *((c, types[c]) for c in cols)],
                            stored)
        runner.execute(
            f"""UPDATE contact_indicators SET {', '.join(f'{c} = n.{c}' for c in cols)},
                as_of = {_lit(as_of)}, batch_id = NULL
            FROM ({relation}) n WHERE contact_indicators.contact_id = n.contact_id
              AND contact_indicators.organisation_id = n.organisation_id""")
    new_rows = [(*row[:3], as_of, None, *row[3:width]) for row in rows if not row[width]]
    if new_rows:
        runner.execute(
            "INSERT INTO contact_indicators (organisation_id, contact_id, institution_id, "
            f"as_of, batch_id, {', '.join(cols)}) VALUES "
            + ", ".join("(" + ", ".join(_lit(v) for v in r) + ")" for r in new_rows))
    return len(changes)


def _sql_type(t: sa.types.TypeEngine) -> str:
    """The SQL type (the same words on DuckDB and PostgreSQL) of a ``contact_indicators``
    column."""
    if isinstance(t, sa.Boolean):
        return "BOOLEAN"
    if isinstance(t, sa.SmallInteger):
        return "SMALLINT"
    if isinstance(t, sa.Integer):
        return "INTEGER"
    if isinstance(t, sa.Numeric):
        return f"NUMERIC({t.precision},{t.scale})"
    if isinstance(t, sa.Date):
        return "DATE"
    return "TEXT"


def _append_level_changes(runner: SqlRunner, table: str, codes: Sequence[str], as_of: date,
                          batch_id: int | None) -> int:
    """Append to the history every level that differs from the stored one. The new and stored
    rows are joined once, keeping only the contacts with some change (most have none), and
    only those are turned into one row per changed indicator."""
    keys = "n.organisation_id = o.organisation_id AND n.contact_id = o.contact_id"
    differs = [f"coalesce(o.{c}_level, 0) <> n.{c}_level" for c in codes]
    runner.recreate_temp(
        "_ind_changed",
        f"""SELECT n.organisation_id, n.contact_id,
                   {', '.join(f'o.{c}_level AS old_{c}, n.{c}_level AS new_{c}' for c in codes)}
            FROM {table} n LEFT JOIN contact_indicators o ON {keys}
            WHERE {' OR '.join(differs)}""",
    )
    changes = " UNION ALL ".join(
        f"""SELECT organisation_id, contact_id, '{c}' AS indicator, old_{c} AS old_level,
                   new_{c} AS new_level FROM _ind_changed WHERE coalesce(old_{c}, 0) <> new_{c}"""
        for c in codes
    )
    count = runner.scalar(f"SELECT count(*) FROM ({changes}) c")
    if count:
        runner.execute(
            f"""INSERT INTO indicator_history
                (organisation_id, contact_id, indicator, old_level, new_level, as_of, batch_id)
            SELECT organisation_id, contact_id, indicator, old_level, new_level,
                   {_lit(as_of)}, {"NULL" if batch_id is None else batch_id} FROM ({changes}) c"""
        )
    runner.drop("_ind_changed")
    return count


def record_batch(runner: SqlRunner, *, batch_id: int, as_of: date, cadence: str,
                 started_at: datetime, finished_at: datetime, thresholds: dict) -> None:
    runner.execute(
        f"""INSERT INTO indicator_batches (batch_id, as_of, cadence, started_at, finished_at,
                                           thresholds)
        VALUES ({batch_id}, {_lit(as_of)}, {_lit(cadence)}, {_lit(started_at.isoformat())},
                {_lit(finished_at.isoformat())}, {_lit(json.dumps(thresholds))})"""
    )


def upsert_values(runner: SqlRunner, source: str, value_cols: Sequence[str], as_of: date,
                  batch: str) -> None:
    """Update the given columns of existing rows, insert the missing rows."""
    sets = ", ".join(f"{c} = n.{c}" for c in value_cols)
    runner.execute(
        f"""UPDATE contact_indicators SET {sets}, as_of = {_lit(as_of)}, batch_id = {batch}
        FROM {source} n WHERE contact_indicators.organisation_id = n.organisation_id
          AND contact_indicators.contact_id = n.contact_id"""
    )
    cols = ", ".join(value_cols)
    runner.execute(
        f"""INSERT INTO contact_indicators
            (organisation_id, contact_id, institution_id, as_of, batch_id, {cols})
        SELECT n.organisation_id, n.contact_id, n.institution_id, {_lit(as_of)}, {batch},
               {', '.join(f'n.{c}' for c in value_cols)}
        FROM {source} n LEFT JOIN contact_indicators o ON o.organisation_id = n.organisation_id
            AND o.contact_id = n.contact_id WHERE o.contact_id IS NULL"""
    )


def band_thresholds(runner: SqlRunner, table: str, codes: Sequence[str]) -> dict:
    """Per organisation, indicator and population: how many ranked contacts, and the highest
    value of the Small (level 1) and Medium (level 2) bands."""
    out: dict = {}
    for code in codes:
        population = POPULATION_COLUMNS.get(code, "'all'")
        rows = runner.fetchall(
            f"""SELECT organisation_id, {population} AS population,
                       count(*) FILTER (WHERE {code}_level > 0),
                       max({code}) FILTER (WHERE {code}_level = 1),
                       max({code}) FILTER (WHERE {code}_level = 2),
                       min({code}) FILTER (WHERE {code}_level = 3)
                FROM {table} WHERE {code}_level > 0 GROUP BY 1, 2 ORDER BY 1, 2"""
        )
        for org, pop, n, t1, t2, t3 in rows:
            out.setdefault(org, {}).setdefault(code, {})[pop or "all"] = {
                "ranked": int(n),
                "level_1_max": _num(t1), "level_2_max": _num(t2), "level_3_min": _num(t3),
            }
    return out


def _num(v):
    return None if v is None else str(v)
