"""Benchmark: the per-contact (real-time) refresh, one contact at a time, on a store that
already holds a computed venue (e.g. the one bench_import.py made).

    .venv/bin/python bench/bench_realtime.py --database-url duckdb:///bench/data/import-1000000.duckdb

Prints p50 / p95 / p99 in milliseconds of ``refresh_touched`` for N random contacts (each in
its own transaction, as an API event would be). Never part of the test run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

import sqlalchemy as sa

from common import machine, save
from habitue.services.indicators import refresh_touched
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import Store, native


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--as-of", default="2026-11-22")
    args = parser.parse_args()
    store = Store(args.database_url)
    with store.connect() as conn:
        ids = list(conn.execute(sa.text(
            "SELECT institution_id, contact_id FROM contacts")).all())
    picked = random.Random(1).sample(ids, args.contacts)
    as_of = date.fromisoformat(args.as_of)
    timings = []
    for inst, contact in picked:
        started = time.perf_counter()
        with store.begin() as conn:
            refresh_touched(SqlRunner(native(conn), store.capabilities), as_of=as_of,
                            touched_sql=f"SELECT '{inst}' AS institution_id, "
                                        f"'{contact}' AS contact_id")
        timings.append((time.perf_counter() - started) * 1000)
    q = statistics.quantiles(timings, n=100)
    result = {"machine": machine(), "store": store.kind, "contacts": args.contacts,
              "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1),
              "first_ms": round(timings[0], 1)}
    save(f"realtime-{store.kind}", result)
    print(result)


if __name__ == "__main__":
    main()
