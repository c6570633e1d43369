"""Synthetic data and the demo venue."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from habitue.reporting import SILENT, Reporter


def generate_files(out_dir: Path, *, contacts: int, organisations: int, seed: int, fmt: str,
                   today: date, reporter: Reporter = SILENT):
    from habitue.generator import generate_venue

    return generate_venue(Path(out_dir), contacts=contacts, organisations=organisations,
                          seed=seed, fmt=fmt, today=today,
                          progress=lambda name, done, total: reporter.step(name, done, total))


def prepare_demo(workspace, data_dir: Path, *, contacts: int, today: date, now: datetime,
                 reporter: Reporter = SILENT) -> dict:
    """Generate a demo venue, create the schema, import it and compute its indicators."""
    generate_files(data_dir, contacts=contacts, organisations=2, seed=2026, fmt="csv",
                   today=today, reporter=reporter)
    workspace.init()
    result = workspace.import_path(data_dir, now=now, reporter=reporter)
    computed = workspace.compute(as_of=today, now=now, reporter=reporter)
    return {"import": result, "compute": computed}
