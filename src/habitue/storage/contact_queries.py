"""Reads of contacts for the API and the web pages: search, one contact, its family links.

Words are looked for in each contact's ``search_text``, its names and email folded (no
accents, no capitals: ``storage.text_folding``) once, when the contact is written, and folded
the same way here. DuckDB scans that one column; PostgreSQL finds the words through its
trigram index (migrations 0009 and 0011). The matches are materialised, counted and sorted in
one statement, and only the page's rows are read in full.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from habitue.storage.schema import contacts
from habitue.storage.text_folding import fold

# the columns of a search result
SUMMARY_COLUMNS = ("institution_id", "contact_id", "kind", "title", "first_name", "last_name",
                   "structure_name", "email", "phone", "postal_code", "city",
                   "parent_contact_id")
MAX_WORDS = 6


@dataclass(frozen=True)
class ContactFilter:
    """What a search keeps: every word of ``words`` found in a name or the email (or equal to
    the id), in ``institutions`` (None: every one), of ``kind``, with a postal code starting
    with ``postal_code``."""

    words: tuple[str, ...] = ()
    institutions: Sequence[str] | None = None
    kind: str | None = None
    postal_code: str | None = None


def _like_pattern(folded: str) -> str:
    """``%folded%`` for LIKE, its own ``%``, ``_`` and ``\\`` taken literally."""
    return "%" + re.sub(r"([%_\\])", r"\\\1", folded) + "%"


def _where(f: ContactFilter, params: dict, dialect: str = "duckdb") -> str:
    clauses = []
    for i, word in enumerate(f.words[:MAX_WORDS]):
        params[f"id{i}"] = word
        folded = fold(word, dialect)
        if not folded:  # nothing but combining accents: the id only
            found = "false"
        elif dialect == "postgresql":  # the form the trigram index answers
            params[f"w{i}"] = _like_pattern(folded)
            found = f"search_text LIKE :w{i}"
        else:
            params[f"w{i}"] = folded
            found = f"strpos(search_text, :w{i}) > 0"
        clauses.append(f"({found} OR contact_id = :id{i})")
    if f.institutions is not None:
        params["insts"] = list(f.institutions) or [""]
        clauses.append("institution_id IN :insts")
    if f.kind:
        params["kind"] = f.kind
        clauses.append("kind = :kind")
    if f.postal_code:
        params["postal"] = f.postal_code
        clauses.append("starts_with(postal_code, :postal)")
    return " AND ".join(clauses) or "true"


def search_contacts(conn: sa.Connection, f: ContactFilter, *, offset: int,
                    limit: int) -> tuple[int, list[dict]]:
    """``(how many match, the page)``: sorted by last name (or structure name), first name,
    then id; contacts without a name last."""
    params: dict = {"lim": int(limit), "off": int(offset)}
    where = _where(f, params, conn.dialect.name)
    cols = ", ".join(f"c.{c}" for c in SUMMARY_COLUMNS)
    sql = sa.text(f"""
        WITH m AS MATERIALIZED (
            SELECT institution_id, contact_id,
                   lower(coalesce(last_name, structure_name)) AS k1,
                   lower(first_name) AS k2
            FROM contacts WHERE {where}),
        p AS (SELECT * FROM m ORDER BY k1 NULLS LAST, k2 NULLS LAST, contact_id,
                                       institution_id
              LIMIT :lim OFFSET :off)
        SELECT t.total, {cols}
        FROM (SELECT count(*) AS total FROM m) t
        LEFT JOIN (p JOIN contacts c ON c.institution_id = p.institution_id
                   AND c.contact_id = p.contact_id) ON true
        ORDER BY p.k1 NULLS LAST, p.k2 NULLS LAST, p.contact_id, p.institution_id""")
    if "insts" in params:
        sql = sql.bindparams(sa.bindparam("insts", expanding=True))
    rows = conn.execute(sql, params).mappings().all()
    total = int(rows[0]["total"]) if rows else 0
    page = [{c: r[c] for c in SUMMARY_COLUMNS} for r in rows if r["contact_id"] is not None]
    return total, page


def find_contacts(conn: sa.Connection, contact_id: str,
                  institutions: Sequence[str] | None) -> list[dict]:
    """Every stored contact with this id (one per institution), in ``institutions``."""
    q = sa.select(contacts).where(contacts.c.contact_id == contact_id)
    if institutions is not None:
        q = q.where(contacts.c.institution_id.in_(list(institutions) or [""]))
    return [dict(r) for r in conn.execute(q.order_by(contacts.c.institution_id)).mappings()]


def get_contact(conn: sa.Connection, institution_id: str, contact_id: str) -> dict | None:
    row = conn.execute(sa.select(contacts).where(
        contacts.c.institution_id == institution_id,
        contacts.c.contact_id == contact_id)).mappings().first()
    return dict(row) if row else None


def children_of(conn: sa.Connection, institution_id: str, contact_id: str) -> list[dict]:
    """The contacts attached to this one (``parent_contact_id``), by id."""
    c = contacts
    return [dict(r) for r in conn.execute(
        sa.select(*(c.c[n] for n in SUMMARY_COLUMNS))
        .where(c.c.institution_id == institution_id, c.c.parent_contact_id == contact_id)
        .order_by(c.c.contact_id)).mappings()]
