"""Turn a raw text table into typed, validated staged rows (DuckDB SQL, one pass).

Every field of the format has a parse expression and an error sentence; a row with any error is
moved to the rejects (one reject per faulty cell, naming the column and the value) and the others
go on typed, with the format's defaults applied, in ``s_<entity>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from habitue.domain.format import FALSE_WORDS, TRUE_WORDS, Entity, Field, FieldType
from habitue.importers.reading import RawTable, quote_ident, sql_literal
from habitue.storage.store import DUCKDB

DEFAULT_TIMEZONE = "Europe/Paris"

# Staging column types: DuckDB's column types of the store's schema
STAGED_TYPES = DUCKDB.types

# an offset after a time of day (a plain date's "-01" is not one)
_OFFSET_RE = r"[T ]\d{1,2}:\d\d(:\d\d(\.\d*)?)?\s*(Z|z|[+-]\d\d(:?\d\d)?)$"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(sql_literal(w) for w in words)


@dataclass(frozen=True)
class Check:
    condition: str  # SQL, true when the cell is wrong
    reason: str  # SQL expression giving the sentence


def parse_expr(f: Field, v: str) -> str:
    """SQL parsing the trimmed text ``v`` into the field's type (NULL when unparseable)."""
    t = f.type
    if t in (FieldType.ID, FieldType.TEXT):
        return v
    if t == FieldType.ENUM:
        return f"CASE WHEN upper({v}) IN ({_words(f.enum)}) THEN upper({v}) END"
    if t == FieldType.DATE:
        return f"coalesce(try_cast({v} AS DATE), CAST(try_strptime({v}, '%d/%m/%Y') AS DATE))"
    if t == FieldType.DATETIME:
        return (
            f"CASE WHEN length({v}) > 10 AND (right({v}, 1) IN ('Z', 'z') "
            f"OR strpos(substr({v}, 11), '+') > 0 OR strpos(substr({v}, 11), '-') > 0) "
            f"AND regexp_matches({v}, '{_OFFSET_RE}') "
            f"THEN timezone(__tz, try_cast({v} AS TIMESTAMPTZ)) "
            f"ELSE coalesce(try_cast({v} AS TIMESTAMP), "
            f"try_strptime({v}, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y'])) END"
        )
    if t == FieldType.DECIMAL:
        return f"try_cast(replace({v}, ',', '.') AS DECIMAL(18,4))"
    if t == FieldType.BOOLEAN:
        return (
            f"CASE WHEN lower({v}) IN ({_words(TRUE_WORDS)}) THEN true "
            f"WHEN lower({v}) IN ({_words(FALSE_WORDS)}) THEN false END"
        )
    if t == FieldType.INTEGER:
        return f"try_cast({v} AS BIGINT)"
    if t == FieldType.TIMEZONE:
        return f"CASE WHEN {v} IN (SELECT name FROM pg_timezone_names()) THEN {v} END"
    if t == FieldType.CURRENCY:
        return f"CASE WHEN regexp_full_match(upper({v}), '[A-Z]{{3}}') THEN upper({v}) END"
    if t == FieldType.COUNTRY:
        return f"CASE WHEN regexp_full_match(upper({v}), '[A-Z]{{2}}') THEN upper({v}) END"
    raise ValueError(t)


_EXPECTED: dict[FieldType, str] = {
    FieldType.DATE: "is not a date (expected YYYY-MM-DD or DD/MM/YYYY)",
    FieldType.DATETIME: (
        "is not a date-time (expected ISO 8601 such as 2026-03-14T20:30:00+01:00, "
        "2026-03-14 20:30 or 14/03/2026 20:30)"
    ),
    FieldType.DECIMAL: "is not a number (expected a decimal such as 12.50 or 12,50)",
    FieldType.BOOLEAN: "is not a boolean (expected true/false, 1/0, yes/no, oui/non, y/n)",
    FieldType.INTEGER: "is not a whole number",
    FieldType.TIMEZONE: "is not an IANA time zone (such as Europe/Paris)",
    FieldType.CURRENCY: "is not an ISO 4217 currency code (such as EUR)",
    FieldType.COUNTRY: "is not an ISO 3166 alpha-2 country code (such as FR)",
}


