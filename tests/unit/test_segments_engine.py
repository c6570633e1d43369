"""Segments evaluated on a small in-memory DuckDB (a real engine, hand-made rows): membership of
each kind of rule against hand-computed expectations, NULLs included.

``world()`` is shared with the property and golden-SQL tests. The facts as of D (status as of
D, countable and revenue lines, holder…) are materialised with the indicators' own steps
(``indicators.compiler.compile_sql``), as the storage layer does before it runs a segment.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

import ibis
import pytest

from habitue.domain.calendar import Season
from habitue.indicators.compiler import compile_sql
from habitue.indicators.facts import LINES_TABLE, Window
from habitue.indicators.sources import CONTEXT_SCHEMA, entity_table, statuses_table
from habitue.segments import (
    Scope,
    SpecError,
    compile_segment,
    parse_definition,
)
from habitue.segments.tables import contacts_table, indicators_table

D = date(2026, 1, 15)
SEASONS = [Season("ORG", "S2024", date(2024, 9, 1), date(2025, 8, 31)),
           Season("ORG", "S2025", date(2025, 9, 1), date(2026, 8, 31))]
SCOPE = Scope.on("ORG", "INST", D, SEASONS)

# contact_id, kind, structure_type, parent, postal_code, city, country, language, birth_date,
# created_at, email, email/sms/post opt-in, attributes
CONTACTS = [
    ("C1", "INDIVIDUAL", None, None, "75011", "Paris", "FR", "fr", "1990-05-01",
     "2019-04-02 10:00", "c1@x.fr", True, None, True,
     {"points": "12", "vip": "oui", "since": "2020-03-01", "n° carte": "A-1"}),
    ("C2", "INDIVIDUAL", None, None, None, None, None, None, None, None, None, None, None, None,
     None),
    ("C3", "STRUCTURE", "École", None, "69001", "Lyon", "FR", "fr", None, "2025-12-31 23:59",
     "ecole@x.fr", False, False, None, {"points": "abc", "vip": "peut-être"}),
    ("C4", "INDIVIDUAL", None, "C3", "75", "PARIS", "fr", "FR", "2008-01-15", "2026-01-15 08:00",
     None, None, True, False, {"points": "3,5", "since": "14/03/2019"}),
    ("C5", "INDIVIDUAL", None, "C3", "92100", "Boulogne", "FR", "en", "2008-01-16",
     "2026-01-16 09:00", "c5@x.fr", True, None, None, {"vip": "non", "since": "hier"}),
    ("C6", "INDIVIDUAL", None, None, "7501", "Paris", "BE", None, "1950-02-28", None, None,
     None, None, None, {"points": "-2"}),
    ("C7", "STRUCTURE", "Entreprise", None, "75008", "Paris", "FR", "fr", None, None,
     "ce@x.fr", True, True, True, {}),
    ("C8", "INDIVIDUAL", None, "C7", None, "Paris", "FR", "fr", "2000-02-29", None, None, None,
     None, None, None),
]
OTHER_INSTITUTION = ("C1", "INST2")  # same id, another institution: never a member

# organisation_id, contact_id, abonne, abonne_level, assiduite, assiduite_level, pmg, pmg_level,
# recence, recence_level, jeune, jeune_level
INDICATORS = [
    ("ORG", "C1", True, 1, 3, 2, 150.0, 2, "2025-12-01", 3, False, 0),
    ("ORG", "C2", False, 0, 0, 0, 0.0, 0, None, 0, None, 0),
    ("ORG", "C3", False, 0, 1, 1, 40.0, 1, "2022-05-01", 1, None, 0),
    ("ORG", "C4", True, 1, 6, 3, 900.0, 3, "2026-02-20", 4, True, 1),
    ("ORG", "C5", False, 0, 2, 2, 0.0, 0, "2026-01-15", 4, True, 1),
    ("ORG2", "C6", True, 1, 9, 3, 10.0, 1, "2025-01-01", 2, False, 0),  # another organisation
    ("ORG", "C7", False, 0, 0, 0, 0.0, 0, None, 0, None, 0),
]  # C6 and C8 have no row for ORG: they have the defaults (level 0)

SEASON_ROWS = [("ORG", s.season_id, s.season_id.replace("S", "") + "/" +
                str(int(s.season_id[1:]) + 1), s.start_date, s.end_date) for s in SEASONS]
# organisation_id, product_id, name, family, audience, genre, season_id
PRODUCTS = [
    ("ORG", "P_OPERA", "Opéra", "TICKET", "ALL", "Opéra", None),
    ("ORG", "P_THEATRE", "Théâtre", "TICKET", "ALL", "Théâtre", None),
    ("ORG", "P_SUB", "Abonnement", "SUBSCRIPTION", "ALL", None, "S2025"),
    ("ORG", "P_KIDS", "Jeune public", "TICKET", "CHILD", "opéra", None),
]
# organisation_id, performance_id, product_id, kind, starts_at, season_id
PERFORMANCES = [
    ("ORG", "PF1", "P_OPERA", "EVENT", "2025-10-10 20:00", None),
    ("ORG", "PF2", "P_OPERA", "EVENT", "2026-02-20 20:00", None),
    ("ORG", "PF3", "P_THEATRE", "EVENT", "2025-03-01 20:00", None),
    ("ORG", "PF4", "P_OPERA", "EVENT", "2026-01-15 20:00", None),
    ("ORG", "PF5", "P_KIDS", "EVENT", "2025-11-05 15:00", None),
]
# organisation_id, order_id, buyer, payer, created_at, channel
ORDERS = [
    ("ORG", "O1", "C1", None, "2025-09-15 10:00", "INTERNET"),
    ("ORG", "O2", "C2", None, "2025-02-01 10:00", "OTHERS"),
    ("ORG", "O3", "C5", "C7", "2026-01-10 12:00", "INTERNET"),
    ("ORG", "O4", "C1", None, "2026-01-20 10:00", "INTERNET"),  # after D: does not exist
    ("ORG", "O5", "C3", None, "2025-12-01 10:00", "B2B"),
    ("ORG2", "O6", "C6", None, "2025-10-01 10:00", "INTERNET"),  # another organisation
]
# organisation_id, order_id, line_id, product_id, performance_id, beneficiary, amount,
# scanned_at, statuses [(status, at)]
LINES = [
    ("ORG", "O1", "L1", "P_OPERA", "PF1", None, 50, "2025-10-10 19:55",
     [("PAID", "2025-09-15 10:00")]),
    ("ORG", "O1", "L2", "P_OPERA", "PF2", "C4", 50, None, [("PAID", "2025-09-15 10:00")]),
    ("ORG", "O2", "L3", "P_THEATRE", "PF3", None, 30, None,
     [("PAID", "2025-02-01 10:00"), ("REFUNDED", "2025-03-10 09:00")]),
    ("ORG", "O3", "L4", "P_OPERA", "PF4", None, 40, None, [("RESERVED", "2026-01-10 12:00")]),
    ("ORG", "O3", "L5", "P_SUB", None, None, 200, None, [("PAID", "2026-01-10 12:00")]),
    ("ORG", "O4", "L6", "P_OPERA", "PF2", None, 50, None, [("PAID", "2026-01-20 10:00")]),
    ("ORG", "O5", "L7", "P_OPERA", "PF1", "C8", 45, "2025-10-10 20:10",
     [("PAID", "2025-12-01 10:00")]),
    ("ORG", "O5", "L8", "P_OPERA", "PF1", "C8", 45, None, [("PAID", "2026-01-16 10:00")]),
    ("ORG", "O5", "L9", "P_KIDS", "PF5", None, 12, "2025-11-05 14:50",
     [("RESERVED", "2025-11-01 10:00"), ("PAID", "2026-02-01 10:00")]),
    ("ORG2", "O6", "L10", "P_X", None, None, 99, None, [("PAID", "2025-10-01 10:00")]),
]
UNIVERSE = frozenset(c[0] for c in CONTACTS)


def _create(con, table, rows) -> None:
    """``table`` (an unbound Ibis table) created with ``rows``: tuples in its column order, or
    dicts (a column they lack is NULL, so the world follows the schema as it grows)."""
    schema = table.schema()
    con.create_table(table.get_name(), schema=schema)
    rows = [tuple(r.get(c) for c in schema) if isinstance(r, dict) else r for r in rows]
    if rows:
        marks = ", ".join("?" for _ in schema)
        con.con.executemany(f'INSERT INTO "{table.get_name()}" VALUES ({marks})', rows)


@lru_cache(maxsize=1)
def world():
    """An in-memory DuckDB with the base tables, the indicators and the facts as of D."""
    con = ibis.duckdb.connect()
    contacts = []
    for (cid, kind, stype, parent, pc, city, country, lang, birth, created, email, e, s, p,
         attrs) in CONTACTS:
        contacts.append((cid, "INST", kind, stype, parent, None, None, None, None, email, None,
                         birth, None, pc, city, country, lang, created, e, s, p,
                         None if attrs is None else json.dumps(attrs)))
    contacts.append((OTHER_INSTITUTION[0], OTHER_INSTITUTION[1], "INDIVIDUAL") + (None,) * 10
                    + ("75001", "Paris", "FR", "fr", None, True, True, True, None))
    _create(con, contacts_table(), contacts)

    ind = indicators_table()
    cols = ind.columns
    rows = []
    for org, cid, ab, abl, ass, assl, pmg, pmgl, rec, recl, jeune, jeunel in INDICATORS:
        row = dict.fromkeys(cols)
        row.update(organisation_id=org, contact_id=cid, institution_id="INST", as_of=D,
                   abonne=ab, abonne_level=abl, assiduite=ass, assiduite_level=assl, pmg=pmg,
                   pmg_level=pmgl, recence=rec, recence_level=recl, jeune=jeune,
                   jeune_level=jeunel)
        rows.append(tuple(row[c] for c in cols))
    _create(con, ind, rows)

    _create(con, entity_table("organisations"),
            [dict(organisation_id="ORG", name="Opéra", institution_id="INST"),
             dict(organisation_id="ORG2", name="Festival", institution_id="INST")])
    _create(con, entity_table("seasons"),
            [dict(zip(("organisation_id", "season_id", "name", "start_date", "end_date"), r,
                      strict=True)) for r in SEASON_ROWS])
    _create(con, entity_table("products"),
            [dict(organisation_id=o, product_id=p, name=n, family=f, audience=a, genre=g,
                  season_id=s) for o, p, n, f, a, g, s in PRODUCTS])
    _create(con, entity_table("performances"),
            [dict(organisation_id=o, performance_id=p, product_id=pr, kind=k, starts_at=at,
                  season_id=s) for o, p, pr, k, at, s in PERFORMANCES])
    _create(con, entity_table("orders"),
            [dict(organisation_id=o, order_id=oid, buyer_contact_id=b, payer_contact_id=pay,
                  created_at=at, channel=ch) for o, oid, b, pay, at, ch in ORDERS])
    _create(con, entity_table("order_lines"),
            [dict(organisation_id=o, order_id=oid, line_id=lid, product_id=p,
                  performance_id=pf, beneficiary_contact_id=ben, amount=amt, scanned_at=scan,
                  last_status=sts[-1][0], last_status_at=sts[-1][1])
             for o, oid, lid, p, pf, ben, amt, scan, sts in LINES])
    seq = iter(range(1, 1000))
    _create(con, statuses_table(), [(o, lid, st, at, next(seq))
                                    for o, _, lid, *_, sts in LINES for st, at in sts])
    window = Window(D).as_row()
    ctx = ibis.table(CONTEXT_SCHEMA, name="_ind_ctx")
    _create(con, ctx, [("ORG", "INST", "S2025", "S2024", date(1997, 1, 1), *window.values())])

    # the facts as of D, step by step as the storage layer materialises them
    steps = compile_sql("duckdb", ("abonne",), False)
    for table, sql in steps.facts:
        con.raw_sql(f"CREATE TABLE {table} AS {sql}")
    con.raw_sql(f"CREATE TABLE {LINES_TABLE} AS {steps.lines}")
    return con


def members(rules, **kwargs) -> set[str]:
    definition = rules if not isinstance(rules, list) else parse_definition({"rules": rules})
    expr = compile_segment(definition, scope=kwargs.pop("scope", SCOPE), **kwargs)
    df = world().execute(expr)
    assert set(df["institution_id"]) <= {"INST"}
    assert df["contact_id"].is_unique
    return set(df["contact_id"])


def one(rule: dict) -> set[str]:
    return members([rule])


CASES = [
    # contact fields (text compares case-insensitively; an unknown value matches nothing)
    ({"field": "postal_code", "starts_with": "75"}, {"C1", "C4", "C6", "C7"}),
    ({"field": "city", "is": "paris"}, {"C1", "C4", "C6", "C7", "C8"}),
    ({"field": "city", "in": ["Lyon", "Boulogne"]}, {"C3", "C5"}),
    ({"field": "country", "is": "FR"}, {"C1", "C3", "C4", "C5", "C7", "C8"}),
    ({"field": "language", "is": "EN"}, {"C5"}),
    ({"field": "kind", "is": "structure"}, {"C3", "C7"}),
    ({"field": "structure_type", "starts_with": "éc"}, {"C3"}),
    ({"field": "email", "known": True}, {"C1", "C3", "C5", "C7"}),
    ({"field": "email", "unknown": True}, {"C2", "C4", "C6", "C8"}),
    ({"field": "parent_contact_id", "is": "C3"}, {"C4", "C5"}),
    ({"field": "parent_contact_id", "known": True}, {"C4", "C5", "C8"}),
    ({"field": "child_count", "gte": 2}, {"C3"}),
    ({"field": "child_count", "is": 0}, {"C1", "C2", "C4", "C5", "C6", "C8"}),
    ({"field": "age", "gte": 18}, {"C1", "C4", "C6", "C8"}),  # C4 is 18 on D, C5 tomorrow
    ({"field": "age", "lt": 18}, {"C5"}),
    ({"field": "age", "between": [25, 26]}, {"C8"}),  # born 29 February 2000
    ({"field": "age", "known": False}, {"C2", "C3", "C7"}),
    ({"field": "birth_date", "lt": "1960-01-01"}, {"C6"}),
    ({"field": "created_at", "last": "1 month"}, {"C3", "C4"}),  # C5 is created after D
    ({"field": "created_at", "is": "2026-01-15"}, {"C4"}),
    # consent: three states partition the contacts
    ({"consent": "email"}, {"C1", "C5", "C7"}),
    ({"consent": "email", "state": "opt_out"}, {"C3"}),
    ({"consent": "email", "state": "unknown"}, {"C2", "C4", "C6", "C8"}),
    ({"consent": "post", "state": "opt_out"}, {"C4"}),
    # indicators of ORG (a contact without a row has level 0; other organisations ignored)
    ({"indicator": "abonne", "level": "Oui"}, {"C1", "C4"}),
    ({"indicator": "abonne", "level": False}, {"C2", "C3", "C5", "C6", "C7", "C8"}),
    ({"indicator": "assiduite", "level": {"gte": "Régulier"}}, {"C1", "C4", "C5"}),
    ({"indicator": "assiduite", "level": {"in": [0, 1]}}, {"C2", "C3", "C6", "C7", "C8"}),
    ({"indicator": "pmg", "value": {"gt": 100}}, {"C1", "C4"}),
    ({"indicator": "recence", "value": {"last": "3 months"}}, {"C1", "C5"}),
    ({"indicator": "recence", "value": {"known": False}}, {"C2", "C6", "C7", "C8"}),
    ({"indicator": "jeune", "value": True}, {"C4", "C5"}),
    # custom attributes, read as a type; what does not read is unknown
    ({"attribute": "points", "gte": 3}, {"C1", "C4"}),
    ({"attribute": "points", "type": "number", "lt": 0}, {"C6"}),
    ({"attribute": "points", "type": "number", "known": False}, UNIVERSE - {"C1", "C4", "C6"}),
    ({"attribute": "points", "type": "text", "known": True}, {"C1", "C3", "C4", "C6"}),
    ({"attribute": "vip", "is": True}, {"C1"}),
    ({"attribute": "vip", "type": "boolean", "known": False}, UNIVERSE - {"C1", "C5"}),
    ({"attribute": "since", "type": "date", "lt": "2020-01-01"}, {"C4"}),
    ({"attribute": "since", "type": "date", "known": True}, {"C1", "C4"}),
    ({"attribute": "n° carte", "starts_with": "a-"}, {"C1"}),
    # behaviour: countable lines as of D, holder by default
    ({"behaviour": "bought"}, {"C1", "C4", "C5", "C3", "C8"}),
    ({"behaviour": "bought", "genre": "opéra", "season": "current", "lines": {"gte": 1}},
     {"C1", "C4", "C5", "C8", "C3"}),
    ({"behaviour": "bought", "genre": "Opéra", "season": "current", "lines": {"gte": 2}}, set()),
    ({"behaviour": "bought", "season": "previous"}, set()),  # L3 was refunded
    ({"behaviour": "bought", "family": "SUBSCRIPTION"}, {"C5"}),
    ({"behaviour": "bought", "product": ["P_KIDS"]}, {"C3"}),  # reserved as of D
    ({"behaviour": "bought", "performance": "PF2"}, {"C4"}),  # L6 (after D) does not exist
    ({"behaviour": "bought", "role": "buyer", "lines": {"gte": 2}}, {"C1", "C3", "C5"}),
    ({"behaviour": "bought", "role": "payer"}, {"C1", "C3", "C7"}),
    ({"behaviour": "bought", "orders": {"gte": 1}}, {"C1", "C3", "C5"}),
    ({"behaviour": "bought", "amount": {"gte": 100}}, {"C1", "C5"}),  # L9 not paid as of D
    ({"behaviour": "bought", "amount": {"lt": 50}}, UNIVERSE - {"C1", "C5"}),
    ({"behaviour": "bought", "lines": {"lte": 1}}, UNIVERSE - {"C5"}),
    ({"behaviour": "bought", "order_date": {"last": "30 days"}}, {"C5"}),
    ({"behaviour": "bought", "performance_date": {"next": "2 months"}}, {"C4", "C5"}),
    ({"behaviour": "bought", "first_purchase": {"lt": "2025-10-01"}}, {"C1", "C4"}),
    ({"behaviour": "bought", "last_purchase": {"known": False}}, {"C2", "C6", "C7"}),
    # attended = scanned on or before D; missed = performance on or before D, not scanned
    ({"behaviour": "attended"}, {"C1", "C3", "C8"}),
    ({"behaviour": "attended", "performances": {"gte": 1}, "genre": "Opéra"}, {"C1", "C3", "C8"}),
    ({"behaviour": "missed"}, {"C5"}),
]


@pytest.mark.parametrize("rule, expected", CASES, ids=[str(c[0]) for c in CASES])
def test_membership_of_one_rule_and_of_its_complement(rule, expected):
    assert one(rule) == expected
    assert members([{"none": [rule]}]) == UNIVERSE - expected


def test_segment_reference_inlines_the_other_definition():
    saved = {"parisiens": parse_definition({"rules": [
        {"field": "postal_code", "starts_with": "75"}]})}
    got = members([{"segment": "parisiens"}, {"consent": "email"}],
                  resolve_segment=saved.__getitem__)
    assert got == {"C1", "C7"}


def test_season_current_without_a_current_season_matches_no_one():
    scope = Scope.on("ORG", "INST", date(2030, 1, 1), SEASONS)
    assert scope.current_season_id is None and scope.previous_season_id == "S2025"
    assert members([{"behaviour": "bought", "season": "current"}], scope=scope) == set()


def test_compiling_a_single_node():
    definition = parse_definition({"rules": [
        {"id": "a", "consent": "email"}, {"id": "b", "field": "city", "is": "Paris"}]})
    assert members(definition) == {"C1", "C7"}
    expr = compile_segment(definition, scope=SCOPE, node_id="b")
    assert set(world().execute(expr)["contact_id"]) == {"C1", "C4", "C6", "C7", "C8"}


def test_unknown_segment_at_compile_time():
    with pytest.raises(SpecError) as e:
        members([{"segment": "gone"}])
    assert (e.value.code, e.value.path) == ("unknown_segment", "rules[0].segment")
