"""Benchmark: the per-contact (real-time) refresh, one contact at a time, on a store that
already holds a computed venue (e.g. the one bench_import.py made).

    .venv/bin/python bench/bench_realtime.py --database-url duckdb:///bench/data/import-1000000.duckdb

Prints p50 / p95 / p99 in milliseconds of ``refresh_touched`` for N random contacts (each in
its own transaction, as an API event would be), and beside them the floor: reading the same
contact's order lines with one plain query (no refresh can know less about its contact).
The first refresh of the process (which compiles the SQL and warms the connection) is
reported apart, as ``first_ms``: a server is warm, so the quantiles are those of the calls
after it. Each refresh's statements (round trips to the store, the ``COMMIT`` included) are
counted, and the process's CPU time per refresh (on DuckDB, which works in-process, the work
itself): figures the machine's load moves far less than the wall time. ``--statements`` also
prints where the time of the median refresh goes, statement by statement.
``--json`` prints the figures as one JSON object and saves nothing (``bench/suite.py`` runs
it so, as a child). Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from common import report, self_peak_rss_mb

from habitue.services.indicators import refresh_touched
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import Store, native

FLOOR_SQL = ("SELECT count(*), sum(amount) FROM order_lines WHERE beneficiary_contact_id = :c "
             "AND organisation_id IN (SELECT organisation_id FROM organisations "
             "WHERE institution_id = :i)")


def _quantiles(timings: list[float]) -> dict:
    q = statistics.quantiles(timings, n=100) if len(timings) > 1 else [timings[0]] * 99
    return {"p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1)}


class CountingConnection:
    """A driver connection whose statements are counted and timed (``log``: one
    ``(milliseconds, first words)`` per statement), the rest passed through."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.log: list[tuple[float, str]] = []

    def execute(self, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = self._conn.execute(sql, *args)
        self.log.append(((time.perf_counter() - started) * 1000, " ".join(sql.split())[:90]))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class Refresh(NamedTuple):
    ms: float  # wall time, the commit included
    cpu_ms: float  # this process's CPU time, all its threads (DuckDB's work is in-process)
    log: list[tuple[float, str]]  # the statements, the commit counted as one


def _refresh(store: Store, inst: str, contact: str, as_of: date) -> Refresh:
    """One refresh in its own transaction."""
    started, cpu = time.perf_counter(), time.process_time()
    with store.begin() as conn:
        counting = CountingConnection(native(conn))
        refresh_touched(SqlRunner(counting, store.capabilities), as_of=as_of,
                        touched_sql=f"SELECT '{inst}' AS institution_id, "
                                    f"'{contact}' AS contact_id")
        commit_from = time.perf_counter()
    counting.log.append(((time.perf_counter() - commit_from) * 1000, "COMMIT"))
    return Refresh((time.perf_counter() - started) * 1000,
                   (time.process_time() - cpu) * 1000, counting.log)


def _floor(store: Store, inst: str, contact: str) -> float:
    started = time.perf_counter()
    with store.connect() as conn:
        conn.execute(sa.text(FLOOR_SQL), {"c": contact, "i": inst}).fetchone()
    return (time.perf_counter() - started) * 1000


def run(url: str, *, contacts: int = 200, as_of: date, seed: int = 1,
        with_statements: bool = False) -> dict:
    """Refresh ``contacts`` random contacts one by one; the first refresh's time, the
    quantiles of the others and of the floor, statements per refresh, and this process's
    peak RSS (``with_statements``: the statements of the median refresh, timed)."""
    store = Store(url)
    try:
        with store.connect() as conn:
            ids = list(conn.execute(sa.text(
                "SELECT institution_id, contact_id FROM contacts ORDER BY 1, 2")).all())
        picked = random.Random(seed).sample(ids, min(contacts, len(ids)))
        first = _refresh(store, *picked[0], as_of)  # compiles the SQL: reported apart
        runs = [_refresh(store, inst, contact, as_of) for inst, contact in picked[1:]] or [first]
        _floor(store, *picked[0])  # the connection opened, the statement compiled: not timed
        floor = [_floor(store, inst, contact) for inst, contact in picked]
    finally:
        store.dispose()
    statements = [len(r.log) for r in runs]
    out = {"store": store.kind, "contacts": len(picked), **_quantiles([r.ms for r in runs]),
           "first_ms": round(first.ms, 1),
           "cpu_p50_ms": round(statistics.median(r.cpu_ms for r in runs), 1),
           "statements": {"median": statistics.median(statements), "max": max(statements)},
           "floor": {"query": "one contact's order lines (count, sum)", **_quantiles(floor)},
           "peak_rss_mb": self_peak_rss_mb(), "load_average": list(os.getloadavg())}
    if with_statements:
        median = sorted(runs, key=lambda r: r.ms)[len(runs) // 2]
        out["median_refresh"] = [[round(ms, 2), sql] for ms, sql in median.log]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--as-of", default="2026-11-22")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--statements", action="store_true",
                        help="also give the statements of the median refresh, timed")
    parser.add_argument("--json", action="store_true", help="print JSON only, save nothing")
    args = parser.parse_args()
    result = run(args.database_url, contacts=args.contacts,
                 as_of=date.fromisoformat(args.as_of), seed=args.seed,
                 with_statements=args.statements)
    report(result, as_json=args.json, name=f"realtime-{result['store']}")


if __name__ == "__main__":
    main()
