"""Synthetic data and the demo venue."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path

from habitue.reporting import SILENT, Reporter


def generate_files(out_dir: Path, *, contacts: int, organisations: int, seed: int, fmt: str,
                   today: date, reporter: Reporter = SILENT):
    from habitue.generator import generate_venue

    return generate_venue(Path(out_dir), contacts=contacts, organisations=organisations,
                          seed=seed, fmt=fmt, today=today,
                          progress=lambda name, done, total: reporter.step(name, done, total))


DEMO_LOGIN = "demo"


def prepare_demo(workspace, data_dir: Path, *, contacts: int, today: date, now: datetime,
                 reporter: Reporter = SILENT) -> dict:
    """Generate a demo venue, create the schema, import it, compute its indicators and create
    an administrator ``demo`` with a new random password (returned, to be shown once)."""
    generate_files(data_dir, contacts=contacts, organisations=2, seed=2026, fmt="csv",
                   today=today, reporter=reporter)
    workspace.init()
    result = workspace.import_path(data_dir, now=now, reporter=reporter)
    computed = workspace.compute(as_of=today, now=now, reporter=reporter)
    password = secrets.token_urlsafe(12)
    workspace.accounts.create_user(DEMO_LOGIN, role="admin", password=password, now=now,
                                   actor="habitue demo", name="Demo administrator")
    return {"import": result, "compute": computed, "login": DEMO_LOGIN, "password": password}
