"""Read one file of the open format into a DuckDB staging table, every cell as text.

DuckDB's readers do the heavy lifting (parallel, streaming); this module sniffs what they need
(encoding, delimiter), normalises the header and keeps track of file line numbers, so that every
later error can name the file, the line and the column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from habitue.importers.errors import ImportFailure
from habitue.importers.sources import SourceFile

CHUNK = 16 * 1024 * 1024
DELIMITERS = (",", ";", "\t")


@dataclass
class RawTable:
    source: SourceFile
    table: str
    known: list[str]  # format columns present in the file
    unknown: dict[str, str]  # staging column -> header text, kept as custom attributes
    rows: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    structural_rejects: int = 0
    temp_files: list[Path] = field(default_factory=list)
    is_view: bool = False  # ``table`` numbers the rows of ``table``_read on the fly


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def scan_file(path: Path) -> tuple[str, int]:
    """(encoding, physical lines) of a text file, in one pass: ``utf-8`` when the whole file
    decodes as UTF-8 (BOM or not), else ``windows-1252``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8"
    newlines = 0
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
            if encoding == "utf-8":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = "windows-1252"
    if encoding == "utf-8":
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "windows-1252"
    return encoding, newlines + (1 if last not in (b"", b"\n") else 0)


def detect_encoding(path: Path) -> str:
    return scan_file(path)[0]


def _cp1252_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    # the five bytes Windows-1252 leaves undefined are read as Latin-1
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("habitue-cp1252", _cp1252_fallback)


def transcode_to_utf8(path: Path, encoding: str) -> Path:
    out = Path(tempfile.mkstemp(prefix="habitue-", suffix=".csv")[1])
    decoder = codecs.getincrementaldecoder(encoding)(errors="habitue-cp1252")
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))
    return out


def read_header_line(path: Path) -> str:
    with path.open("r", encoding="utf-8", newline="") as fh:
        line = fh.readline()
    return line.lstrip("\ufeff").rstrip("\r\n")


def sniff_delimiter(header: str) -> str:
    """The delimiter that splits the header into the most fields (outside quotes)."""
    best, best_count = ",", 0
    for delim in DELIMITERS:
        fields = next(csv.reader(io.StringIO(header), delimiter=delim))
        if len(fields) > best_count:
            best, best_count = delim, len(fields)
    return best


def _split_header(source: SourceFile, names: list[str]) -> tuple[list[str], dict[str, str]]:
    """Staging column names: the format's names for known columns, ``x_<n>`` for the others."""
    entity = source.entity
    seen: dict[str, str] = {}
    columns: list[str] = []
    unknown: dict[str, str] = {}
    for i, raw in enumerate(names):
        norm = normalise_header(raw)
        if not norm:
            raise ImportFailure(
                f"{source.name}, line 1: column {i + 1} of the header has no name", file=source.name
            )
        if norm in seen:
            raise ImportFailure(
                f"{source.name}, line 1: column {raw.strip()!r} appears twice in the header",
                file=source.name,
            )
        seen[norm] = raw
        if norm in entity.field_names:
            columns.append(norm)
        else:
            col = f"x_{i}"
            unknown[col] = raw.strip().lstrip("\ufeff")
            columns.append(col)
    missing = [f for f in entity.required if f not in columns]
    if missing:
        raise ImportFailure(
            f"{source.name}, line 1: required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} missing from the header (found: "
            f"{', '.join(n.strip() for n in names)})",
            file=source.name,
        )
    return columns, unknown


def load_raw(db, source: SourceFile, rejects_table: str) -> RawTable:
    """Create ``raw_<entity>`` in the staging connection ``db`` (a DuckDB connection)."""
    reader = {"csv": _load_csv, "parquet": _load_parquet, "jsonl": _load_jsonl}[source.format]
    try:
        return reader(db, source, rejects_table)
    except ImportFailure:
        raise
    except Exception as exc:  # DuckDB reader errors: the file as a whole is unreadable
        message = str(exc).splitlines()[0]
        raise ImportFailure(f"{source.name}: cannot be read: {message}", file=source.name) from exc


