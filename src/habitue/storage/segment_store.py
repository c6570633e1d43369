"""Saved segments, their size history and marketing lists in the store.

Reads and single-row writes go through SQLAlchemy Core on a connection; the set-based work of
an evaluation (sizes of every segment after a batch, the members of a frozen list) goes through
a ``SqlRunner`` on the connection that evaluates the segments, with quoted literals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from habitue.storage.bulk import SqlRunner
from habitue.storage.schema import organisations, products, seasons
from habitue.storage.segment_schema import (
    marketing_list_members,
    marketing_lists,
    saved_segments,
    segment_sizes,
)

# Every key of the custom attributes of an institution's contacts (engine differences as data).
ATTRIBUTE_KEYS_SQL = {
    "duckdb": "SELECT DISTINCT unnest(json_keys(attributes)) FROM contacts "
              "WHERE institution_id = {inst} AND json_type(attributes) = 'OBJECT'",
    "postgresql": "SELECT DISTINCT jsonb_object_keys(attributes) FROM contacts "
                  "WHERE institution_id = {inst} AND jsonb_typeof(attributes) = 'object'",
}


@dataclass(frozen=True)
class SavedSegment:
    key: str
    organisation_id: str
    name: str
    definition: dict  # SegmentDefinition.to_dict()
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class MarketingList:
    list_id: int
    name: str
    organisation_id: str
    institution_id: str
    segment_key: str | None
    definition: dict
    segments: dict
    as_of: date
    created_at: datetime
    created_by: str | None
    member_count: int


def lit(value: object) -> str:
    """A SQL literal for a value of ours (text, number, date, date-time, None)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _json(value: object) -> dict:
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str) else dict(value)


def _segment(row) -> SavedSegment:
    return SavedSegment(row.segment_key, row.organisation_id, row.name, _json(row.definition),
                        row.created_at, row.created_by, row.updated_at, row.updated_by)


def _list(row) -> MarketingList:
    as_of = row.as_of if isinstance(row.as_of, date) else date.fromisoformat(str(row.as_of))
    return MarketingList(row.list_id, row.name, row.organisation_id, row.institution_id,
                         row.segment_key, _json(row.definition), _json(row.segments), as_of,
                         row.created_at, row.created_by, int(row.member_count))


# -- saved segments ----------------------------------------------------------------------------

def get_segment(conn: sa.Connection, key: str) -> SavedSegment | None:
    row = conn.execute(sa.select(saved_segments).where(
        saved_segments.c.segment_key == key)).first()
    return _segment(row) if row else None


def list_segments(conn: sa.Connection, organisation: str | None = None) -> list[SavedSegment]:
    q = sa.select(saved_segments).order_by(saved_segments.c.organisation_id,
                                           saved_segments.c.segment_key)
    if organisation:
        q = q.where(saved_segments.c.organisation_id == organisation)
    return [_segment(r) for r in conn.execute(q)]


def insert_segment(conn: sa.Connection, s: SavedSegment) -> None:
    conn.execute(saved_segments.insert().values(
        segment_key=s.key, organisation_id=s.organisation_id, name=s.name,
        definition=s.definition, created_at=s.created_at, created_by=s.created_by,
        updated_at=s.updated_at, updated_by=s.updated_by))


def update_segment(conn: sa.Connection, s: SavedSegment) -> None:
    conn.execute(saved_segments.update().where(saved_segments.c.segment_key == s.key).values(
        name=s.name, definition=s.definition, updated_at=s.updated_at,
        updated_by=s.updated_by))


def delete_segment(conn: sa.Connection, key: str) -> None:
    conn.execute(segment_sizes.delete().where(segment_sizes.c.segment_key == key))
    conn.execute(saved_segments.delete().where(saved_segments.c.segment_key == key))


def segment_sizes_of(conn: sa.Connection, key: str, limit: int = 20) -> list[tuple]:
    """``(as_of, size, batch_id)`` of the segment, newest first."""
    s = segment_sizes
    return [tuple(r) for r in conn.execute(
        sa.select(s.c.as_of, s.c.size, s.c.batch_id).where(s.c.segment_key == key)
        .order_by(s.c.batch_id.desc()).limit(limit))]


def latest_sizes(conn: sa.Connection) -> dict[str, tuple]:
    """Per segment key, its last recorded ``(as_of, size)``."""
    s = segment_sizes
    last = sa.select(s.c.segment_key, sa.func.max(s.c.batch_id).label("b")).group_by(
        s.c.segment_key).subquery()
    rows = conn.execute(sa.select(s.c.segment_key, s.c.as_of, s.c.size).join(
        last, sa.and_(s.c.segment_key == last.c.segment_key, s.c.batch_id == last.c.b)))
    return {k: (a, n) for k, a, n in rows}


# -- what a definition may name ------------------------------------------------------------

def organisation_row(conn: sa.Connection, organisation: str) -> dict | None:
    row = conn.execute(sa.select(organisations).where(
        organisations.c.organisation_id == organisation)).mappings().first()
    return dict(row) if row else None


def organisation_ids(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.select(organisations.c.organisation_id).order_by(
        organisations.c.organisation_id)).scalars())


def season_names(conn: sa.Connection, organisation: str) -> dict[str, str]:
    return {sid: name or sid for sid, name in conn.execute(
        sa.select(seasons.c.season_id, seasons.c.name).where(
            seasons.c.organisation_id == organisation))}


