"""Property: for random trees of rules evaluated on the small DuckDB world, ``none[x]`` and
``x`` partition the contacts, and ``all`` / ``any`` are the intersection / union of their
children, at every depth.

The leaves are the rules of ``test_segments_engine.CASES``, whose members were computed by
hand (NULLs included: an unknown postal code, a contact without an indicator row, a refunded
line…); the expected members of a tree are the set algebra over those, and the tree is
compiled and run as one query.
"""

from __future__ import annotations

from functools import reduce

import ibis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habitue.segments import compile_segment, parse_definition
from tests.unit.test_segments_engine import CASES, SCOPE, UNIVERSE, world

LEAVES = [(rule, frozenset(expected)) for rule, expected in CASES]


def _group(kind: str, children: list) -> tuple:
    return (kind, children)


trees = st.recursive(
    st.integers(min_value=0, max_value=len(LEAVES) - 1),
    lambda kids: st.builds(_group, st.sampled_from(["all", "any", "none"]),
                           st.lists(kids, min_size=1, max_size=3)),
    max_leaves=7,
)


def as_rule(tree) -> dict:
    if isinstance(tree, int):
        return dict(LEAVES[tree][0])
    kind, children = tree
    return {kind: [as_rule(c) for c in children]}


def expected(tree) -> frozenset[str]:
    if isinstance(tree, int):
        return LEAVES[tree][1]
    kind, children = tree
    sets = [expected(c) for c in children]
    if kind == "all":
        return reduce(frozenset.intersection, sets)
    union = reduce(frozenset.union, sets)
    return union if kind == "any" else UNIVERSE - union


def run(rules: list[dict]) -> set[str]:
    expr = compile_segment(parse_definition({"rules": rules}), scope=SCOPE)
    rows = world().con.execute(str(ibis.to_sql(expr, dialect="duckdb"))).fetchall()
    ids = [cid for _, cid in rows]
    assert len(ids) == len(set(ids)), "a contact appears twice"
    return set(ids)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees)
def test_a_tree_is_the_set_algebra_of_its_leaves(tree):
    assert run([as_rule(tree)]) == expected(tree)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees)
def test_none_of_a_tree_is_its_complement(tree):
    inside = run([as_rule(tree)])
    outside = run([{"none": [as_rule(tree)]}])
    assert inside.isdisjoint(outside)
    assert inside | outside == UNIVERSE


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees=st.lists(trees, min_size=2, max_size=3))
def test_the_root_is_the_intersection_of_its_rules(trees):
    got = run([as_rule(t) for t in trees])
    assert got == reduce(frozenset.intersection, [expected(t) for t in trees])
