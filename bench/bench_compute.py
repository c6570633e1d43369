"""Benchmark: the full computation of the twelve indicators, side by side with a plain pandas
implementation of the same twelve (issue 3: Habitué must beat it), on an imported store.

    .venv/bin/python bench/bench_compute.py                      # bench/data/import-1000000.duckdb
    .venv/bin/python bench/bench_compute.py --database-url postgresql://postgres@127.0.0.1/db

Each step runs as its own process, so that wall time and peak memory (max RSS) are its own:
- ``scan``: the floor, a plain scan of the order lines (``SELECT count(*), sum(amount) FROM
  order_lines``) by DuckDB on a DuckDB store, by PostgreSQL on a PostgreSQL store;
- ``habitue-startup``: ``habitue version``, the fixed cost of starting the CLI (imports);
- ``habitue``: ``habitue compute --as-of D`` (computes and stores every value and level);
- ``pandas-load``: ``bench/reference_pandas.py`` loading the store's tables into DataFrames;
- ``pandas``: the same loading then computing the twelve indicators (one row per contact and
  organisation, values and levels); the child reports its load and compute times apart.
  With ``--long`` it also builds the long (organisation, contact, indicator) frame.

``--repeat N`` runs the sequence N times (the first run reads a cold file more often).
Results go to bench/results/compute-<store>.json. Never part of the test run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import DATA, HABITUE, ROOT, machine, measure, save

REFERENCE = ROOT / "bench" / "reference_pandas.py"


def scan(url: str) -> None:
    """The floor (run as a child: ``bench_compute.py --scan URL``): one plain scan of the
    order lines by the store's own engine."""
    import time

    started = time.perf_counter()
    query = "SELECT count(*), sum(amount) FROM order_lines"
    if url.startswith("duckdb:///"):
        import duckdb

        with duckdb.connect(url[len("duckdb:///"):], read_only=True) as con:
            n, total = con.sql(query).fetchone()
    else:
        import psycopg

        with psycopg.connect("postgresql://" + url.split("://", 1)[1]) as conn:
            n, total = conn.execute(query).fetchone()
    print(json.dumps({"order_lines": n, "sum_amount": str(total),
                      "query_seconds": round(time.perf_counter() - started, 3)}))


def _default_url() -> str | None:
    db = DATA / "import-1000000.duckdb"
    return f"duckdb:///{db}" if db.exists() else None


def measure_scan(url: str) -> dict:
    """The floor, as its own process."""
    return measure([sys.executable, __file__, "--scan", url])


def measure_startup() -> dict:
    """``habitue version``: the CLI's fixed start-up cost, part of every command's time."""
    return measure(HABITUE + ["version"])


def measure_compute(url: str, as_of: str) -> dict:
    """``habitue compute --as-of D``; on a PostgreSQL store both strategies of decision 0006
    side by side (``habitue``: the values computed in DuckDB, ``habitue-in-database``: by
    PostgreSQL itself)."""
    compute = HABITUE + ["--database-url", url, "compute", "--as-of", as_of]
    if url.startswith("postgres"):
        return {"habitue": measure(compute, env={"HABITUE_BATCH_ENGINE": "duckdb"}),
                "habitue-in-database": measure(compute,
                                               env={"HABITUE_BATCH_ENGINE": "database"})}
    return {"habitue": measure(compute)}


def measure_pandas(url: str, as_of: str, *, load_only: bool = False,
                   long: bool = False) -> dict:
    """The pandas reference as its own process; its own load and compute times are under
    ``child``."""
    reference = [sys.executable, str(REFERENCE), url, "--as-of", as_of]
    return measure(reference + (["--load-only"] if load_only else [])
                   + (["--long"] if long else []))


def run_once(url: str, as_of: str, long: bool) -> dict:
    return {"scan": measure_scan(url), "habitue-startup": measure_startup(),
            **measure_compute(url, as_of),
            "pandas-load": measure_pandas(url, as_of, load_only=True),
            "pandas": measure_pandas(url, as_of, long=long)}


def run(url: str, as_of: str, *, repeat: int = 1, long: bool = False,
        report=None) -> dict:
    """The whole sequence ``repeat`` times, with the best time and the peak RSS of each
    step; ``report(i, steps)`` is called after each run."""
    results: dict = {"machine": machine(), "store": url, "as_of": as_of, "runs": []}
    for i in range(repeat):
        steps = run_once(url, as_of, long)
        results["runs"].append(steps)
        if report:
            report(i, steps)
    first = results["runs"][0]
    results["rows"] = first.get("pandas-load", {}).get("child", {}).get("rows", {})
    results["summary"] = {
        name: {"best_seconds": min(r[name]["seconds"] for r in results["runs"]),
               "peak_rss_mb": max(r[name]["peak_rss_mb"] for r in results["runs"])}
        for name in first
    }
    pandas_compute = [r["pandas"].get("child", {}).get("compute_seconds")
                      for r in results["runs"]]
    pandas_load = [r["pandas"].get("child", {}).get("load_seconds") for r in results["runs"]]
    if all(v is not None for v in pandas_compute + pandas_load):
        results["summary"]["pandas"]["best_load_seconds"] = min(pandas_load)
        results["summary"]["pandas"]["best_compute_seconds"] = min(pandas_compute)
    return results


def _print_run(i: int, steps: dict) -> None:
    print(f"run {i + 1}")
    for name, step in steps.items():
        child = step.get("child", {})
        detail = ", ".join(f"{k} {v}" for k, v in child.items() if k.endswith("seconds"))
        print(f"  {name:16s} {step['seconds']:8.1f} s  {step['peak_rss_mb']:6d} MB  "
              f"exit {step['exit_code']}" + (f"  ({detail})" if detail else ""))
        if step["exit_code"] != 0:
            print("    " + step["stderr_tail"][-800:].replace("\n", "\n    "))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=_default_url(),
                        help="the imported store (default: bench/data/import-1000000.duckdb)")
    parser.add_argument("--as-of", default="2026-11-22")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--long", action="store_true",
                        help="the pandas run also builds the long (contact, indicator) frame")
    parser.add_argument("--name", help="results file name (default: compute-<store>)")
    parser.add_argument("--scan", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan:
        scan(args.scan)
        return
    if not args.database_url:
        parser.error("no --database-url and no bench/data/import-1000000.duckdb "
                     "(run bench/bench_import.py first)")
    url = args.database_url
    if url.startswith("duckdb:///") and not Path(url[len("duckdb:///"):]).exists():
        parser.error(f"{url}: no such DuckDB file")

    store = Path(url[len("duckdb:///"):]).stem if url.startswith("duckdb") \
        else url.rsplit("/", 1)[-1]
    results = run(url, args.as_of, repeat=args.repeat, long=args.long, report=_print_run)
    rows = results["rows"]
    path = save(args.name or f"compute-{store}", results)
    print(f"{rows.get('contacts', '?'):,} contacts, {rows.get('order_lines', '?'):,} order "
          f"lines" if rows else "")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