def genres_of(conn: sa.Connection, organisation: str) -> list[str]:
    """The genres of an organisation's products, sorted."""
    p = products
    return list(conn.execute(
        sa.select(p.c.genre).distinct().where(p.c.organisation_id == organisation,
                                              p.c.genre.is_not(None))
        .order_by(p.c.genre)).scalars())


def names_of(conn: sa.Connection, table: str, organisation: str,
             ids: Sequence[str]) -> dict[str, str]:
    """Display names of some products or performances (``table``) of an organisation."""
    if not ids:
        return {}
    t = sa.table(table, sa.column("organisation_id"), sa.column(f"{table[:-1]}_id"),
                 sa.column("name"))
    key = t.c[f"{table[:-1]}_id"]
    return {k: n or k for k, n in conn.execute(sa.select(key, t.c.name).where(
        t.c.organisation_id == organisation, key.in_(list(ids))))}


def attribute_names(conn: sa.Connection, kind: str, institution: str) -> set[str]:
    sql = ATTRIBUTE_KEYS_SQL[kind].format(inst=lit(institution))
    return {r[0] for r in conn.exec_driver_sql(sql)}


# -- marketing lists -------------------------------------------------------------------------

def get_list(conn: sa.Connection, list_id: int) -> MarketingList | None:
    row = conn.execute(sa.select(marketing_lists).where(
        marketing_lists.c.list_id == list_id)).first()
    return _list(row) if row else None


def lists_named(conn: sa.Connection, name: str) -> list[MarketingList]:
    return [_list(r) for r in conn.execute(sa.select(marketing_lists).where(
        marketing_lists.c.name == name).order_by(marketing_lists.c.list_id))]


def list_lists(conn: sa.Connection, organisation: str | None = None) -> list[MarketingList]:
    q = sa.select(marketing_lists).order_by(marketing_lists.c.list_id)
    if organisation:
        q = q.where(marketing_lists.c.organisation_id == organisation)
    return [_list(r) for r in conn.execute(q)]


def delete_list(conn: sa.Connection, list_id: int) -> None:
    conn.execute(marketing_list_members.delete().where(
        marketing_list_members.c.list_id == list_id))
    conn.execute(marketing_lists.delete().where(marketing_lists.c.list_id == list_id))


# -- set-based writes on the evaluating connection --------------------------------------------

def load_definitions(runner: SqlRunner, organisations: Sequence[str] | None = None
                     ) -> list[tuple[str, str, dict]]:
    """``(key, organisation, definition)`` of the saved segments (of ``organisations``)."""
    where = ""
    if organisations is not None:
        if not organisations:
            return []
        where = f" WHERE organisation_id IN ({', '.join(lit(o) for o in organisations)})"
    rows = runner.fetchall("SELECT segment_key, organisation_id, definition FROM "
                           f"saved_segments{where} ORDER BY segment_key")
    return [(k, o, _json(d)) for k, o, d in rows]


def insert_sizes(runner: SqlRunner, rows: Sequence[tuple[str, int]], *, as_of: date,
                 batch_id: int) -> None:
    """Record ``(segment key, size)`` for a batch (a size already recorded is replaced)."""
    if not rows:
        return
    keys = ", ".join(lit(k) for k, _ in rows)
    runner.execute(f"DELETE FROM segment_sizes WHERE batch_id = {int(batch_id)} "
                   f"AND segment_key IN ({keys})")
    values = ", ".join(f"({lit(k)}, {int(batch_id)}, {lit(as_of)}, {int(n)})" for k, n in rows)
    runner.execute(f"INSERT INTO segment_sizes (segment_key, batch_id, as_of, size) "
                   f"VALUES {values}")


def next_list_id(runner: SqlRunner) -> int:
    return int(runner.scalar("SELECT coalesce(max(list_id), 0) FROM marketing_lists")) + 1


def insert_list(runner: SqlRunner, m: MarketingList, members_sql: str) -> int:
    """Write the list and its members (``members_sql``: ``institution_id, contact_id``);
    returns the number of members."""
    runner.execute(f"INSERT INTO marketing_list_members (list_id, contact_id) "
                   f"SELECT DISTINCT {int(m.list_id)}, contact_id FROM ({members_sql}) m")
    count = int(runner.scalar(
        f"SELECT count(*) FROM marketing_list_members WHERE list_id = {int(m.list_id)}"))
    runner.execute(
        "INSERT INTO marketing_lists (list_id, name, organisation_id, institution_id, "
        "segment_key, definition, segments, as_of, created_at, created_by, member_count) "
        f"VALUES ({int(m.list_id)}, {lit(m.name)}, {lit(m.organisation_id)}, "
        f"{lit(m.institution_id)}, {lit(m.segment_key)}, {lit(json.dumps(m.definition))}, "
        f"{lit(json.dumps(m.segments))}, {lit(m.as_of)}, {lit(m.created_at)}, "
        f"{lit(m.created_by)}, {count})")
    return count


def list_members_sql(m: MarketingList) -> str:
    return (f"SELECT {lit(m.institution_id)} AS institution_id, contact_id "
            f"FROM marketing_list_members WHERE list_id = {int(m.list_id)}")
