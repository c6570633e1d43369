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
  XLSX, with 12 columns (contact fields and indicator labels);
- ``floor``: a count of one plain condition (the postal prefix) on the contacts table, and the
  same members' 12 columns (9 contact fields, 3 raw levels: no label, no consent rule) copied
  to CSV by the same writer.
``--json`` prints the figures as one JSON object and saves nothing (``bench/suite.py`` runs
it so, as a child). Never part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from common import DATA, report, self_peak_rss_mb

from habitue.segments import load_definition
from habitue.segments.columns import MEMBERS_TABLE, parse_columns
from habitue.services.segment_evaluation import Evaluator, Target, evaluation_runner
from habitue.services.segment_exports import write_members
from habitue.services.segments import count_segment
from habitue.storage import indicator_store as ist
from habitue.storage.exports import write_csv
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


FLOOR_COUNT = ("SELECT count(*) FROM contacts WHERE institution_id = '{inst}' "
               "AND postal_code LIKE '75%'")
FLOOR_EXPORT = (
    "SELECT c.contact_id AS c0, c.title AS c1, c.first_name AS c2, c.last_name AS c3, "
    "c.email AS c4, c.phone AS c5, c.street AS c6, c.postal_code AS c7, c.city AS c8, "
    "i.assiduite_level AS c9, i.pmg_level AS c10, i.abonne_level AS c11 "
    f"FROM {MEMBERS_TABLE} m JOIN contacts c "
    "ON c.institution_id = m.institution_id AND c.contact_id = m.contact_id "
    "LEFT JOIN contact_indicators i "
    "ON i.organisation_id = '{org}' AND i.contact_id = m.contact_id")


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def _exports(runner, *, org: str, rows: int, tmp: Path) -> dict:
    """The members' export to CSV and XLSX, then the floor: the plain copy to CSV."""
    columns = parse_columns(EXPORT_COLUMNS)
    out: dict = {}
    for fmt in ("csv", "xlsx"):
        path = tmp / f"members.{fmt}"
        seconds, summary = _timed(lambda: write_members(
            runner, members=rows, organisation_id=org, columns=columns, purpose=None,
            lang="fr", path=path, fmt=fmt))  # noqa: B023 - called at once
        out[f"export_{fmt}"] = {"rows": summary.exported, "columns": len(columns),
                                "ms": _ms(seconds), "bytes": path.stat().st_size}
    path = tmp / "floor.csv"
    seconds, written = _timed(lambda: write_csv(runner, FLOOR_EXPORT.format(org=org),
                                                [f"c{i}" for i in range(12)], path))
    out["floor_export_csv"] = {"rows": written, "columns": 12, "ms": _ms(seconds)}
    return out


def run(url: str, *, as_of: date | None = None, repeat: int = 10, export_rows: int = 100_000,
        memory_limit: str = "3GB") -> dict:
    """The segment of six conditions counted ``repeat`` times, its exports and the floors;
    the figures and this process's peak RSS."""
    store = Store(url)
    definition = load_definition(SIX)
    result: dict = {"store": store.kind, "repeat": repeat}

    with evaluation_runner(store, memory_limit) as runner:
        as_of = (as_of or runner.scalar("SELECT max(as_of) FROM indicator_batches")
                 or date.today())
        if not isinstance(as_of, date):
            as_of = date.fromisoformat(str(as_of))
        org, inst = ist.load_organisations(runner)[0]
        contacts = runner.scalar(f"SELECT count(*) FROM contacts WHERE institution_id = "
                                 f"'{inst}'")
        result.update({"as_of": as_of.isoformat(), "organisation": org, "contacts": contacts})
        target = Target(definition, org, inst)
        ev = Evaluator(runner, as_of)

        seconds, _ = _timed(lambda: ev.need_facts(org))
        result["facts_ms"] = _ms(seconds)
        # compiled once per evaluation (Ibis, then SQL text)
        seconds, _ = _timed(lambda: ev.members_sql(target))
        result["compile_ms"] = _ms(seconds)

        timings, count = [], None
        for _ in range(repeat):
            seconds, count = _timed(lambda: ev.count(target))
            timings.append(seconds)
        result["count"] = {"members": count, **_quantiles(timings)}
        floor = [_timed(lambda: runner.scalar(FLOOR_COUNT.format(inst=inst)))
                 for _ in range(repeat)]
        result["floor_count"] = {"members": floor[0][1], **_quantiles([t for t, _ in floor])}

        rows = min(export_rows, contacts)
        runner.recreate_temp(MEMBERS_TABLE, f"SELECT institution_id, contact_id FROM contacts "
                                            f"WHERE institution_id = '{inst}' "
                                            f"ORDER BY contact_id LIMIT {rows}")
        ist.analyze(runner, MEMBERS_TABLE)
        with tempfile.TemporaryDirectory() as tmp:
            result.update(_exports(runner, org=org, rows=rows, tmp=Path(tmp)))
        ev.close()

    seconds, cold = _timed(lambda: count_segment(store, target, as_of=as_of,
                                                 memory_limit=memory_limit))
    result["count_cold"] = {"members": cold, "ms": _ms(seconds)}
    store.dispose()
    result["peak_rss_mb"] = self_peak_rss_mb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url",
                        default=f"duckdb:///{DATA / 'import-1000000.duckdb'}")
    parser.add_argument("--as-of", help="default: the date of the last indicator batch")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--json", action="store_true", help="print JSON only, save nothing")
    args = parser.parse_args()
    result = run(args.database_url,
                 as_of=date.fromisoformat(args.as_of) if args.as_of else None,
                 repeat=args.repeat, export_rows=args.export_rows,
                 memory_limit=args.memory_limit)
    report(result, as_json=args.json, name=f"segments-{result['store']}")


if __name__ == "__main__":
    main()
