"""Reads of the dashboard: contacts by level of every indicator (one scan of the current
values), the latest indicator batches, and the sizes of saved segments over time."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from habitue.indicators.catalogue import INDICATORS
from habitue.storage.schema import contact_indicators, indicator_batches
from habitue.storage.segment_schema import saved_segments, segment_sizes


def level_counts(conn: sa.Connection, organisations: Sequence[str]
                 ) -> dict[str, dict[str, dict[int, int]]]:
    """``{organisation: {indicator: {level: contacts}}}`` and, under the indicator ``""``,
    ``{0: contacts}``: one scan of ``contact_indicators`` counting every (indicator, level)
    with ``FILTER`` clauses. A level not computed yet counts as level 0 (the default)."""
    if not organisations:
        return {}
    ci = contact_indicators
    columns = [sa.func.count().label("total")]
    keys: list[tuple[str, int]] = []
    for ind in INDICATORS:
        level = sa.func.coalesce(ci.c[f"{ind.code}_level"], 0)
        for lv in ind.levels:
            keys.append((ind.code, lv.level))
            columns.append(sa.func.count().filter(level == lv.level)
                           .label(f"{ind.code}__{lv.level}"))
    query = (sa.select(ci.c.organisation_id, *columns)
             .where(ci.c.organisation_id.in_(list(organisations)))
             .group_by(ci.c.organisation_id))
    out: dict[str, dict[str, dict[int, int]]] = {}
    for row in conn.execute(query).mappings():
        by_ind: dict[str, dict[int, int]] = {"": {0: int(row["total"])}}
        for code, lv in keys:
            by_ind.setdefault(code, {})[lv] = int(row[f"{code}__{lv}"])
        out[row["organisation_id"]] = by_ind
    return out


def recent_batches(conn: sa.Connection, limit: int) -> list[dict]:
    b = indicator_batches
    return [dict(r) for r in conn.execute(
        sa.select(b.c.batch_id, b.c.as_of, b.c.cadence, b.c.started_at, b.c.finished_at)
        .order_by(b.c.batch_id.desc()).limit(limit)).mappings()]


def segment_size_history(conn: sa.Connection, organisations: Sequence[str], *,
                         segments: int, points: int) -> list[dict]:
    """The ``segments`` saved segments of ``organisations`` updated last, each with its
    sizes at the latest ``points`` batches: ``[{segment_key, name, organisation_id,
    sizes: [(as_of, batch_id, size), …] oldest first}]``."""
    if not organisations:
        return []
    s = saved_segments
    found = [dict(r) for r in conn.execute(
        sa.select(s.c.segment_key, s.c.name, s.c.organisation_id)
        .where(s.c.organisation_id.in_(list(organisations)))
        .order_by(s.c.updated_at.desc(), s.c.segment_key).limit(segments)).mappings()]
    if not found:
        return []
    z = segment_sizes
    sizes: dict[str, list[tuple]] = {f["segment_key"]: [] for f in found}
    ranked = (sa.select(z.c.segment_key, z.c.batch_id, z.c.as_of, z.c.size,
                        sa.func.row_number().over(partition_by=z.c.segment_key,
                                                  order_by=z.c.batch_id.desc()).label("rn"))
              .where(z.c.segment_key.in_(list(sizes))).subquery())
    for r in conn.execute(sa.select(ranked).where(ranked.c.rn <= points)
                          .order_by(ranked.c.segment_key, ranked.c.batch_id)).mappings():
        sizes[r["segment_key"]].append((r["as_of"], r["batch_id"], int(r["size"])))
    return [{**f, "sizes": sizes[f["segment_key"]]} for f in found]
