"""Compile a segment definition to one Ibis expression: the keys of its members.

Pure: it reads unbound tables (``tables.segment_tables()``) and never opens a connection. The
shape of the query is one scan of the institution's contacts, left-joined to what the rules
need (the organisation's row of ``contact_indicators``, one aggregate per distinct behaviour,
the count of linked contacts), filtered by one boolean expression built from the tree:

    all → AND,  any → OR,  none → NOT (OR)

Every leaf is two-valued (a NULL, such as an unknown postal code or a contact without a
stored indicator row, becomes false before it is combined), so ``none[x]`` is exactly the
complement of ``x`` and ``all`` / ``any`` are the intersection / union of their children.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

import ibis
import ibis.expr.types as ir

from habitue.indicators.catalogue import INDICATOR_BY_CODE, ValueType
from habitue.segments import predicates as P
from habitue.segments.behaviour import (
    aggregate_key,
    behaviour_aggregate,
    behaviour_holders,
    behaviour_predicate,
)
from habitue.segments.definition import (
    AttributeCondition,
    BehaviourCondition,
    ConsentCondition,
    FieldCondition,
    Group,
    IndicatorCondition,
    Node,
    SegmentDefinition,
    SegmentRef,
)
from habitue.segments.fields import CHANNEL_COLUMNS, FIELD_BY_NAME
from habitue.segments.references import Resolver, no_segments, resolve_references
from habitue.segments.tables import Scope, SegmentTables, segment_tables

Predicate = Callable[[ir.Table], ir.BooleanValue]
DIALECTS = {"duckdb": "duckdb", "postgresql": "postgres", "postgres": "postgres"}


def compile_segment(definition: SegmentDefinition, *, scope: Scope,
                    tables: SegmentTables | None = None,
                    resolve_segment: Resolver = no_segments, key: str | None = None,
                    node_id: str | None = None) -> ir.Table:
    """The members ``(institution_id, contact_id)`` of ``definition`` in ``scope`` (one row
    each). ``resolve_segment`` gives the definitions of the saved segments it uses (unknown
    ones and cycles raise ``SpecError``); ``key`` is the definition's own key when saved.
    ``node_id`` compiles one node of the tree instead of the root (to count a rule alone)."""
    segments = resolve_references(definition, resolve_segment, key=key)
    compiler = _Compiler(tables or segment_tables(), scope, segments)
    root = definition.rules if node_id is None else definition.node(node_id)
    predicate = compiler.predicate(root, required=True)
    base = compiler.base()
    return base.filter(predicate(base)).select("institution_id", "contact_id")


def segment_sql(definition: SegmentDefinition, dialect: str, **kwargs) -> str:
    """The SQL of ``compile_segment`` for a store (``duckdb`` or ``postgresql``)."""
    return str(ibis.to_sql(compile_segment(definition, **kwargs), dialect=DIALECTS[dialect]))


def uses_facts(definition: SegmentDefinition, resolve_segment: Resolver = no_segments) -> bool:
    """Whether a behaviour rule needs the lines as of D (``_ind_lines``) to be materialised."""
    defs = [definition, *resolve_references(definition, resolve_segment).values()]
    return any(isinstance(n, BehaviourCondition) for d in defs for _, n in d.nodes())


class _Compiler:
    def __init__(self, tables: SegmentTables, scope: Scope,
                 segments: dict[str, SegmentDefinition]) -> None:
        self.tables = tables
        self.scope = scope
        self.segments = segments
        self.indicator_columns: set[str] = set()
        self.joins: dict[object, tuple[str, ir.Table]] = {}  # aggregate key -> (prefix, table)

    # -- the joined relation --------------------------------------------------------------

    def base(self) -> ir.Table:
        c = self.tables.contacts
        base = c.filter(c.institution_id == self.scope.institution_id)
        if self.indicator_columns:
            ci = self.tables.indicators
            ci = ci.filter(ci.organisation_id == self.scope.organisation_id).select(
                _ci_contact=ci.contact_id,
                **{f"_ci_{col}": ci[col] for col in sorted(self.indicator_columns)})
            base = base.left_join(ci, base.contact_id == ci._ci_contact)
        for prefix, agg in self.joins.values():
            base = base.left_join(agg, base.contact_id == agg[f"{prefix}_k"])
        return base

    def join(self, key: object, build: Callable[[str], ir.Table]) -> str:
        """The column prefix of an aggregate joined once per distinct ``key``."""
        if key not in self.joins:
            prefix = f"_j{len(self.joins) + 1}"
            self.joins[key] = (prefix, build(prefix))
        return self.joins[key][0]

    # -- nodes ----------------------------------------------------------------------------

    def predicate(self, node: Node, required: bool = False) -> Predicate:
        """``required``: the node must hold for a contact to be a member (it is the root, or
        a child of an ``all`` that is required), which lets an existence rule be a semi-join."""
        if isinstance(node, Group):
            return self.group(node, required)
        if isinstance(node, BehaviourCondition):
            return self.behaviour(node, required)
        if isinstance(node, SegmentRef):
            return self.segment(node, required)
        method = {
            IndicatorCondition: self.indicator, FieldCondition: self.field,
            ConsentCondition: self.consent, AttributeCondition: self.attribute,
        }[type(node)]
        return method(node)

    def group(self, node: Group, required: bool = False) -> Predicate:
        parts = [self.predicate(c, required and node.kind == "all") for c in node.children]

        def combine(b: ir.Table) -> ir.BooleanValue:
            values = [p(b) for p in parts]
            if node.kind == "all":
                return reduce(lambda x, y: x & y, values)
            union = reduce(lambda x, y: x | y, values)
            return union if node.kind == "any" else ~union
        return combine

    def indicator(self, node: IndicatorCondition) -> Predicate:
        ind = INDICATOR_BY_CODE[node.indicator]
        col = f"{node.indicator}_level" if node.on == "level" else node.indicator
        self.indicator_columns.add(col)
        c, as_of = node.comparison, self.scope.as_of

        def pred(b: ir.Table) -> ir.BooleanValue:
            value = b[f"_ci_{col}"]
            # a contact without a stored row has the defaults (level 0 for every indicator)
            default = 0 if node.on == "level" else ind.default
            if default is not None:
                value = value.fill_null(default)
            if node.on == "value" and ind.value_type == ValueType.DATE:
                return P.dated(value, c, as_of)
            return P.ordered(value, c, nullable=default is None)
        return pred

    def field(self, node: FieldCondition) -> Predicate:
        spec = FIELD_BY_NAME[node.field]
        c, as_of = node.comparison, self.scope.as_of
        if node.field == "child_count":
            prefix = self.join("child_count", self.child_count)
            return lambda b: P.ordered(b[f"{prefix}_v"].fill_null(0), c, nullable=False)
        if node.field == "age":
            return lambda b: P.age(b.birth_date, c, as_of)
        if node.field == "created_at":
            return lambda b: P.dated(b.created_at.date(), c, as_of)
        if spec.kind == "date":
            return lambda b: P.dated(b[node.field], c, as_of)
        if spec.kind == "text":
            return lambda b: P.texts(b[node.field], c)
        return lambda b: P.ordered(b[node.field], c)  # enum, id

    def child_count(self, prefix: str) -> ir.Table:
        c = self.tables.contacts
        c = c.filter(c.institution_id == self.scope.institution_id, c.parent_contact_id.notnull())
        return c.group_by(**{f"{prefix}_k": c.parent_contact_id}).aggregate(
            **{f"{prefix}_v": c.count()})

    def consent(self, node: ConsentCondition) -> Predicate:
        col = CHANNEL_COLUMNS[node.channel]
        if node.state == "unknown":
            return lambda b: b[col].isnull()
        if node.state == "opt_out":
            return lambda b: P.two_valued(~b[col])
        return lambda b: P.two_valued(b[col])

    def attribute(self, node: AttributeCondition) -> Predicate:
        return lambda b: P.attribute_predicate(b.attributes, node.attribute, node.type,
                                               node.comparison, self.scope.as_of)

    def behaviour(self, node: BehaviourCondition, required: bool = False) -> Predicate:
        if required and node.measure is None:
            # "bought / attended … at least once" that must hold: contact_id IN (…). Only
            # where it must hold: under any / none it stays a joined aggregate, so that a
            # negation never becomes NOT IN (which PostgreSQL cannot run as an anti-join).
            holders = behaviour_holders(node, self.tables, self.scope)
            return lambda b: b.contact_id.isin(holders)
        prefix = self.join(aggregate_key(node), lambda p: behaviour_aggregate(
            node, self.tables, self.scope, p))
        return lambda b: behaviour_predicate(node, b[f"{prefix}_v"], self.scope)

    def segment(self, node: SegmentRef, required: bool = False) -> Predicate:
        return self.predicate(self.segments[node.segment].rules, required)
