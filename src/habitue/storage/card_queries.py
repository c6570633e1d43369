"""Reads of the contact card's timeline: one contact's orders, order lines and their status
history, door scans, social shares (with their visits) and indicator level changes, in the
organisations given.

Every query filters on the contact's id and a short list of organisations first; lines,
statuses, products and performances are then read by the ids found (a few dozen for a usual
contact), and joined in Python. On PostgreSQL the secondary indexes of migration 0005 serve
them; on DuckDB each is one filtered scan of one or two columns (no index: decision 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from habitue.storage.schema import (
    contact_indicators,
    indicator_history,
    indicator_settings,
    order_line_statuses,
    order_lines,
    orders,
    performances,
    products,
    share_visits,
    social_shares,
)

MAX_ROWS = 2000
"""Of each kind, at most this many of the latest facts (a structure may buy thousands)."""


def _in(column, values: Sequence[str]):
    return column.in_(list(values) or [""])


def contact_orders(conn: sa.Connection, organisations: Sequence[str],
                   contact_id: str) -> list[dict]:
    """The orders the contact bought or paid, newest first. (Two filtered scans joined by
    UNION ALL: DuckDB scans ``a = x OR b = x`` ten times slower than each alone.)"""
    o = orders
    cols = (o.c.organisation_id, o.c.order_id, o.c.created_at, o.c.channel, o.c.origin,
            o.c.buyer_contact_id, o.c.payer_contact_id)
    in_orgs = _in(o.c.organisation_id, organisations)
    bought = sa.select(*cols).where(in_orgs, o.c.buyer_contact_id == contact_id)
    paid = sa.select(*cols).where(in_orgs, o.c.payer_contact_id == contact_id,
                                  o.c.buyer_contact_id != contact_id)
    u = sa.union_all(bought, paid).subquery()
    q = sa.select(u).order_by(u.c.created_at.desc()).limit(MAX_ROWS)
    return [dict(r) for r in conn.execute(q).mappings()]


def orders_by_id(conn: sa.Connection, organisations: Sequence[str],
                 order_ids: Sequence[str]) -> list[dict]:
    """Date and buyer of the given orders."""
    if not order_ids:
        return []
    o = orders
    return [dict(r) for r in conn.execute(
        sa.select(o.c.organisation_id, o.c.order_id, o.c.created_at, o.c.buyer_contact_id)
        .where(_in(o.c.organisation_id, organisations), _in(o.c.order_id, order_ids))
    ).mappings()]


_LINE_COLUMNS = ("organisation_id", "order_id", "line_id", "product_id", "performance_id",
                 "beneficiary_contact_id", "amount", "scanned_at", "last_status",
                 "last_status_at")


def lines_of_orders(conn: sa.Connection, organisations: Sequence[str],
                    order_ids: Sequence[str]) -> list[dict]:
    """Every line of the given orders."""
    if not order_ids:
        return []
    ln = order_lines
    return [dict(r) for r in conn.execute(
        sa.select(*(ln.c[c] for c in _LINE_COLUMNS))
        .where(_in(ln.c.organisation_id, organisations), _in(ln.c.order_id, order_ids))
        .limit(MAX_ROWS)).mappings()]


def lines_held(conn: sa.Connection, organisations: Sequence[str],
               contact_id: str) -> list[dict]:
    """The lines whose beneficiary is the contact."""
    ln = order_lines
    return [dict(r) for r in conn.execute(
        sa.select(*(ln.c[c] for c in _LINE_COLUMNS))
        .where(_in(ln.c.organisation_id, organisations),
               ln.c.beneficiary_contact_id == contact_id)
        .limit(MAX_ROWS)).mappings()]


def catalogue_names(conn: sa.Connection, organisations: Sequence[str],
                    product_ids: Sequence[str], performance_ids: Sequence[str]
                    ) -> tuple[dict, dict]:
    """``({(org, product): (name, family)}, {(org, performance): (name, starts_at)})``."""
    p, pf = products, performances
    prods: dict = {}
    perfs: dict = {}
    if product_ids:
        for org, pid, name, family in conn.execute(
                sa.select(p.c.organisation_id, p.c.product_id, p.c.name, p.c.family)
                .where(_in(p.c.organisation_id, organisations),
                       _in(p.c.product_id, product_ids))):
            prods[(org, pid)] = (name, family)
    if performance_ids:
        for org, pid, name, starts in conn.execute(
                sa.select(pf.c.organisation_id, pf.c.performance_id, pf.c.name, pf.c.starts_at)
                .where(_in(pf.c.organisation_id, organisations),
                       _in(pf.c.performance_id, performance_ids))):
            perfs[(org, pid)] = (name, starts)
    return prods, perfs


def line_statuses(conn: sa.Connection, organisations: Sequence[str],
                  line_ids: Sequence[str]) -> list[dict]:
    """Every status row of those lines, oldest first (ties: the one imported last wins)."""
    if not line_ids:
        return []
    s = order_line_statuses
    q = (sa.select(s.c.organisation_id, s.c.line_id, s.c.status, s.c.status_at, s.c.seq)
         .where(_in(s.c.organisation_id, organisations), _in(s.c.line_id, line_ids))
         .order_by(s.c.organisation_id, s.c.line_id, s.c.status_at, s.c.seq))
    return [dict(r) for r in conn.execute(q).mappings()]


def contact_shares(conn: sa.Connection, organisations: Sequence[str],
                   contact_id: str) -> list[dict]:
    """The contact's social shares, each with the number of visits its link brought."""
    s, v = social_shares, share_visits
    shares = [dict(r) for r in conn.execute(
        sa.select(s.c.organisation_id, s.c.share_id, s.c.order_id, s.c.network, s.c.shared_at)
        .where(_in(s.c.organisation_id, organisations), s.c.contact_id == contact_id)
        .order_by(s.c.shared_at.desc()).limit(MAX_ROWS)).mappings()]
    if not shares:
        return []
    visits = dict(conn.execute(
        sa.select(v.c.organisation_id + ":" + v.c.share_id, sa.func.count())
        .where(_in(v.c.organisation_id, organisations),
               _in(v.c.share_id, [x["share_id"] for x in shares]))
        .group_by(v.c.organisation_id, v.c.share_id)).all())
    for x in shares:
        x["visits"] = int(visits.get(f"{x['organisation_id']}:{x['share_id']}", 0))
    return shares


