"""Saved segments: what is stored, and every way a save is refused (with the node's path)."""

from __future__ import annotations

from datetime import datetime

import pytest

from habitue.segments import SpecError
from habitue.services import segments as S
from habitue.services.segment_evaluation import SegmentError
from habitue.services.workspace import Workspace
from tests.factories.segment_venue import D, segment_venue

NOW = datetime(2026, 1, 15, 12)
LATER = datetime(2026, 1, 16, 9)


@pytest.fixture
def venue(store, tmp_path):
    segment_venue().load(store, tmp_path)
    return store


def test_the_store_keeps_the_canonical_definition(venue):
    seg = S.create_segment(venue, key="fans", name="Fans d'opéra", now=NOW, by="anne",
                           definition="rules:\n  - {behaviour: bought, genre: Opéra, "
                                      "lines: {'≥': 2}}\n  - {consent: email}\n")
    assert seg.organisation_id == "ORG"  # the only organisation
    stored = S.show_segment(venue, "fans", lang="en")
    assert stored.segment.definition == {"version": 1, "rules": [
        {"id": "n1", "behaviour": "bought", "genre": "Opéra", "lines": {"gte": 2}},
        {"id": "n2", "consent": "email"}]}
    assert stored.sentence == "Bought at least 2 opéra items, and opted in to email"
    assert (stored.segment.created_by, stored.segment.created_at) == ("anne", NOW)
    S.update_segment(venue, "fans", now=LATER, name="Opera fans", by="bob")
    again = S.show_segment(venue, "fans", lang="fr", sql=True, as_of=D)
    assert again.segment.name == "Opera fans" and again.segment.definition == \
        stored.segment.definition
    assert (again.segment.created_by, again.segment.updated_by) == ("anne", "bob")
    assert again.segment.updated_at == LATER
    assert again.sentence.startswith("A acheté au moins 2 articles d'opéra")
    assert "_ind_lines" in again.sql and "email_opt_in" in again.sql


def test_a_definition_may_come_as_a_dict_or_json(venue):
    S.create_segment(venue, key="a", now=NOW, definition={"rules": [{"consent": "sms"}]})
    S.create_segment(venue, key="b", now=NOW, definition='{"rules": [{"segment": "a"}]}')
    assert [s.segment.key for s in S.list_segments(venue)] == ["a", "b"]
    assert S.describe_definition(venue, "rules: [{segment: a}]", organisation="ORG",
                                 lang="en") == "In segment “a”"


@pytest.mark.parametrize(("definition", "code", "path"), [
    ("rules: [{indicator: pmgg, level: 1}]", "unknown_indicator", "rules[0].indicator"),
    ("rules: [{indicator: pmg, level: Huge}]", "unknown_level", "rules[0].level"),
    ("rules: [{any: [{field: postcode, is: '75'}]}]", "unknown_field", "rules[0].any[0].field"),
    ("rules: [{attribute: colour, is: red}]", "unknown_attribute", "rules[0].attribute"),
    ("rules: [{behaviour: bought, season: S1999}]", "unknown_value", "rules[0].season"),
    ("rules: [{segment: nope}]", "unknown_segment", "rules[0].segment"),
    ("rules: []", "empty_group", "rules"),
    ("rules: [{consent: email, lines: 2}]", "unknown_key", "rules[0].lines"),
    ("rules: [{field: age, gte: 'old'}]", "wrong_type", "rules[0].gte"),
    ("rules: [{", "wrong_type", ""),
])
def test_bad_definitions_are_refused_where_they_are_written(venue, definition, code, path):
    with pytest.raises(SpecError) as err:
        S.create_segment(venue, key="bad", now=NOW, definition=definition)
    assert (err.value.code, err.value.path) == (code, path)
    assert S.list_segments(venue) == []


def test_a_disabled_indicator_is_refused(venue):
    Workspace(venue).set_indicator_enabled("pmg", False)
    with pytest.raises(SpecError, match="disabled for this institution") as err:
        S.create_segment(venue, key="bad", now=NOW, definition="rules: [{indicator: pmg, "
                                                               "level: 1}]")
    assert err.value.path == "rules[0].indicator"


def test_cycles_are_refused_on_update(venue):
    S.create_segment(venue, key="a", now=NOW, definition="rules: [{consent: email}]")
    S.create_segment(venue, key="b", now=NOW, definition="rules: [{segment: a}]")
    with pytest.raises(SpecError) as err:
        S.update_segment(venue, "a", now=LATER, definition="rules: [{any: [{segment: b}]}]")
    assert (err.value.code, err.value.path) == ("cycle", "rules[0].any[0].segment")
    assert "a → b → a" in str(err.value)
    with pytest.raises(SpecError, match="contains itself"):
        S.update_segment(venue, "a", now=LATER, definition="rules: [{segment: a}]")


def test_keys_organisations_and_deletions(venue, tmp_path):
    S.create_segment(venue, key="a", now=NOW, definition="rules: [{consent: email}]")
    S.create_segment(venue, key="b", now=NOW, definition="rules: [{segment: a}]")
    with pytest.raises(SegmentError, match="a segment 'a' already exists"):
        S.create_segment(venue, key="a", now=NOW, definition="rules: [{consent: sms}]")
    with pytest.raises(SegmentError, match="is not 1 to 64 letters"):
        S.create_segment(venue, key="a b", now=NOW, definition="rules: [{consent: sms}]")
    with pytest.raises(SegmentError, match="unknown organisation 'NOPE'; known: ORG"):
        S.create_segment(venue, key="c", now=NOW, organisation="NOPE",
                         definition="rules: [{consent: sms}]")
    with pytest.raises(SegmentError, match="segment 'a' is used by b"):
        S.delete_segment(venue, "a")
    with pytest.raises(SegmentError, match="unknown segment 'zz'"):
        S.update_segment(venue, "zz", now=NOW, name="x")
    S.delete_segment(venue, "b")
    S.delete_segment(venue, "a")
    assert S.list_segments(venue) == []


def test_with_two_organisations_the_organisation_is_asked_for(store, tmp_path):
    v = segment_venue()
    v.organisation("FEST", institution="INST")
    v.load(store, tmp_path)
    with pytest.raises(SegmentError, match="give the organisation .*one of FEST, ORG"):
        S.create_segment(store, key="a", now=NOW, definition="rules: [{consent: email}]")
    S.create_segment(store, key="a", now=NOW, organisation="FEST",
                     definition="rules: [{consent: email}]")
    # a segment uses the saved segments of its own organisation only
    with pytest.raises(SpecError, match="unknown segment 'a'"):
        S.create_segment(store, key="b", now=NOW, organisation="ORG",
                         definition="rules: [{segment: a}]")
