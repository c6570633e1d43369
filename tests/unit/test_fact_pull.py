"""The pure parts of a PostgreSQL batch run in DuckDB (decision 0006)."""

from __future__ import annotations

from datetime import datetime

from habitue.indicators.compiler import compile_sql
from habitue.indicators.catalogue import INDICATORS
from habitue.storage.fact_pull import _pull_query, _pulled_columns, engine_memory_limit
from habitue.storage.sql_reads import referenced_columns, referenced_tables


def test_the_tables_pulled_are_those_the_compiled_steps_read():
    steps = compile_sql("duckdb", tuple(i.code for i in INDICATORS), False)
    tables = referenced_tables([sql for _, sql in steps.facts] + [steps.values])
    assert {"orders", "order_lines", "order_line_statuses", "contacts", "products",
            "performances", "seasons", "social_shares", "share_visits"} <= tables
    assert not any(t.startswith("_") for t in tables)  # temporary steps are not pulled
    only_social = compile_sql("duckdb", ("engagement_social",), False)
    assert "order_lines" not in referenced_tables([only_social.values])


def test_common_table_expressions_are_not_tables():
    assert referenced_tables(["WITH t1 AS (SELECT * FROM orders) SELECT * FROM t1"]) == {
        "orders"}


def test_only_the_batch_rows_and_the_late_statuses_are_pulled():
    late = datetime(2026, 11, 23)
    lines = _pull_query("order_lines", ["ORG1", "O'2"], ["I1"], late)
    assert "WHERE organisation_id IN ('ORG1', 'O''2')" in lines
    assert "attributes" not in lines  # only the columns the compiler declares
    contacts = _pull_query("contacts", ["ORG1"], ["I1"], late)
    assert "WHERE institution_id IN ('I1')" in contacts
    statuses = _pull_query("order_line_statuses", ["ORG1"], ["I1"], late)
    assert "last_status_at >= TIMESTAMP '2026-11-23 00:00:00'" in statuses


def test_the_engine_gets_two_thirds_of_the_memory_limit():
    assert engine_memory_limit("3GB") == "2000MB"
    assert engine_memory_limit("3 gb") == "2000MB"
    assert engine_memory_limit("4GiB") == "2863MB"
    assert engine_memory_limit("nonsense") == "nonsense"  # DuckDB's own error will say


def test_only_the_columns_the_steps_name_are_pulled():
    steps = compile_sql("duckdb", tuple(i.code for i in INDICATORS), False)
    used = referenced_columns([sql for _, sql in steps.facts] + [steps.values])
    contacts = _pulled_columns("contacts", used)
    assert {"contact_id", "institution_id", "birth_date"} <= set(contacts)
    assert not {"first_name", "last_name", "email", "street"} & set(contacts)
    assert "amount" in _pulled_columns("order_lines", used)


def test_a_star_on_a_stored_table_pulls_every_column():
    every = set(_pulled_columns("contacts", None))
    assert set(_pulled_columns("contacts", referenced_columns(["SELECT * FROM contacts"]))) \
        == every
    assert set(_pulled_columns("contacts", referenced_columns(
        ["SELECT c.* FROM contacts c JOIN orders o ON true"]))) == every
    assert referenced_columns(
        ["WITH x AS (SELECT season_id FROM seasons) SELECT x.*, * FROM x"]) == {
        "seasons": {"season_id"}}
    assert set(_pulled_columns("contacts", referenced_columns(
        ["SELECT count(*) FROM (SELECT contact_id FROM contacts) s"]))) == {"contact_id"}


def test_numbers_are_read_as_text_and_cast_back_exactly():
    lines = _pull_query("order_lines", ["ORG1"], ["I1"], datetime(2026, 11, 23))
    assert "amount::text AS amount" in lines
