"""Time ``generate_venue`` at a given size and print the time, peak RSS and rows per file.

    python bench/bench_generate.py --contacts 1000000 [--fmt parquet] [--out DIR] [--json]

Never run by the tests. Without ``--out`` the files go to a temporary directory that is
removed afterwards. ``--json`` prints the figures as one JSON object (what ``bench/suite.py``
reads when it runs this script as a child).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from common import self_peak_rss_mb

from habitue.generator import generate_venue


def run(out: Path, *, contacts: int, organisations: int = 1, seed: int = 0, fmt: str = "csv",
        today: date, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Generate the venue into ``out``; its time, this process's peak RSS, rows and bytes per
    file."""
    started = time.perf_counter()
    summary = generate_venue(out, contacts=contacts, organisations=organisations, seed=seed,
                             fmt=fmt, today=today, progress=progress)
    return {"contacts": contacts, "organisations": organisations, "seed": seed, "fmt": fmt,
            "today": today.isoformat(), "seconds": round(time.perf_counter() - started, 3),
            "peak_rss_mb": self_peak_rss_mb(), "lines": summary.lines,
            "files": {summary.paths[name].name: {"rows": rows,
                                                 "bytes": summary.paths[name].stat().st_size}
                      for name, rows in summary.rows.items()}}


def _print(result: dict) -> None:
    print(f"contacts={result['contacts']:,} organisations={result['organisations']} "
          f"seed={result['seed']} fmt={result['fmt']} today={result['today']}")
    print(f"time      {result['seconds']:8.1f} s")
    print(f"peak RSS  {result['peak_rss_mb']:8.0f} MB")
    print(f"{'file':<15}{'rows':>14}{'MB':>10}")
    for name, file in result["files"].items():
        print(f"{name:<15}{file['rows']:>14,}{file['bytes'] / 1e6:>10.1f}")
    print(f"{'(distinct order lines)':<15}{result['lines']:>7,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fmt", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="reference date, YYYY-MM-DD (default: today)")
    parser.add_argument("--out", type=Path, help="directory to keep the files in")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="habitue-bench-"))
    started = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        if not args.quiet:
            elapsed = time.perf_counter() - started
            print(f"  {elapsed:7.1f}s  {step:<10} {done:>10,}/{total:,}", file=sys.stderr)

    try:
        result = run(out, contacts=args.contacts, organisations=args.organisations,
                     seed=args.seed, fmt=args.fmt, today=args.today, progress=progress)
        if args.json:
            print(json.dumps(result))
        else:
            _print(result)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