def level_changes(conn: sa.Connection, organisations: Sequence[str],
                  contact_id: str) -> list[dict]:
    """The contact's indicator level changes, newest first."""
    h = indicator_history
    q = (sa.select(h.c.organisation_id, h.c.indicator, h.c.old_level, h.c.new_level,
                   h.c.as_of, h.c.batch_id)
         .where(_in(h.c.organisation_id, organisations), h.c.contact_id == contact_id)
         .order_by(h.c.as_of.desc(), h.c.batch_id.desc()).limit(MAX_ROWS))
    return [dict(r) for r in conn.execute(q).mappings()]


def indicator_values(conn: sa.Connection, organisations: Sequence[str],
                     contact_id: str) -> list[dict]:
    """The contact's row of current values in each of the organisations."""
    ci = contact_indicators
    return [dict(r) for r in conn.execute(
        sa.select(ci).where(_in(ci.c.organisation_id, organisations),
                            ci.c.contact_id == contact_id)).mappings()]


def disabled_indicators(conn: sa.Connection) -> dict[str, set[str]]:
    """Per institution, the indicators switched off."""
    s = indicator_settings
    out: dict[str, set[str]] = {}
    for inst, code in conn.execute(sa.select(s.c.institution_id, s.c.indicator)
                                   .where(s.c.enabled.is_(False))):
        out.setdefault(inst, set()).add(code)
    return out
