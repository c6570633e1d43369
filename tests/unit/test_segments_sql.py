"""Golden SQL: a few representative segment trees compiled for DuckDB and PostgreSQL.

A change of the compiler (or of Ibis / sqlglot) that changes the SQL shows here as a diff to
review. To accept new SQL, run this file with ``HABITUE_UPDATE_GOLDEN=1``.
The DuckDB text also runs on the small in-memory world of ``test_segments_engine``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from habitue.domain.calendar import Season
from habitue.segments import Scope, load_definition, segment_sql, uses_facts

GOLDEN = Path(__file__).parent / "golden" / "segments"
SCOPE = Scope.on("ORG", "INST", date(2026, 1, 15),
                 [Season("ORG", "S2024", date(2024, 9, 1), date(2025, 8, 31)),
                  Season("ORG", "S2025", date(2025, 9, 1), date(2026, 8, 31))])
SAVED = {"parisiens": load_definition("rules: [{field: postal_code, starts_with: '75'}]")}

TREES = {
    # « Abonné : Oui, et a acheté au moins 2 billets d'opéra en 2025/2026 »
    "issue_example": """
        rules:
          - {indicator: abonne, level: Oui}
          - {behaviour: bought, family: TICKET, genre: Opéra, season: S2025, lines: {gte: 2}}
    """,
    # the benchmark's tree: two indicator levels, a consent, a behaviour window, a postal
    # prefix, a nested any
    "benchmark_six": """
        rules:
          - {indicator: assiduite, level: {gte: 2}}
          - {indicator: pmg, level: {in: [2, 3]}}
          - {consent: email}
          - {behaviour: bought, order_date: {last: 12 months}}
          - {field: postal_code, starts_with: "75"}
          - any:
              - {field: age, lt: 30}
              - {indicator: abonne, level: 1}
    """,
    "fields_and_attributes": """
        rules:
          - {field: kind, in: [INDIVIDUAL]}
          - {field: created_at, last: 2 years}
          - {field: child_count, is: 0}
          - any:
              - {attribute: points, gte: 10}
              - {attribute: since, type: date, lt: 2020-01-01}
              - {attribute: vip, is: true}
          - none: [{field: city, in: [Paris, Lyon]}, {consent: sms, state: opt_out}]
    """,
    "references_and_behaviours": """
        rules:
          - {segment: parisiens}
          - {behaviour: bought, amount: {gte: 100}, season: current}
          - none:
              - {behaviour: attended, genre: [Opéra, Danse], performance_date: {last: 6 months}}
              - {behaviour: missed, role: buyer}
          - {behaviour: bought, last_purchase: {lt: 2025-01-01}, role: payer}
    """,
}
DIALECTS = ("duckdb", "postgresql")


def _sql(name: str, dialect: str) -> str:
    return segment_sql(load_definition(TREES[name]), dialect, scope=SCOPE,
                       resolve_segment=SAVED.__getitem__) + "\n"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", TREES)
def test_golden_sql(name, dialect):
    path = GOLDEN / f"{name}.{dialect}.sql"
    sql = _sql(name, dialect)
    if os.environ.get("HABITUE_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    assert path.exists(), f"no golden file {path.name}: run with HABITUE_UPDATE_GOLDEN=1"
    assert sql == path.read_text(), f"{path.name} changed: review, then update the golden file"


@pytest.mark.parametrize("name", TREES)
def test_golden_duckdb_sql_runs(name):
    from tests.unit.test_segments_engine import world
    rows = world().con.execute((GOLDEN / f"{name}.duckdb.sql").read_text()).fetchall()
    assert all(inst == "INST" for inst, _ in rows)


def test_sql_reads_the_facts_only_for_behaviours():
    assert uses_facts(load_definition(TREES["issue_example"]))
    assert not uses_facts(load_definition("rules: [{segment: parisiens}]"),
                          SAVED.__getitem__)
    assert "_ind_lines" not in _sql("fields_and_attributes", "duckdb")
    assert "contact_indicators" not in _sql("fields_and_attributes", "duckdb")


def test_one_join_per_distinct_behaviour():
    d = load_definition("""
        rules:
          - {behaviour: bought, genre: Opéra, lines: {gte: 2}}
          - any: [{behaviour: bought, genre: Opéra}, {behaviour: bought, genre: Opéra,
                                                      lines: {lte: 5}}]
          - {behaviour: bought, genre: Opéra, amount: {gte: 10}}
    """)
    sql = segment_sql(d, "duckdb", scope=SCOPE)
    assert "_j1_v" in sql and "_j2_v" in sql and "_j3_v" not in sql
