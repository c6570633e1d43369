"""Benchmark: the per-contact (real-time) refresh, one contact at a time, on a store that
already holds a computed venue (e.g. the one bench_import.py made).

    .venv/bin/python bench/bench_realtime.py --database-url duckdb:///bench/data/import-1000000.duckdb

Prints p50 / p95 / p99 in milliseconds of ``refresh_touched`` for N random contacts (each in
its own transaction, as an API event would be), and beside them the floor: reading the same
contact's order lines with one plain query (no refresh can know less about its contact).
``--json`` prints the figures as one JSON object and saves nothing (``bench/suite.py`` runs
it so, as a child). Never part of the test run.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import date

import sqlalchemy as sa
from common import machine, save, self_peak_rss_mb

from habitue.services.indicators import refresh_touched
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import Store, native

FLOOR_SQL = ("SELECT count(*), sum(amount) FROM order_lines WHERE beneficiary_contact_id = :c "
             "AND organisation_id IN (SELECT organisation_id FROM organisations "
             "WHERE institution_id = :i)")


def _quantiles(timings: list[float]) -> dict:
    q = statistics.quantiles(timings, n=100) if len(timings) > 1 else [timings[0]] * 99
    return {"p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1)}


def _refresh(store: Store, inst: str, contact: str, as_of: date) -> float:
    started = time.perf_counter()
    with store.begin() as conn:
        refresh_touched(SqlRunner(native(conn), store.capabilities), as_of=as_of,
                        touched_sql=f"SELECT '{inst}' AS institution_id, "
                                    f"'{contact}' AS contact_id")
    return (time.perf_counter() - started) * 1000


def _floor(store: Store, inst: str, contact: str) -> float:
    started = time.perf_counter()
    with store.connect() as conn:
        conn.execute(sa.text(FLOOR_SQL), {"c": contact, "i": inst}).fetchone()
    return (time.perf_counter() - started) * 1000


def run(url: str, *, contacts: int = 200, as_of: date, seed: int = 1) -> dict:
    """Refresh ``contacts`` random contacts one by one; the quantiles of the refresh and of
    the floor, and this process's peak RSS."""
    store = Store(url)
    try:
        with store.connect() as conn:
            ids = list(conn.execute(sa.text(
                "SELECT institution_id, contact_id FROM contacts ORDER BY 1, 2")).all())
        picked = random.Random(seed).sample(ids, min(contacts, len(ids)))
        timings = [_refresh(store, inst, contact, as_of) for inst, contact in picked]
        _floor(store, *picked[0])  # the connection opened, the statement compiled: not timed
        floor = [_floor(store, inst, contact) for inst, contact in picked]
    finally:
        store.dispose()
    return {"store": store.kind, "contacts": len(picked), **_quantiles(timings),
            "first_ms": round(timings[0], 1),
            "floor": {"query": "one contact's order lines (count, sum)", **_quantiles(floor)},
            "peak_rss_mb": self_peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--as-of", default="2026-11-22")
    parser.add_argument("--json", action="store_true", help="print JSON only, save nothing")
    args = parser.parse_args()
    result = run(args.database_url, contacts=args.contacts,
                 as_of=date.fromisoformat(args.as_of))
    if args.json:
        print(json.dumps(result))
        return
    result = {"machine": machine(), **result}
    save(f"realtime-{result['store']}", result)
    print(result)


if __name__ == "__main__":
    main()