def field_checks(f: Field, raw: str, parsed: str) -> list[Check]:
    """The checks of one cell; ``raw`` is the trimmed text, ``parsed`` the typed value."""
    name = sql_literal(f.name)
    shown = f"'''' || {raw} || ''''"
    checks: list[Check] = []
    if f.required:
        checks.append(Check(f"{raw} IS NULL", f"{name} || ' is required'"))
    if f.type == FieldType.ENUM:
        checks.append(Check(
            f"{raw} IS NOT NULL AND {parsed} IS NULL",
            f"{name} || ': ' || {shown} || "
            f"{sql_literal(' is not one of ' + ', '.join(f.enum))}",
        ))
    elif f.type in _EXPECTED:
        checks.append(Check(
            f"{raw} IS NOT NULL AND {parsed} IS NULL",
            f"{name} || ': ' || {shown} || {sql_literal(' ' + _EXPECTED[f.type])}",
        ))
    if f.type == FieldType.DECIMAL:
        checks.append(Check(
            f"{parsed} < 0",
            f"{name} || ': ' || {shown} || ' is negative (a price paid is 0 or more)'",
        ))
        checks.append(Check(
            f"{parsed} <> round({parsed}, 2)",
            f"{name} || ': ' || {shown} || ' has more than 2 decimals'",
        ))
    if f.type == FieldType.INTEGER:
        checks.append(Check(f"{parsed} < 0", f"{name} || ': ' || {shown} || ' is negative'"))
    return checks


def _row_checks(entity: Entity) -> list[tuple[str, Check]]:
    """Checks across fields of one row: (column named in the reject, check)."""
    pairs = {"seasons": ("start_date", "end_date"), "products": ("valid_from", "valid_to")}
    if entity.name not in pairs:
        return []
    lo, hi = pairs[entity.name]
    return [(hi, Check(
        f"p_{hi} < p_{lo}",
        f"'{hi}: ' || CAST(p_{hi} AS VARCHAR) || ' is before {lo} ' || CAST(p_{lo} AS VARCHAR)",
    ))]


def _timezone_join(entity: Entity, raw: RawTable) -> tuple[str, str]:
    """(join clause, tz expression): the zone in which the row's local date-times are read."""
    has_datetime = any(f.type == FieldType.DATETIME for f in entity.fields)
    if not has_datetime:
        return "", sql_literal(DEFAULT_TIMEZONE)
    if "organisation_id" in entity.field_names:
        return (
            " LEFT JOIN _org_tz z ON z.key = nullif(trim(r.organisation_id), '')",
            f"coalesce(z.timezone, {sql_literal(DEFAULT_TIMEZONE)})",
        )
    inst = "nullif(trim(r.institution_id), '')" if "institution_id" in raw.known else "'default'"
    return (
        f" LEFT JOIN _inst_tz z ON z.key = coalesce({inst}, 'default')",
        f"coalesce(z.timezone, {sql_literal(DEFAULT_TIMEZONE)})",
    )


def _trimmed(col: str) -> str:
    """The cell without its surrounding spaces, NULL when empty. trim() copies every string;
    most cells have no space to remove and are kept as they are."""
    return (f"CASE WHEN {col} = '' THEN NULL WHEN starts_with({col}, ' ') OR "
            f"ends_with({col}, ' ') THEN nullif(trim({col}), '') ELSE {col} END")


