"""Segments evaluated on a real store (DuckDB and PostgreSQL), after a real import and a real
computation: the members of each kind of rule against hand-computed expectations
(``tests/factories/segment_venue.py`` describes every contact)."""

from __future__ import annotations

from datetime import datetime

import pytest

from habitue.services import segments as S
from habitue.services.segment_evaluation import evaluator
from tests.factories.segment_venue import CONTACTS, D, everyone, load_segment_venue

NOW = datetime(2026, 1, 15, 12)


@pytest.fixture
def venue(store, tmp_path):
    load_segment_venue(store, tmp_path)
    S.create_segment(store, key="parisiens", name="Parisiens", now=NOW,
                     definition="rules: [{field: postal_code, starts_with: '75'}]")
    return store


def members(store, definition: str, as_of=D) -> set[str]:
    target = S.target_of(store, definition=definition)
    with evaluator(store, as_of) as ev:
        rows = ev.runner.fetchall(ev.members_sql(target))
    return {c for _, c in rows}


CASES = {
    # behaviour: countable lines of the current season, the genre compared case-insensitively
    "opera_twice": ("rules: [{behaviour: bought, genre: Opéra, season: current, "
                    "lines: {gte: 2}}]", {"A"}),
    "any_opera": ("rules: [{behaviour: bought, genre: opéra}]", {"A"}),  # C's was refunded
    "attended": ("rules: [{behaviour: attended}]", {"A"}),
    "ordered_last_12_months": ("rules: [{behaviour: bought, order_date: {last: 12 months}}]",
                               {"A", "B", "C"}),
    "spent": ("rules: [{behaviour: bought, amount: {gte: 100}}]", {"A", "C"}),
    "consent": ("rules: [{consent: email}]", {"A", "B", "E"}),
    "consent_unknown": ("rules: [{consent: email, state: unknown}]", {"C", "F"}),
    "consent_refused": ("rules: [{consent: email, state: opt_out}]", {"D"}),
    "postal_prefix": ("rules: [{field: postal_code, starts_with: '75'}]", {"A", "C", "D"}),
    "city": ("rules: [{field: city, is: paris}]", {"A", "C", "D"}),
    "structure": ("rules: [{field: kind, is: STRUCTURE}]", {"E"}),
    "linked": ("rules: [{field: child_count, gte: 1}]", {"E"}),
    "parent": ("rules: [{field: parent_contact_id, is: E}]", {"F"}),
    "subscriber": ("rules: [{indicator: abonne, level: Oui}]", {"C"}),
    "attribute": ("rules: [{attribute: points, gte: 10}]", {"A"}),
    "attribute_unknown": ("rules: [{attribute: points, unknown: true}]", {"C", "D", "E", "F"}),
    "none": ("rules: [{none: [{consent: email}]}]", {"C", "D", "F"}),
    "any": ("rules: [{any: [{indicator: abonne, level: Oui}, "
            "{behaviour: bought, season: previous}]}]", {"B", "C"}),
    "saved_segment": ("rules: [{segment: parisiens}, {consent: email}]", {"A"}),
    "not_in_saved_segment": ("rules: [{none: [{segment: parisiens}]}]", {"B", "E", "F"}),
    "everyone": (everyone(), set(CONTACTS)),
}


def test_members(venue):
    """Every case on one store (one import and computation), each rule and its complement."""
    wrong = {}
    for name, (definition, expected) in CASES.items():
        got = members(venue, definition)
        rules = definition.removeprefix("rules: ")
        complement = members(venue, f"rules: [{{none: [{{all: {rules}}}]}}]")
        if (got, complement) != (expected, set(CONTACTS) - expected):
            wrong[name] = (sorted(got), sorted(complement))
    assert wrong == {}


def test_behaviours_are_as_of_the_reference_date(venue):
    # before A's order, nobody had bought opera; long after, the 12-month window is empty
    assert members(venue, CASES["any_opera"][0], as_of=D.replace(year=2025, month=9, day=1)) \
        == set()
    assert members(venue, CASES["ordered_last_12_months"][0],
                   as_of=D.replace(year=2027)) == set()


def test_count_preview_and_overlap(venue):
    email = S.target_of(venue, definition="rules: [{consent: email}]")
    parisiens = S.target_of(venue, key="parisiens")
    assert S.count_segment(venue, parisiens, as_of=D) == 3
    p = S.preview_segment(venue, parisiens, as_of=D, limit=2, lang="en")
    assert p.count == 3
    assert p.headers[:5] == ["contact_id", "first_name", "last_name", "structure_name", "email"]
    assert [r[0] for r in p.rows] == ["A", "C"]
    row = dict(zip(p.headers, p.rows[1], strict=True))
    assert (row["abonne:level"], row["abonne:label"]) == (1, "Yes")
    assert row["first_name"] == "First C" and row["email"] is None
    o = S.overlap_segments(venue, parisiens, email, as_of=D)
    assert o.as_dict() == {"a_only": 2, "both": 1, "b_only": 2}  # C, D | A | B, E
