"""Reads of the reference data the API scopes everything by: organisations, the institution
each belongs to, and their seasons."""

from __future__ import annotations

import sqlalchemy as sa

from habitue.storage.schema import institutions, organisations, seasons


def list_organisations(conn: sa.Connection) -> list[dict]:
    o = organisations
    return [dict(r) for r in conn.execute(
        sa.select(o.c.organisation_id, o.c.name, o.c.institution_id, o.c.timezone,
                  o.c.currency).order_by(o.c.organisation_id)).mappings()]


def organisations_by_institution(conn: sa.Connection) -> dict[str, list[str]]:
    """Every institution of the store (those without organisations too) and the ids of its
    organisations."""
    out: dict[str, list[str]] = {i: [] for i in conn.execute(
        sa.select(institutions.c.institution_id)).scalars()}
    for org, inst in conn.execute(sa.select(
            organisations.c.organisation_id, organisations.c.institution_id)
            .order_by(organisations.c.organisation_id)):
        out.setdefault(inst or "default", []).append(org)
    return out


def list_seasons(conn: sa.Connection, organisation: str) -> list[dict]:
    s = seasons
    return [dict(r) for r in conn.execute(
        sa.select(s.c.organisation_id, s.c.season_id, s.c.name, s.c.start_date, s.c.end_date)
        .where(s.c.organisation_id == organisation).order_by(s.c.start_date)).mappings()]
