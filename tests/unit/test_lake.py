"""What a lake holds (found in the compiled SQL), its manifests, and the Spark SQL written for
it: pure functions, no engine (tests/integration/test_spark.py runs them on Spark)."""

from __future__ import annotations

import pytest

from habitue.indicators.catalogue import INDICATORS
from habitue.indicators.compiler import compile_sql
from habitue.storage import lake
from habitue.storage.spark import _literal, _spark_sql


def test_referenced_columns_follow_aliases_and_skip_temporary_tables_and_ctes():
    sql = """WITH w AS (SELECT t0.contact_id FROM contacts AS t0)
             SELECT t1.order_id, w.contact_id, c.as_of FROM orders AS t1
             JOIN w ON t1.buyer_contact_id = w.contact_id
             JOIN _ind_ctx AS c ON c.organisation_id = t1.organisation_id"""
    assert lake.referenced_columns([sql]) == {
        "contacts": {"contact_id"},
        "orders": {"order_id", "buyer_contact_id", "organisation_id"}}


def test_a_star_or_an_unqualified_column_of_a_base_table_counts():
    assert lake.referenced_columns(["SELECT * FROM seasons"])["seasons"] == set(
        lake.table_schema("seasons").names)
    assert lake.referenced_columns(["SELECT contact_id FROM contacts WHERE kind = 'X'"]) == {
        "contacts": {"contact_id", "kind"}}


def test_the_lake_holds_no_personal_data_of_contacts():
    steps = compile_sql("duckdb", tuple(i.code for i in INDICATORS), False)
    columns = lake.lake_columns([*(sql for _, sql in steps.facts), steps.values])
    assert columns["contacts"].names == ("contact_id", "institution_id", "kind", "birth_date")
    assert columns["organisations"].names == ("organisation_id", "institution_id")
    assert columns["indicator_settings"].names == ("institution_id", "indicator", "enabled")
    assert "seq" in columns["order_line_statuses"].names  # the order of a line's history


def test_manifests_read_back_what_they_wrote_and_refuse_another_version():
    manifest = lake.LakeManifest(
        exported_at="2026-11-22T12:00:00", store_kind="duckdb", schema_revision="0009",
        organisations=[{"organisation_id": "A", "institution_id": "I"}],
        tables={"seasons": lake.LakeTable(dict(lake.table_schema("seasons").items()),
                                          "organisation_id", 3)})
    assert lake.LakeManifest.from_json(manifest.to_json()) == manifest
    results = lake.ResultsManifest("2026-11-22", "2026-11-22T13:00:00", "pyspark 4.0.5",
                                   manifest.exported_at,
                                   (lake.ResultGroup("values-0", ("pmg",), ("A",), 10),))
    assert lake.ResultsManifest.from_json(results.to_json()) == results
    with pytest.raises(lake.LakeError, match="version 2"):
        lake.LakeManifest.from_json(manifest.to_json().replace('"version": 1', '"version": 2'))
    with pytest.raises(lake.LakeError, match="habitue-lake"):
        lake.LakeManifest.from_json(results.to_json())


def test_spark_literals_and_statements_escape_quotes_and_backslashes():
    assert _literal("l'a\\b") == "'l\\'a\\\\b'"
    assert _spark_sql("SELECT 1 FROM t WHERE x = 'l''autre'") == (
        "SELECT 1 FROM t WHERE x = 'l\\'autre'")
