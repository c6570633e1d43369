"""Time ``generate_venue`` at a given size and print the time, peak RSS and rows per file.

    python bench/bench_generate.py --contacts 1000000 [--fmt parquet] [--out DIR]

Never run by the tests. Without ``--out`` the files go to a temporary directory that is
removed afterwards.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from habitue.generator import generate_venue


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
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="habitue-bench-"))
    started = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        if not args.quiet:
            elapsed = time.perf_counter() - started
            print(f"  {elapsed:7.1f}s  {step:<10} {done:>10,}/{total:,}", file=sys.stderr)

    try:
        summary = generate_venue(out, contacts=args.contacts, organisations=args.organisations,
                                 seed=args.seed, fmt=args.fmt, today=args.today,
                                 progress=progress)
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"contacts={args.contacts:,} organisations={args.organisations} seed={args.seed} "
              f"fmt={args.fmt} today={args.today}")
        print(f"time      {elapsed:8.1f} s")
        print(f"peak RSS  {peak_mb:8.0f} MB")
        print(f"{'file':<15}{'rows':>14}{'MB':>10}")
        for name, rows in summary.rows.items():
            size = summary.paths[name].stat().st_size / 1e6
            print(f"{name:<15}{rows:>14,}{size:>10.1f}")
        print(f"{'(distinct order lines)':<15}{summary.lines:>7,}")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
