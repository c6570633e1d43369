"""Export columns and purposes (pure): parsing the specs, and the rows and left-out counts they
give on the small in-memory world of ``test_segments_engine``."""

from __future__ import annotations

import ibis
import pytest

from habitue.segments.columns import (
    DEFAULT_COLUMNS,
    MEMBERS_TABLE,
    ColumnError,
    export_table,
    left_out_counts,
    parse_columns,
)


def test_specs():
    cols = parse_columns("contact_id, pmg, pmg:level,pmg:label_en,attribute:n° carte")
    assert [(c.kind, c.name, c.part) for c in cols] == [
        ("field", "contact_id", "value"), ("indicator", "pmg", "value"),
        ("indicator", "pmg", "level"), ("indicator", "pmg", "label_en"),
        ("attribute", "n° carte", "value")]
    assert [c.spec for c in parse_columns(None)] == list(DEFAULT_COLUMNS)


@pytest.mark.parametrize(("specs", "message"), [
    ("nope", "unknown column 'nope'"),
    ("pmg:colour", "unknown part 'colour' of indicator 'pmg'"),
    ("email,email", "the column 'email' is given twice"),
    ("attribute:a.b", "'a.b' is not an attribute name"),
    ("", "no column to export"),
])
def test_bad_specs(specs, message):
    with pytest.raises(ColumnError, match=message):
        parse_columns(specs)


def test_a_disabled_indicator_is_refused():
    with pytest.raises(ColumnError, match="disabled"):
        parse_columns("pmg:label", indicators=["abonne"])


@pytest.fixture(scope="module")
def con():
    from tests.unit.test_segments_engine import world
    con = world()
    con.raw_sql(f"CREATE OR REPLACE TABLE {MEMBERS_TABLE} AS "
                "SELECT institution_id, contact_id FROM contacts WHERE institution_id = 'INST'")
    return con


def rows(con, expr):
    return [tuple(r) for r in con.raw_sql(ibis.to_sql(expr, dialect="duckdb")).fetchall()]


def test_rows_with_indicators_labels_and_attributes(con):
    cols = parse_columns("contact_id,abonne,abonne:level,abonne:label,assiduite:label_en,"
                         "attribute:points,email_opt_in")
    got = rows(con, export_table(cols, organisation_id="ORG", lang="fr"))
    assert got[:2] == [("C1", "true", 1, "Oui", "Regular", "12", "true"),
                       ("C2", "false", 0, "Non", "Inactive", None, None)]
    # C6 and C8 have no row of ORG: the defaults
    assert [r for r in got if r[0] in ("C6", "C8")] == [
        ("C6", "false", 0, "Non", "Inactive", "-2", None),
        ("C8", "false", 0, "Non", "Inactive", None, None)]
    assert [r[0] for r in rows(con, export_table(cols, organisation_id="ORG", limit=2))] == \
        ["C1", "C2"]


@pytest.mark.parametrize(("purpose", "kept", "left_out"), [
    ("email", ["C1", "C5", "C7"], {"no_opt_in": 5}),
    ("sms", [], {"no_opt_in": 6, "unusable_address": 2}),  # C4, C7: no phone
    ("post", [], {"no_opt_in": 6, "unusable_address": 2}),  # C1, C7: no street
])
def test_purposes(con, purpose, kept, left_out):
    cols = parse_columns("contact_id")
    got = rows(con, export_table(cols, organisation_id="ORG", purpose=purpose))
    assert [r[0] for r in got] == kept
    assert dict(rows(con, left_out_counts(purpose))) == left_out


def test_both_dialects_compile():
    cols = parse_columns("contact_id,pmg:label,attribute:points")
    for dialect in ("duckdb", "postgres"):
        sql = ibis.to_sql(export_table(cols, organisation_id="ORG", purpose="email"),
                          dialect=dialect)
        assert MEMBERS_TABLE in sql and "contact_indicators" in sql