def _load_csv(db, source: SourceFile, rejects_table: str) -> RawTable:
    path = source.path
    if path.stat().st_size == 0:
        raise ImportFailure(f"{source.name}: the file is empty (a header line is required)",
                            file=source.name)
    encoding, physical_lines = scan_file(path)
    temp: list[Path] = []
    read_path = path
    if encoding != "utf-8":
        read_path = transcode_to_utf8(path, "cp1252")
        temp.append(read_path)
    header = read_header_line(read_path)
    if not header.strip():
        raise ImportFailure(f"{source.name}, line 1: the header line is empty", file=source.name)
    delimiter = sniff_delimiter(header)
    names = next(csv.reader(io.StringIO(header), delimiter=delimiter))
    columns, unknown = _split_header(source, names)
    table = f"raw_{source.entity.name}"
    names_sql = ", ".join(sql_literal(c) for c in columns)
    db.execute(
        f"""CREATE OR REPLACE TABLE {table}_read AS
        SELECT * FROM read_csv({sql_literal(str(read_path))}, header = true, all_varchar = true,
            delim = {sql_literal(delimiter)}, quote = '"', escape = '"', names = [{names_sql}],
            strict_mode = true, store_rejects = true,
            rejects_table = 'csv_reject_errors', rejects_scan = 'csv_reject_scans')"""
    )
    errors = db.execute(
        """SELECT line, column_name, error_type, csv_line, error_message
           FROM csv_reject_errors ORDER BY line"""
    ).fetchall()
    db.execute("DELETE FROM csv_reject_errors")
    db.execute("DELETE FROM csv_reject_scans")
    # Rows DuckDB skipped shift the line numbers of the rows after them: accepted row k
    # (0-based) is on line k + 2 + (number of skipped lines before it).
    skipped_lines = sorted({int(e[0]) for e in errors})
    shifts = [line - i - 2 for i, line in enumerate(skipped_lines)]  # i is 0-based here
    db.execute("CREATE OR REPLACE TABLE _shifts (t BIGINT)")
    if shifts:
        db.executemany("INSERT INTO _shifts VALUES (?)", [(s,) for s in shifts])
        line_expr = "__k + 2 + (SELECT count(*) FROM _shifts WHERE t <= r.__k)"
    else:
        line_expr = "__k + 2"
    cols = ", ".join(quote_ident(c) for c in columns)
    records = db.execute(f"SELECT count(*) FROM {table}_read").fetchone()[0]
    # a quoted field holding line breaks makes the file longer than its records
    multiline = physical_lines > 1 + records + len(skipped_lines)
    numbered = (f"SELECT CAST({line_expr} AS BIGINT) AS __line, {cols} "
                f"FROM {_indexed(table + '_read')} r")
    if multiline or shifts:
        db.execute(f"CREATE OR REPLACE TABLE {table} AS {numbered}")
        db.execute(f"DROP TABLE {table}_read")
    else:  # the common case: number the rows on the fly, no copy
        db.execute(f"CREATE OR REPLACE VIEW {table} AS {numbered}")
    for line, column, error_type, csv_line, message in errors:
        reason = _structural_reason(error_type, message, delimiter)
        db.execute(
            f"INSERT INTO {rejects_table} VALUES (?, ?, ?, ?, ?, ?)",
            [source.name, int(line), column, (csv_line or "")[:200], reason, None],
        )
    if multiline:
        _count_broken_lines(db, table, columns, errors, source.name, rejects_table)
    return RawTable(source, table, [c for c in columns if c not in unknown], unknown,
                    rows=records + len(skipped_lines), encoding=encoding,
                    is_view=not (multiline or shifts),
                    delimiter={"\t": "tab"}.get(delimiter, delimiter),
                    structural_rejects=len(skipped_lines), temp_files=temp)


def _count_broken_lines(db, table: str, columns: list[str], errors: list[tuple], file: str,
                        rejects_table: str) -> None:
    """Turn record numbers into file line numbers.

    DuckDB numbers records, but a quoted field may hold line breaks (RFC 4180): such a record
    spans several lines of the file, and every record after it starts that much further down.
    """
    breaks = " + ".join(
        f"coalesce(length({quote_ident(c)}) - length(replace({quote_ident(c)}, chr(10), '')), 0)"
        for c in columns
    )
    has_break = " OR ".join(f"contains({quote_ident(c)}, chr(10))" for c in columns)
    db.execute(
        f"CREATE OR REPLACE TABLE _breaks AS "
        f"SELECT __line AS rec, {breaks} AS n FROM {table} WHERE {has_break}"
    )
    # a rejected record's text starts with the blank lines DuckDB skipped before it
    broken = {int(line): text.lstrip("\r\n").count("\n")
              for line, _, _, text, _ in errors if text and "\n" in text.lstrip("\r\n")}
    if broken:
        db.executemany("INSERT INTO _breaks VALUES (?, ?)", list(broken.items()))
    if db.execute("SELECT count(*) FROM _breaks").fetchone()[0]:
        # a record moves down by the line breaks of all the records before it
        db.execute("CREATE OR REPLACE TABLE _breaks AS "
                   "SELECT rec, sum(n) OVER (ORDER BY rec) AS total FROM _breaks")
        db.execute(
            f"""UPDATE {table} SET __line = {table}.__line + s.total FROM
                (SELECT x.__line AS rec, b.total FROM {table} x
                 ASOF JOIN _breaks b ON x.__line > b.rec) s
            WHERE {table}.__line = s.rec"""
        )
        db.execute(
            f"""UPDATE {rejects_table} SET line = {rejects_table}.line + s.total FROM
                (SELECT x.line AS rec, b.total
                 FROM (SELECT DISTINCT line FROM {rejects_table}
                       WHERE file = {sql_literal(file)}) x
                 ASOF JOIN _breaks b ON x.line > b.rec) s
            WHERE {rejects_table}.file = {sql_literal(file)} AND {rejects_table}.line = s.rec"""
        )
    db.execute("DROP TABLE _breaks")


