"""Behaviour conditions → one aggregated row per contact, from the facts as of D.

The lines are ``facts.lines_as_of`` (materialised as ``_ind_lines`` by the storage layer), so a
segment counts exactly what the indicators count: a line's status as of D, countable (PAID or
RESERVED) and revenue (PAID) lines, the season of a line, its holder, buyer and payer.
"""

from __future__ import annotations

from dataclasses import replace

import ibis
import ibis.expr.types as ir

from habitue.segments.definition import BehaviourCondition
from habitue.segments.predicates import FALSE, dated, ordered
from habitue.segments.tables import Scope, SegmentTables

ROLE_COLUMNS = {"holder": "holder_id", "buyer": "buyer_id", "payer": "payer_id"}


def aggregate_key(node: BehaviourCondition) -> BehaviourCondition:
    """What the per-contact aggregate depends on: two rules that differ only by their id or
    their comparison share one aggregate (and one join)."""
    return replace(node, id="", comparison=None, measure=node.measure or "lines",
                   role=node.effective_role)


def needed_columns(node: BehaviourCondition) -> set[str]:
    """The columns a rule filters on that the facts leave out (product, genre, door scan)."""
    need = set()
    if node.product or node.genre:
        need.add("product_id")
    if node.genre:
        need.add("genre")
    if node.behaviour in ("attended", "missed"):
        need.add("scanned_at")
    return need


def _with_columns(lines: ir.Table, need: set[str], tables: SegmentTables) -> ir.Table:
    """``lines`` with the columns ``need`` it lacks, from ``order_lines`` and ``products``."""
    missing = {c for c in need if c not in lines.columns}
    from_lines = [c for c in ("product_id", "scanned_at") if c in missing]
    if from_lines:
        ol = tables.order_lines
        ol = ol.select(ol_org=ol.organisation_id, ol_line=ol.line_id,
                       **{c: ol[c] for c in from_lines})
        j = lines.inner_join(ol, [lines.organisation_id == ol.ol_org,
                                  lines.line_id == ol.ol_line])
        lines = j.select(*lines.columns, *from_lines)
    if "genre" in missing:
        pr = tables.products
        pr = pr.select(pr_org=pr.organisation_id, pr_id=pr.product_id, genre=pr.genre)
        j = lines.left_join(pr, [lines.organisation_id == pr.pr_org,
                                 lines.product_id == pr.pr_id])
        lines = j.select(*lines.columns, "genre")
    return lines


def behaviour_lines(node: BehaviourCondition, tables: SegmentTables, scope: Scope) -> ir.Table:
    """The organisation's lines the rule is about, as of D: the facts' own filters first, then
    the columns the facts leave out, then their filters. (A filter drops a NULL test: these
    need not be two-valued.)"""
    t = tables.lines
    conds = [t.organisation_id == scope.organisation_id,
             t.revenue if node.measure == "amount" else t.countable]
    if node.behaviour == "missed":
        conds.append(t.perf_date <= scope.as_of)
    if node.family:
        conds.append(t.family.isin(node.family))
    if node.performance:
        conds.append(t.performance_id.isin(node.performance))
    if node.season:
        season = scope.season_id(node.season)
        conds.append(t.season_id == season if season is not None else FALSE)
    if node.order_date is not None:
        conds.append(dated(t.order_date, node.order_date, scope.as_of))
    if node.performance_date is not None:
        conds.append(dated(t.perf_date, node.performance_date, scope.as_of))
    t = t.filter(*conds)

    need = needed_columns(node)
    if not need:
        return t
    t = _with_columns(t, need, tables)
    end = ibis.literal(scope.end_ts)
    conds = []
    if node.behaviour == "attended":
        conds.append(t.scanned_at.notnull() & (t.scanned_at < end))
    elif node.behaviour == "missed":
        conds.append(t.scanned_at.isnull() | (t.scanned_at >= end))
    if node.genre:
        conds.append(t.genre.lower().isin([g.lower() for g in node.genre]))
    if node.product:
        conds.append(t.product_id.isin(node.product))
    return t.filter(*conds)


def behaviour_holders(node: BehaviourCondition, tables: SegmentTables, scope: Scope) -> ir.Column:
    """The contacts with at least one such line, as a column to test membership in (``IN``):
    an existence rule that must hold needs no aggregate nor join."""
    t = behaviour_lines(node, tables, scope)
    who = t[ROLE_COLUMNS[node.effective_role]]
    return t.filter(who.notnull()).select(_k=who)._k


def behaviour_aggregate(node: BehaviourCondition, tables: SegmentTables, scope: Scope,
                        prefix: str) -> ir.Table:
    """``(<prefix>_k, <prefix>_v)``: per contact with at least one such line, the measure."""
    t = behaviour_lines(node, tables, scope)
    who = t[ROLE_COLUMNS[node.effective_role]]
    measure = node.measure or "lines"
    value = {
        "lines": lambda: t.line_id.count(),
        "orders": lambda: t.order_id.nunique(),
        "performances": lambda: t.performance_id.nunique(),
        "amount": lambda: t.amount.sum(),
        "first_purchase": lambda: t.order_date.min(),
        "last_purchase": lambda: t.order_date.max(),
    }[measure]()
    t = t.filter(who.notnull())
    return t.group_by(**{f"{prefix}_k": who}).aggregate(**{f"{prefix}_v": value})


def behaviour_predicate(node: BehaviourCondition, value: ir.Value,
                        scope: Scope) -> ir.BooleanValue:
    """``value`` is the measure joined to the contact (NULL: no such line)."""
    if node.measure is None:
        return value.notnull()
    if node.measure in ("first_purchase", "last_purchase"):
        return dated(value, node.comparison, scope.as_of)
    return ordered(value.fill_null(0), node.comparison, nullable=False)
