"""Benchmark: segments on a store that already holds a computed venue (e.g. the one
bench_import.py made).

    .venv/bin/python bench/bench_segments.py                     # bench/data/import-1000000.duckdb
    .venv/bin/python bench/bench_segments.py --database-url postgresql://postgres@127.0.0.1/bench

Measures, on one connection (a DuckDB connection outside any transaction, or one PostgreSQL
transaction, as the commands use):
- ``facts``: materialising the facts as of D that behaviour rules read (once per evaluation);
- ``compile``: compiling the segment to SQL (once per evaluation);
- ``count``: the count of a segment of 6 conditions — two indicator levels, a consent, a
  behaviour window, a postal prefix and a nested ``any`` — over the materialised facts,
  repeated (median and p95), and once cold (facts, compile and count), as ``habitue segments
  count`` runs it;
- ``export``: 100k members (the first by contact id) written to CSV through the store, and to
  XLSX, with 12 columns (contact fields and indicator labels).
Never part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from common import DATA, machine, save
from habitue.segments import load_definition
from habitue.segments.columns import MEMBERS_TABLE, parse_columns
from habitue.services.segment_evaluation import Evaluator, Target, evaluation_runner
from habitue.services.segment_exports import write_members
from habitue.services.segments import count_segment
from habitue.storage import indicator_store as ist
from habitue.storage.store import Store

SIX = """
rules:
  - {indicator: assiduite, level: {gte: 2}}
  - {indicator: pmg, level: {in: [2, 3]}}
  - {consent: email}
  - {behaviour: bought, order_date: {last: 12 months}}
  - {field: postal_code, starts_with: "75"}
  - any:
      - {field: age, lt: 30}
      - {indicator: abonne, level: 1}
"""
EXPORT_COLUMNS = ("contact_id,title,first_name,last_name,email,phone,street,postal_code,city,"
                  "assiduite:label,pmg:label,abonne:label")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _quantiles(timings: list[float]) -> dict:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": _ms(statistics.median(ordered)), "p95_ms": _ms(p95),
            "min_ms": _ms(ordered[0])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url",
                        default=f"duckdb:///{DATA / 'import-1000000.duckdb'}")
    parser.add_argument("--as-of", help="default: the date of the last indicator batch")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--memory-limit", default="3GB")
    args = parser.parse_args()
    store = Store(args.database_url)
    definition = load_definition(SIX)
    result: dict = {"machine": machine(), "store": store.kind, "repeat": args.repeat}

    with evaluation_runner(store, args.memory_limit) as runner:
        as_of = (date.fromisoformat(args.as_of) if args.as_of else
                 runner.scalar("SELECT max(as_of) FROM indicator_batches") or date.today())
        if not isinstance(as_of, date):
            as_of = date.fromisoformat(str(as_of))
        org, inst = ist.load_organisations(runner)[0]
        contacts = runner.scalar(f"SELECT count(*) FROM contacts WHERE institution_id = "
                                 f"'{inst}'")
        result.update({"as_of": as_of.isoformat(), "organisation": org, "contacts": contacts})
        target = Target(definition, org, inst)
        ev = Evaluator(runner, as_of)

        started = time.perf_counter()
        ev.need_facts(org)
        result["facts_ms"] = _ms(time.perf_counter() - started)

        started = time.perf_counter()
        ev.members_sql(target)  # compiled once per evaluation (Ibis, then SQL text)
        result["compile_ms"] = _ms(time.perf_counter() - started)

        timings, count = [], None
        for _ in range(args.repeat):
            started = time.perf_counter()
            count = ev.count(target)
            timings.append(time.perf_counter() - started)
        result["count"] = {"members": count, **_quantiles(timings)}

        rows = min(args.export_rows, contacts)
        runner.recreate_temp(MEMBERS_TABLE, f"SELECT institution_id, contact_id FROM contacts "
                                            f"WHERE institution_id = '{inst}' "
                                            f"ORDER BY contact_id LIMIT {rows}")
        ist.analyze(runner, MEMBERS_TABLE)
        columns = parse_columns(EXPORT_COLUMNS)
        with tempfile.TemporaryDirectory() as tmp:
            for fmt in ("csv", "xlsx"):
                path = Path(tmp) / f"members.{fmt}"
                started = time.perf_counter()
                summary = write_members(runner, members=rows, organisation_id=org,
                                        columns=columns, purpose=None, lang="fr", path=path,
                                        fmt=fmt)
                result[f"export_{fmt}"] = {"rows": summary.exported, "columns": len(columns),
                                           "ms": _ms(time.perf_counter() - started),
                                           "bytes": path.stat().st_size}
        ev.close()

    started = time.perf_counter()
    cold = count_segment(store, target, as_of=as_of, memory_limit=args.memory_limit)
    result["count_cold"] = {"members": cold, "ms": _ms(time.perf_counter() - started)}
    store.dispose()
    save(f"segments-{store.kind}", result)
    print(result)


if __name__ == "__main__":
    main()
