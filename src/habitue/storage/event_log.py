"""Reads and writes of the events endpoint: the event log and the real-time indicators of the
contacts an ingestion touched (inside the ingestion's transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from habitue.storage.bulk import SqlRunner
from habitue.storage.event_schema import ingested_events
from habitue.storage.schema import organisations


def find_events(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple, dict]:
    """The logged events among ``keys`` (organisation_id, event_id), by key."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    t = ingested_events
    rows = conn.execute(sa.select(t).where(sa.or_(
        *(sa.and_(t.c.organisation_id == o, t.c.event_id == e) for o, e in keys)))).mappings()
    return {(r["organisation_id"], r["event_id"]): dict(r) for r in rows}


def log_events(conn: sa.Connection, rows: Sequence[dict]) -> None:
    """Append events to the log (``ingested_events`` columns)."""
    if rows:
        conn.execute(ingested_events.insert(), list(rows))


def organisation_timezones(conn: sa.Connection) -> dict[str, str]:
    o = organisations
    return dict(conn.execute(sa.select(o.c.organisation_id, o.c.timezone)).all())


def organisation_institutions(conn: sa.Connection) -> list[tuple[str, str]]:
    o = organisations
    return [tuple(r) for r in conn.execute(sa.select(o.c.organisation_id, o.c.institution_id))]


def read_indicators(runner: SqlRunner, touched_sql: str, codes: Sequence[str]) -> list[tuple]:
    """(organisation_id, contact_id, institution_id, value, level, value, level, …) of
    ``codes`` for every organisation of the contacts listed by ``touched_sql``
    (``institution_id, contact_id``), ordered by contact then organisation."""
    cols = ", ".join(f"ci.{c}, ci.{c}_level" for c in codes)
    return runner.fetchall(
        f"""SELECT ci.organisation_id, ci.contact_id, ci.institution_id, {cols}
        FROM contact_indicators ci JOIN ({touched_sql}) t
          ON t.institution_id = ci.institution_id AND t.contact_id = ci.contact_id
        ORDER BY ci.contact_id, ci.organisation_id""")
