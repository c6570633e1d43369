"""Benchmark: generate a venue and import it into DuckDB and PostgreSQL.

    .venv/bin/python bench/bench_import.py --contacts 1000000

Each step runs as its own process (``habitue`` CLI) so that wall time and peak memory are the
command's own. Results go to bench/results/import-<contacts>.json; docs/performance.md quotes
them. Never part of the test run.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import psycopg

from common import DATA, HABITUE, machine, measure, save

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=1)
    parser.add_argument("--today", default="2026-11-22")
    parser.add_argument("--stores", default="duckdb,postgresql")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    data = DATA / f"venue-{args.contacts}"
    results: dict = {"machine": machine(), "contacts": args.contacts, "steps": {}}
    if args.regenerate or not (data / "order_lines.csv").exists():
        shutil.rmtree(data, ignore_errors=True)
        results["steps"]["generate"] = measure(HABITUE + [
            "generate", str(data), "--contacts", str(args.contacts),
            "--organisations", str(args.organisations), "--today", args.today])
    results["files"] = {p.name: {"bytes": p.stat().st_size,
                                 "rows": sum(1 for _ in p.open("rb")) - 1}
                        for p in sorted(data.glob("*.csv"))}

    for store in args.stores.split(","):
        if store == "duckdb":
            db = DATA / f"import-{args.contacts}.duckdb"
            db.unlink(missing_ok=True)
            Path(str(db) + ".wal").unlink(missing_ok=True)
            url = f"duckdb:///{db}"
        else:
            name = f"habitue_bench_{args.contacts}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        measure(HABITUE + ["--database-url", url, "init"])
        results["steps"][f"import-{store}"] = measure(
            HABITUE + ["--database-url", url, "import", str(data), "--output", "json"])
        results["steps"][f"reimport-{store}"] = measure(
            HABITUE + ["--database-url", url, "import", str(data), "--output", "json"])
    path = save(f"import-{args.contacts}-{args.stores.replace(',', '-')}", results)
    for name, step in results["steps"].items():
        print(f"{name:20s} {step['seconds']:8.1f} s  {step['peak_rss_mb']:6d} MB  "
              f"exit {step['exit_code']}")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