def drop_raw(db, raw: RawTable) -> None:
    """Drop the raw table (or view) of a file and what it reads from."""
    db.execute(f"DROP {'VIEW' if raw.is_view else 'TABLE'} IF EXISTS {raw.table}")
    db.execute(f"DROP TABLE IF EXISTS {raw.table}_read")


def _indexed(table: str) -> str:
    """The table's rows with ``__k``, their 0-based position in insertion (file) order.

    ``rowid`` follows insertion order, but inside a transaction DuckDB numbers new rows from a
    large offset, so positions are taken relative to the first row.
    """
    return f"(SELECT rowid - (SELECT min(rowid) FROM {table}) AS __k, * FROM {table})"


def _structural_reason(error_type: str, message: str, delimiter: str) -> str:
    shown = {"\t": "tab"}.get(delimiter, delimiter)
    if error_type == "TOO MANY COLUMNS":
        return f"the row has more fields than the header (delimiter {shown!r}): {message}"
    if error_type == "MISSING COLUMNS":
        return f"the row has fewer fields than the header (delimiter {shown!r}): {message}"
    if error_type == "UNQUOTED VALUE":
        return f"badly quoted field: {message}"
    return f"unreadable row ({error_type.lower()}): {message}"


def _load_parquet(db, source: SourceFile, rejects_table: str) -> RawTable:
    path = sql_literal(str(source.path))
    described = db.execute(f"DESCRIBE SELECT * FROM read_parquet({path})").fetchall()
    names = [r[0] for r in described]
    columns, unknown = _split_header(source, names)
    table = f"raw_{source.entity.name}"
    select = ", ".join(
        f"CAST({quote_ident(orig)} AS VARCHAR) AS {quote_ident(col)}"
        for orig, col in zip(names, columns, strict=True)
    )
    db.execute(
        f"CREATE OR REPLACE TABLE {table}_read AS SELECT {select} FROM read_parquet({path})"
    )
    db.execute(
        f"CREATE OR REPLACE TABLE {table} AS "
        f"SELECT CAST(__k + 1 AS BIGINT) AS __line, * EXCLUDE (__k) FROM {_indexed(table + '_read')}"
    )
    db.execute(f"DROP TABLE {table}_read")
    rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return RawTable(source, table, [c for c in columns if c not in unknown], unknown, rows=rows)


def _load_jsonl(db, source: SourceFile, rejects_table: str) -> RawTable:
    encoding = detect_encoding(source.path)
    temp: list[Path] = []
    read_path = source.path
    if encoding != "utf-8":
        read_path = transcode_to_utf8(source.path, "cp1252")
        temp.append(read_path)
    table = f"raw_{source.entity.name}"
    db.execute(
        f"""CREATE OR REPLACE TABLE {table}_text AS
        SELECT ltrim(j, chr(65279)) AS j FROM read_csv({sql_literal(str(read_path))},
            header = false, columns = {{'j': 'VARCHAR'}}, delim = chr(31), quote = '',
            escape = '', strict_mode = false)"""
    )
    db.execute(
        f"""CREATE OR REPLACE TABLE {table}_lines AS
        SELECT CAST(__k + 1 AS BIGINT) AS __line, j FROM {_indexed(table + '_text')}"""
    )
    db.execute(f"DROP TABLE {table}_text")
    # blank lines are not rows; lines that are not JSON objects are rejected
    db.execute(
        f"""INSERT INTO {rejects_table}
        SELECT {sql_literal(source.name)}, __line, NULL, left(j, 200),
               'the line is not a JSON object', NULL
        FROM {table}_lines
        WHERE j IS NOT NULL AND trim(j) <> ''
          AND (NOT json_valid(j) OR json_type(j) <> 'OBJECT')"""
    )
    bad = db.execute(f"SELECT count(*) FROM {rejects_table} WHERE file = ?",
                     [source.name]).fetchone()[0]
    db.execute(
        f"""DELETE FROM {table}_lines WHERE j IS NULL OR trim(j) = '' OR NOT json_valid(j)
            OR json_type(j) <> 'OBJECT'"""
    )
    keys = [r[0] for r in db.execute(
        f"SELECT k FROM (SELECT unnest(json_keys(j)) AS k FROM {table}_lines) "
        "GROUP BY k ORDER BY min(k)"
    ).fetchall()]
    if not keys and bad == 0:
        raise ImportFailure(f"{source.name}: the file holds no JSON object", file=source.name)
    columns, unknown = _split_header(source, keys)
    select = ", ".join(
        f"CASE json_type(j, {sql_literal('$.' + _json_path_key(k))}) WHEN 'NULL' THEN NULL "
        f"ELSE json_extract_string(j, {sql_literal('$.' + _json_path_key(k))}) END "
        f"AS {quote_ident(col)}"
        for k, col in zip(keys, columns, strict=True)
    )
    db.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT __line, {select} FROM {table}_lines"
    )
    db.execute(f"DROP TABLE {table}_lines")
    rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return RawTable(source, table, [c for c in columns if c not in unknown], unknown,
                    rows=rows + bad, encoding=encoding, structural_rejects=bad, temp_files=temp)


def _json_path_key(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'
