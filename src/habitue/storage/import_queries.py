"""Reads and the failure record of import runs, for the API's background imports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa

from habitue.storage.schema import import_rejects, import_runs


def get_run(conn: sa.Connection, run_id: int) -> dict | None:
    row = conn.execute(sa.select(import_runs).where(import_runs.c.run_id == run_id)
                       ).mappings().first()
    return dict(row) if row else None


def list_runs(conn: sa.Connection, *, limit: int, offset: int = 0) -> list[dict]:
    return [dict(r) for r in conn.execute(
        sa.select(import_runs).order_by(import_runs.c.run_id.desc()).limit(limit)
        .offset(offset)).mappings()]


def count_runs(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(import_runs)).scalar())


def fail_run(conn: sa.Connection, run_id: int, *, error: str, now: datetime) -> None:
    """Mark a run that ended on an unexpected error as failed (the import's own transaction
    was rolled back: nothing of it is in the store)."""
    conn.execute(import_runs.update().where(import_runs.c.run_id == run_id).values(
        status="failed", finished_at=now, error=error,
        summary={"run_id": run_id, "status": "failed", "files": [], "rejected": 0,
                 "rejects_path": None, "ignored": [], "touched_contacts": 0,
                 "error": error}))


def iter_rejects(conn: sa.Connection, run_id: int) -> Iterator[tuple]:
    """``(file, line, column, value, reason)`` of a run's rejects, by file, line, column."""
    r = import_rejects
    yield from conn.execute(
        sa.select(r.c.file, r.c.line, r.c.column_name, r.c.value, r.c.reason)
        .where(r.c.run_id == run_id).order_by(r.c.file, r.c.line, r.c.column_name))
