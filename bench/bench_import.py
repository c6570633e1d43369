"""Benchmark: generate a venue and import it into DuckDB and PostgreSQL.

    .venv/bin/python bench/bench_import.py --contacts 1000000

Each step runs as its own process (``habitue`` CLI) so that wall time and peak memory are the
command's own. Results go to bench/results/import-<contacts>.json; docs/performance.md quotes
them. Never part of the test run. ``bench/suite.py`` uses the functions below.

The floor beside the import is DuckDB reading every CSV file of the venue, each cell as text
(``csv_scan``, run as a child: ``bench_import.py --csv-scan DIR``): no import can read its
files faster than that.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import psycopg
from common import (
    DATA,
    HABITUE,
    PG_ADMIN,
    PG_PREFIX,
    duckdb_store_path,
    machine,
    measure,
    pg_database_name,
    save,
    store_url,
)


def create_store(store: str, contacts: int, *, data_dir: Path = DATA,
                 pg_prefix: str = PG_PREFIX, pg_admin: str = PG_ADMIN) -> str:
    """An empty store of that kind for that size (an earlier one is removed); its URL."""
    if store == "duckdb":
        db = duckdb_store_path(contacts, data_dir)
        db.parent.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)
        Path(str(db) + ".wal").unlink(missing_ok=True)
    else:
        name = pg_database_name(contacts, pg_prefix)
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    return store_url(store, contacts, data_dir=data_dir, pg_prefix=pg_prefix, pg_admin=pg_admin)


def drop_store(store: str, contacts: int, *, data_dir: Path = DATA, pg_prefix: str = PG_PREFIX,
               pg_admin: str = PG_ADMIN) -> None:
    if store == "duckdb":
        db = duckdb_store_path(contacts, data_dir)
        db.unlink(missing_ok=True)
        Path(str(db) + ".wal").unlink(missing_ok=True)
    else:
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_database_name(contacts, pg_prefix)}" '
                         "WITH (FORCE)")


def imported_contacts(url: str) -> int:
    """How many contacts the store holds (0 when it does not exist or was never imported):
    whether ``--reuse`` can keep it."""
    query = "SELECT count(*) FROM contacts"
    try:
        if url.startswith("duckdb:///"):
            path = Path(url[len("duckdb:///"):])
            if not path.exists():
                return 0
            import duckdb

            with duckdb.connect(str(path), read_only=True) as con:
                return int(con.sql(query).fetchone()[0])
        with psycopg.connect(url, connect_timeout=5) as conn:
            return int(conn.execute(query).fetchone()[0])
    except Exception:  # noqa: BLE001 - missing database, missing table: nothing to reuse
        return 0


def import_store(url: str, data: Path, *, reimport: bool = True,
                 rejects: Path | None = None) -> dict:
    """``habitue init`` then ``habitue import`` (and the same import again), each its own
    process. A PostgreSQL store is then vacuumed and analysed, as a server's would be."""
    rejects = rejects or data.parent / f"{data.name}-rejects.csv"
    base = HABITUE + ["--database-url", url]
    steps = {"init": measure(base + ["init"])}
    run = base + ["import", str(data), "--output", "json", "--rejects", str(rejects)]
    steps["import"] = measure(run)
    if reimport:
        steps["reimport"] = measure(run)
    if url.startswith("postgres") and steps["import"]["exit_code"] == 0:
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        steps["vacuum"] = {"seconds": round(time.perf_counter() - started, 3)}
    return steps


def csv_scan(data: Path) -> dict:
    """The floor (run as a child): DuckDB reads every CSV file of ``data``, each cell as
    text, and touches every column."""
    import duckdb

    started = time.perf_counter()
    rows = 0
    with duckdb.connect() as con:
        for path in sorted(Path(data).glob("*.csv")):
            rows += con.sql(f"SELECT count(*), max(COLUMNS(*)) FROM read_csv('{path}', "
                            "header = true, all_varchar = true)").fetchone()[0]
    return {"rows": rows, "query_seconds": round(time.perf_counter() - started, 3)}


def measure_csv_scan(data: Path) -> dict:
    return measure([sys.executable, __file__, "--csv-scan", str(data)])


def file_rows(data: Path) -> dict:
    return {p.name: {"bytes": p.stat().st_size, "rows": sum(1 for _ in p.open("rb")) - 1}
            for p in sorted(Path(data).glob("*.csv"))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=1)
    parser.add_argument("--today", default="2026-11-22")
    parser.add_argument("--stores", default="duckdb,postgresql")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--csv-scan", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_scan:
        print(json.dumps(csv_scan(Path(args.csv_scan))))
        return

    data = DATA / f"venue-{args.contacts}"
    results: dict = {"machine": machine(), "contacts": args.contacts, "steps": {}}
    if args.regenerate or not (data / "order_lines.csv").exists():
        shutil.rmtree(data, ignore_errors=True)
        results["steps"]["generate"] = measure(HABITUE + [
            "generate", str(data), "--contacts", str(args.contacts),
            "--organisations", str(args.organisations), "--today", args.today])
    results["files"] = file_rows(data)
    results["steps"]["csv-scan"] = measure_csv_scan(data)

    for store in args.stores.split(","):
        url = create_store(store, args.contacts)
        steps = import_store(url, data)
        results["steps"][f"import-{store}"] = steps["import"]
        results["steps"][f"reimport-{store}"] = steps["reimport"]
    path = save(f"import-{args.contacts}-{args.stores.replace(',', '-')}", results)
    for name, step in results["steps"].items():
        print(f"{name:20s} {step['seconds']:8.1f} s  {step['peak_rss_mb']:6d} MB  "
              f"exit {step['exit_code']}")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
