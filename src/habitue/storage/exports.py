"""Writing the result of a query to a file: CSV through the store itself (DuckDB ``COPY … TO``,
PostgreSQL ``COPY … TO STDOUT`` streamed by psycopg), XLSX with xlsxwriter in constant-memory
mode, streamed from a cursor (design.md: 100k rows × 12 columns in seconds, little memory).

``select_sql`` names its columns ``c0``, ``c1``…; ``headers`` are what the file shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from habitue.storage.bulk import SqlRunner
from habitue.storage.segment_store import lit

FETCH_ROWS = 10_000


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def header_line(headers: Sequence[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(headers)
    return buf.getvalue().encode("utf-8")


def _csv_duckdb(runner: SqlRunner, select_sql: str, headers: Sequence[str], path: Path) -> int:
    named = ", ".join(f"c{i} AS {quote_identifier(h)}" for i, h in enumerate(headers))
    return int(runner.scalar(f"COPY (SELECT {named} FROM ({select_sql}) x) TO "
                             f"{lit(str(path))} (FORMAT csv, HEADER true)"))


def _csv_postgresql(runner: SqlRunner, select_sql: str, headers: Sequence[str],
                    path: Path) -> int:
    with path.open("wb") as fh, runner.conn.cursor() as cur:
        fh.write(header_line(headers))
        with cur.copy(f"COPY ({select_sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                fh.write(block)
        return cur.rowcount


def _batches_duckdb(runner: SqlRunner, select_sql: str) -> Iterator[list[tuple]]:
    cur = runner.conn.execute(select_sql)
    while rows := cur.fetchmany(FETCH_ROWS):
        yield rows


def _batches_postgresql(runner: SqlRunner, select_sql: str) -> Iterator[list[tuple]]:
    # a server-side cursor: the rows come FETCH_ROWS at a time (inside the transaction)
    with runner.conn.cursor(name="habitue_export") as cur:
        cur.itersize = FETCH_ROWS
        cur.execute(select_sql)
        while rows := cur.fetchmany(FETCH_ROWS):
            yield rows


CSV_WRITERS: dict[str, Callable[[SqlRunner, str, Sequence[str], Path], int]] = {
    "duckdb": _csv_duckdb, "postgresql": _csv_postgresql}
ROW_BATCHES: dict[str, Callable[[SqlRunner, str], Iterator[list[tuple]]]] = {
    "duckdb": _batches_duckdb, "postgresql": _batches_postgresql}


def write_csv(runner: SqlRunner, select_sql: str, headers: Sequence[str], path: Path) -> int:
    """UTF-8, comma-separated, a header row; an empty cell for no value. Returns the rows
    written."""
    return CSV_WRITERS[runner.capabilities.name](runner, select_sql, headers, Path(path))


def write_xlsx(runner: SqlRunner, select_sql: str, headers: Sequence[str], path: Path, *,
               sheet: str = "members") -> int:
    """One sheet, a bold frozen header row, numbers as numbers, dates as dates, every text as
    text (a value starting with ``=`` is never a formula). Returns the rows written."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        ws = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, list(headers), bold)
        n = 0
        for rows in ROW_BATCHES[runner.capabilities.name](runner, select_sql):
            for row in rows:
                n += 1
                for j, v in enumerate(row):
                    _write_cell(ws, n, j, v, day, moment)
        return n
    finally:
        workbook.close()


def _write_cell(ws, i: int, j: int, v: object, day, moment) -> None:
    if v is None:
        return
    if isinstance(v, bool):
        ws.write_boolean(i, j, v)
    elif isinstance(v, (int, float, Decimal)):
        ws.write_number(i, j, float(v))
    elif isinstance(v, datetime):
        ws.write_datetime(i, j, v, moment)
    elif isinstance(v, date):
        ws.write_datetime(i, j, datetime(v.year, v.month, v.day), day)
    else:
        ws.write_string(i, j, str(v))