def stage_entity(db, raw: RawTable, rejects_table: str) -> int:
    """Create ``s_<entity>`` (valid typed rows) and append the cell errors to the rejects;
    return the number of rows read.

    One pass over the raw table: trim, parse and check are nested selects materialised once;
    the few faulty rows are then moved to the rejects."""
    entity = raw.source.entity
    file = sql_literal(raw.source.name)
    join, tz = _timezone_join(entity, raw)
    trimmed = ["r.__line", f"{tz} AS __tz"]
    for f in entity.fields:
        if f.name in raw.known:
            trimmed.append(f"{_trimmed('r.' + quote_ident(f.name))} AS r_{f.name}")
        else:
            trimmed.append(f"CAST(NULL AS VARCHAR) AS r_{f.name}")
    if raw.unknown:
        pairs = ", ".join(
            f"{sql_literal(name)}, {_trimmed('r.' + quote_ident(col))}"
            for col, name in raw.unknown.items()
        )
        trimmed.append(f"json_object({pairs}) AS attributes")
    else:
        trimmed.append("CAST(NULL AS JSON) AS attributes")

    parsed = ["__line", "attributes"] + [
        f"r_{f.name}, {parse_expr(f, 'r_' + f.name)} AS p_{f.name}" for f in entity.fields
    ]

    checks: list[tuple[str, Check]] = []
    for f in entity.fields:
        checks += [(f.name, c) for c in field_checks(f, f"r_{f.name}", f"p_{f.name}")]
    checks += _row_checks(entity)
    items = ", ".join(
        f"CASE WHEN {c.condition} THEN {{'c': {sql_literal(col)}, 'v': r_{col}, 'r': {c.reason}}}"
        " END"
        for col, c in checks
    )
    # the list of a row's errors is only built for the (few) rows that have one
    any_bad = " OR ".join(f"coalesce({c.condition}, false)" for _, c in checks) or "false"
    typed = [
        f"CAST(coalesce(p_{f.name}, {sql_literal(f.default)}) AS {STAGED_TYPES[f.type]}) "
        f"AS {f.name}" if f.default is not None
        else f"CAST(p_{f.name} AS {STAGED_TYPES[f.type]}) AS {f.name}"
        for f in entity.fields
    ]
    db.execute(
        f"""CREATE OR REPLACE TABLE s_{entity.name} AS
        SELECT __line, {', '.join(typed)}, attributes, __errs,
               CASE WHEN len(__errs) > 0 THEN {key_text(entity, 'r_')} END AS __k
        FROM (SELECT *, CASE WHEN {any_bad} THEN list_filter([{items}], x -> x IS NOT NULL)
                        ELSE [] END AS __errs
              FROM (SELECT {', '.join(parsed)}
                    FROM (SELECT {', '.join(trimmed)} FROM {raw.table} r{join})))"""
    )
    rows = db.execute(f"SELECT count(*) FROM s_{entity.name}").fetchone()[0]
    db.execute(
        f"""INSERT INTO {rejects_table}
        SELECT {file}, __line, e.c, left(e.v, 200), e.r, __k FROM (
            SELECT __line, __k, unnest(__errs) AS e FROM s_{entity.name}
            WHERE len(__errs) > 0)"""
    )
    db.execute(f"DELETE FROM s_{entity.name} WHERE len(__errs) > 0")
    reject_conflicting_duplicates(db, entity, raw.source.name, rejects_table)
    return rows


def key_text(entity: Entity, prefix: str = "") -> str:
    """SQL text identifying a row's key, to find the rejected row behind a broken reference."""
    parts = []
    for k in entity.key:
        f = entity.get(k)
        col = f"{prefix}{k}"
        parts.append(f"coalesce({col}, {sql_literal(f.default)})" if f.default else col)
    return " || '|' || ".join(f"coalesce(CAST({p} AS VARCHAR), '')" for p in parts)


def content_columns(entity: Entity) -> list[str]:
    """Columns that must agree between two rows of one key."""
    return [f.name for f in entity.fields
            if f.name not in entity.key and f.name not in entity.history_fields] + ["attributes"]


def reject_conflicting_duplicates(db, entity: Entity, file: str, rejects_table: str) -> None:
    """Rows sharing an id but not their content: all of them are rejected (which is right is
    not ours to guess); exact repeats are kept and counted once."""
    keys = ", ".join(entity.key)
    cols = content_columns(entity)
    differs = ", ".join(
        f"CASE WHEN count(DISTINCT coalesce(CAST({c} AS VARCHAR), chr(0))) > 1 "
        f"THEN {sql_literal(c)} END" for c in cols
    )
    db.execute(
        f"""CREATE OR REPLACE TABLE _dupkeys AS
        SELECT {keys} FROM s_{entity.name} GROUP BY {keys} HAVING count(*) > 1"""
    )
    db.execute(
        f"""CREATE OR REPLACE TABLE _dups AS
        SELECT {keys}, list(__line ORDER BY __line) AS lines,
               list_filter([{differs}], x -> x IS NOT NULL) AS cols
        FROM s_{entity.name} SEMI JOIN _dupkeys USING ({keys})
        GROUP BY {keys}"""
    )
    db.execute("DROP TABLE _dupkeys")
    db.execute("DELETE FROM _dups WHERE len(cols) = 0")
    if db.execute("SELECT count(*) FROM _dups").fetchone()[0] == 0:
        db.execute("DROP TABLE _dups")
        return
    idcol = entity.id_column
    db.execute(
        f"""INSERT INTO {rejects_table}
        SELECT {sql_literal(file)}, l, {sql_literal(idcol)}, {idcol},
            {sql_literal(idcol)} || ' ' || '''' || {idcol} || '''' || ' appears on lines '
            || array_to_string(lines, ', ') || ' with different '
            || array_to_string(cols, ', '), {key_text(entity)}
        FROM (SELECT *, unnest(lines) AS l FROM _dups)"""
    )
    db.execute(
        f"""DELETE FROM s_{entity.name} WHERE __line IN
            (SELECT unnest(lines) FROM _dups)"""
    )
    db.execute("DROP TABLE _dups")
