"""The whole benchmark suite on generated data, into one results file and docs/performance.md.

    scripts/bench [--sizes 100000,1000000] [--stores duckdb,postgresql]
                  [--only import,compute,realtime,segments,web] [--reuse]
                  [--out docs/performance.md] [--results bench/results/DATE.json]

For each size: the venue generated (``habitue generate``), then on each store, in order: the
import (``habitue init`` + ``habitue import``), the full computation of the twelve indicators,
the per-contact real-time refresh, the segment count and exports, the contact search and card;
beside them the references of the same run (DuckDB reading the CSV files, the plain pandas
version of the indicators, the floors). Every measured step runs as its own process (wall time
and peak RSS are its own); the bench modules beside this one measure, this one orders them.

The results of a day accumulate in one JSON file (a later run replaces the figures it measures
and keeps the others); with ``--reuse`` the generated data and the imported stores are kept
when present (their import is not measured again) and an earlier results file seeds a new one.
The generated block of ``--out`` (between ``<!-- bench:begin -->`` and ``<!-- bench:end -->``)
is rewritten from the whole results file. Never part of the test run.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import bench_compute
import bench_import
from common import (
    DATA,
    PG_ADMIN,
    PG_PREFIX,
    RESULTS,
    ROOT,
    code_version,
    machine,
    measure,
    postgres_info,
    store_url,
)
from render import STORES, write_block

BENCH = Path(__file__).resolve().parent
SECTIONS = ("import", "compute", "realtime", "segments", "web")
KIND = "habitue-bench-suite"
ERROR_TAIL = 800


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000",
                        help="contacts per generated venue, comma-separated")
    parser.add_argument("--stores", default="duckdb,postgresql")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help="sections to measure: " + ",".join(SECTIONS))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md",
                        help="the markdown file whose generated block is rewritten")
    parser.add_argument("--results", type=Path,
                        help="results JSON (default: bench/results/<today>.json)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep generated data and imported stores when present")
    parser.add_argument("--reimport", action="store_true",
                        help="also time a second import of the same files")
    parser.add_argument("--as-of", default="2026-11-22",
                        help="the venue's 'today' and the indicators' reference date")
    parser.add_argument("--data-dir", type=Path, default=DATA,
                        help="where venues and DuckDB stores are kept (default: bench/data)")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN,
                        help="a PostgreSQL database to create the benchmark databases from")
    parser.add_argument("--pg-prefix", default=PG_PREFIX,
                        help="benchmark databases are named PREFIX_<size>")
    parser.add_argument("--realtime-contacts", type=int, default=200)
    parser.add_argument("--segment-repeat", type=int, default=10)
    parser.add_argument("--web-contacts", type=int, default=40)
    parser.add_argument("--pandas", choices=("auto", "skip"), default="auto",
                        help="run the pandas reference (auto: on the DuckDB store, else the "
                             "first store)")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.stores = [s for s in args.stores.split(",") if s]
    args.only = [s for s in args.only.split(",") if s]
    for store in args.stores:
        if store not in STORES:
            parser.error(f"--stores: unknown store {store!r} (duckdb, postgresql)")
    for section in args.only:
        if section not in SECTIONS:
            parser.error(f"--only: unknown section {section!r} ({', '.join(SECTIONS)})")
    if any(s < 2 for s in args.sizes):
        parser.error("--sizes: at least 2 contacts")
    args.results = args.results or RESULTS / f"{date.today().isoformat()}.json"
    return args


# -- the results file --------------------------------------------------------------------------

def _is_suite(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("kind") == KIND else None


def load_results(path: Path, *, reuse: bool) -> dict:
    """The day's results so far; with ``--reuse`` and no file yet, the latest earlier suite
    results of the same directory (its figures then show their own date)."""
    existing = _is_suite(path) if path.exists() else None
    if existing:
        return existing
    if reuse and path.parent.is_dir():
        earlier = sorted((p for p in path.parent.glob("*.json") if p != path),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for candidate in earlier:
            seeded = _is_suite(candidate)
            if seeded:
                seeded["seeded_from"] = str(candidate)
                return seeded
    return {"kind": KIND, "version": 1, "sizes": {}, "runs": []}


def save_results(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    tmp.replace(path)


def now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _section(step: dict, figures: dict | None = None) -> dict:
    """A measured step as a section of the results: ok or not, its wall time and peak RSS,
    its figures, or the end of its error output."""
    ok = step.get("exit_code", 0) == 0
    section = {"measured_at": now(), "ok": ok, "seconds": step.get("seconds"),
               "peak_rss_mb": step.get("peak_rss_mb")}
    if ok:
        section.update(figures or {})
    else:
        section["error"] = (step.get("stderr_tail") or step.get("stdout_tail") or "")[-ERROR_TAIL:]
    return section


# -- the steps ---------------------------------------------------------------------------------

class Suite:
    """One run: the options, the results being filled, and the save after every step (a run
    stopped half-way keeps what it measured)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.results = load_results(args.results, reuse=args.reuse)
        self.failures: list[str] = []
        self.generated: set[int] = set()  # sizes generated by this run (not again per store)

    def save(self) -> None:
        save_results(self.args.results, self.results)

    def size_results(self, size: int) -> dict:
        return self.results["sizes"].setdefault(str(size), {"stores": {}, "reference": {}})

    def record(self, where: dict, name: str, section: dict, label: str) -> dict:
        where[name] = section
        self.save()
        if section["ok"]:
            _log(f"  {label:<34} {section['seconds'] or 0:9.2f} s  "
                 f"{section['peak_rss_mb'] or 0:6,} MB")
        else:
            self.failures.append(label)
            _log(f"  {label:<34} FAILED\n    " + section["error"].replace("\n", "\n    "))
        return section

    # data

    def ensure_data(self, size: int) -> Path | None:
        """The generated venue of ``size`` contacts (generated again unless reused); None
        when generating it failed."""
        args, sr = self.args, self.size_results(size)
        data = args.data_dir / f"venue-{size}"
        marker = args.data_dir / f"venue-{size}.json"
        if size in self.generated:
            return data
        if args.reuse and (data / "order_lines.csv").exists():
            if marker.exists():
                sr["data"] = json.loads(marker.read_text())
            elif not (sr.get("data") or {}).get("files"):
                sr["data"] = {"measured_at": now(), "ok": True, "reused": True,
                              "today": args.as_of, "files": bench_import.file_rows(data)}
            _log(f"  data reused: {data}")
            return data
        shutil.rmtree(data, ignore_errors=True)
        marker.unlink(missing_ok=True)
        data.parent.mkdir(parents=True, exist_ok=True)
        step = measure([sys.executable, str(BENCH / "bench_generate.py"), "--contacts",
                        str(size), "--today", args.as_of, "--out", str(data), "--quiet",
                        "--json"])
        child = step.get("child", {})
        section = _section(step, {"generate": {"seconds": step["seconds"],
                                               "peak_rss_mb": step["peak_rss_mb"]},
                                  **{k: child[k] for k in ("seed", "today", "lines", "files")
                                     if k in child}})
        self.record(sr, "data", section, "generate")
        if not section["ok"]:
            return None
        marker.write_text(json.dumps(section))
        self.generated.add(size)
        return data

    # one store

    def url(self, store: str, size: int) -> str:
        return store_url(store, size, data_dir=self.args.data_dir,
                         pg_prefix=self.args.pg_prefix, pg_admin=self.args.pg_admin_url)

    def run_import(self, store: str, size: int, where: dict) -> bool:
        args = self.args
        url = self.url(store, size)
        if args.reuse and bench_import.imported_contacts(url) >= size:
            _log(f"  {store} store reused: {url}")
            marker = args.data_dir / f"venue-{size}.json"
            if marker.exists() and not self.size_results(size).get("data"):
                self.size_results(size)["data"] = json.loads(marker.read_text())
            return True
        data = self.ensure_data(size)
        if data is None:
            return False
        bench_import.create_store(store, size, data_dir=args.data_dir,
                                  pg_prefix=args.pg_prefix, pg_admin=args.pg_admin_url)
        steps = bench_import.import_store(url, data, reimport=args.reimport,
                                          rejects=args.data_dir / f"rejects-{store}-{size}.csv")
        failed = next((s for s in (steps["init"], steps["import"]) if s["exit_code"] != 0),
                      None)
        imported = steps["import"]
        child = imported.get("child", {})
        figures = {"touched_contacts": child.get("touched_contacts"),
                   "rejected": child.get("rejected"),
                   "init_seconds": steps["init"]["seconds"],
                   "vacuum_seconds": steps.get("vacuum", {}).get("seconds")}
        if "reimport" in steps:
            figures["reimport"] = {k: steps["reimport"][k]
                                   for k in ("seconds", "peak_rss_mb", "exit_code")}
        section = self.record(where, "import", _section(failed or imported, figures),
                              f"{store} import")
        return section["ok"]

    def run_compute(self, store: str, size: int, where: dict) -> bool:
        url = self.url(store, size)
        scan = bench_compute.measure_scan(url)
        steps = bench_compute.measure_compute(url, self.args.as_of)
        figures = {"scan": {"seconds": scan["seconds"], "peak_rss_mb": scan["peak_rss_mb"],
                            "query_seconds": scan.get("child", {}).get("query_seconds")}}
        if "habitue-in-database" in steps:
            other = steps["habitue-in-database"]
            figures["in_database"] = {k: other[k] for k in ("seconds", "peak_rss_mb",
                                                            "exit_code")}
        section = self.record(where, "compute", _section(steps["habitue"], figures),
                              f"{store} compute")
        return section["ok"]

    def run_child(self, store: str, size: int, where: dict, name: str, script: str,
                  options: list[str]) -> bool:
        """A bench module run as a child with ``--json``: its figures, its process's peak."""
        step = measure([sys.executable, str(BENCH / script), "--database-url",
                        self.url(store, size), "--json", *options])
        figures = {k: v for k, v in step.get("child", {}).items() if k != "peak_rss_mb"}
        if step["exit_code"] == 0 and not figures:
            step = {**step, "exit_code": -1, "stderr_tail": "no figures printed\n"
                    + step["stderr_tail"]}
        return self.record(where, name, _section(step, figures), f"{store} {name}")["ok"]

    def run_store(self, store: str, size: int) -> bool:
        """The sections of one store in order; a failed import or computation stops it."""
        args = self.args
        where = self.size_results(size)["stores"].setdefault(store, {})
        where["url"] = self.url(store, size)
        if "import" in args.only and not self.run_import(store, size, where):
            return False
        if args.only != ["import"] and bench_import.imported_contacts(where["url"]) == 0:
            self.failures.append(f"{store} {size}")
            _log(f"  {store}: no imported store at {where['url']} (run the import first)")
            return False
        if "compute" in args.only and not self.run_compute(store, size, where):
            return False
        if "realtime" in args.only:
            contacts = min(args.realtime_contacts, size)
            self.run_child(store, size, where, "realtime", "bench_realtime.py",
                           ["--contacts", str(contacts), "--as-of", args.as_of])
        if "segments" in args.only:
            self.run_child(store, size, where, "segments", "bench_segments.py",
                           ["--repeat", str(args.segment_repeat)])
        if "web" in args.only:
            self.run_child(store, size, where, "web", "bench_web.py",
                           ["--contacts", str(min(args.web_contacts, size))])
        return True

    # references of the size

    def run_references(self, size: int, computed: list[str]) -> None:
        args, ref = self.args, self.size_results(size)["reference"]
        if "import" in args.only:
            data = args.data_dir / f"venue-{size}"
            if (data / "order_lines.csv").exists():
                step = bench_import.measure_csv_scan(data)
                self.record(ref, "csv_scan", _section(step, step.get("child")), "csv scan")
        if "compute" not in args.only:
            return
        self.record(ref, "startup", _section(bench_compute.measure_startup()), "CLI start-up")
        if args.pandas == "skip" or not computed:
            return
        store = "duckdb" if "duckdb" in computed else computed[0]
        step = bench_compute.measure_pandas(self.url(store, size), args.as_of)
        child = step.get("child", {})
        figures = {"store": store, "load_seconds": child.get("load_seconds"),
                   "compute_seconds": child.get("compute_seconds"),
                   "contacts_out": child.get("contacts_out")}
        self.record(ref, "pandas", _section(step, figures), f"pandas reference ({store})")

    def run(self) -> int:
        args = self.args
        self.results.update({"date": date.today().isoformat(), "machine": machine(),
                             "code": code_version()})
        if "postgresql" in args.stores:
            self.results["postgresql"] = postgres_info(args.pg_admin_url)
        run = {"started_at": now(), "argv": sys.argv[1:], "sizes": args.sizes,
               "stores": args.stores, "only": args.only, "reuse": args.reuse}
        self.results.setdefault("runs", []).append(run)
        for size in args.sizes:
            _log(f"== {size:,} contacts")
            computed = []
            for store in args.stores:
                ok = self.run_store(store, size)
                if ok and (self.size_results(size)["stores"][store].get("compute") or {}).get(
                        "ok"):
                    computed.append(store)
            self.run_references(size, computed)
        run["finished_at"] = now()
        run["failures"] = self.failures
        self.save()
        command = "scripts/bench " + shlex.join(sys.argv[1:]) if sys.argv[1:] else None
        write_block(args.out, self.results, command=command)
        _log(f"results: {args.results}\nwritten: {args.out}")
        if self.failures:
            _log("failed: " + ", ".join(self.failures))
        return 1 if self.failures else 0


def main(argv: list[str] | None = None) -> int:
    return Suite(parse_args(argv)).run()


if __name__ == "__main__":
    raise SystemExit(main())
