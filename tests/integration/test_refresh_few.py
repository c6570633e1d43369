"""The two ways a per-contact refresh runs (a few contacts from literal rows; more through
temporary tables: ``services.indicators.FEW_PAIRS``) give the batch's values and write the
same level history, on DuckDB and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from habitue.services import indicators
from habitue.services.indicators import codes_for, refresh_touched
from habitue.storage import schema
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import native
from tests.factories.venue import generated_and_computed

D = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, 0)
CODES = codes_for("full")


@pytest.fixture
def computed_store(store, tmp_path):
    return generated_and_computed(store, tmp_path / "venue", contacts=300, seed=5, today=D,
                                  now=NOW)


def _values(store, contacts: list[str]) -> dict:
    t = schema.contact_indicators
    cols = [c for c in t.columns if c.name not in ("as_of", "batch_id")]
    with store.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(t.c.contact_id.in_(contacts))).mappings()
        return {(r["organisation_id"], r["contact_id"]): dict(r) for r in rows}


def _history(store) -> list[tuple]:
    h = schema.indicator_history
    with store.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(
            h.c.organisation_id, h.c.contact_id, h.c.indicator, h.c.old_level, h.c.new_level,
            h.c.as_of, h.c.batch_id).where(h.c.batch_id.is_(None))))


def _refresh(store, contacts: list[str], codes=CODES) -> int:
    ids = ", ".join(f"('default', '{c}')" for c in contacts)
    with store.begin() as conn:
        return refresh_touched(
            SqlRunner(native(conn), store.capabilities), as_of=D, codes=codes,
            touched_sql=f"SELECT * FROM (VALUES {ids}) AS v(institution_id, contact_id)")


@pytest.mark.parametrize("few_pairs", [100, 0], ids=["literal-rows", "temporary-tables"])
def test_both_paths_give_the_batch_values_and_history(computed_store, monkeypatch, few_pairs):
    """Some contacts keep their stored row (nothing changes), some had their levels wiped
    (a change from no level), some lost their row (inserted again)."""
    monkeypatch.setattr(indicators, "FEW_PAIRS", few_pairs)
    store = computed_store
    with store.connect() as conn:
        everyone = sorted(conn.execute(sa.select(schema.contacts.c.contact_id)).scalars())
    picked = random.Random(4).sample(everyone, 30)
    wiped, deleted = picked[:10], picked[10:16]
    expected = _values(store, picked)
    assert len(expected) == 60  # 30 contacts x 2 organisations
    assert any(r["recence_level"] > 0 for r in expected.values())
    assert any(r["pmg_level"] > 0 for r in expected.values())

    t = schema.contact_indicators
    blank = {c.name: None for c in t.columns if c.name not in (
        "organisation_id", "contact_id", "institution_id", "as_of", "batch_id")}
    with store.begin() as conn:
        conn.execute(t.update().where(t.c.contact_id.in_(wiped)).values(**blank))
        conn.execute(t.delete().where(t.c.contact_id.in_(deleted)))
    assert _history(store) == []

    assert _refresh(store, picked) == 60
    assert _values(store, picked) == expected
    changed = sorted(
        (org, contact, code, None, row[f"{code}_level"], D, None)
        for (org, contact), row in expected.items() if contact in wiped + deleted
        for code in CODES if row[f"{code}_level"] != 0)
    assert changed  # the sample exercises the history
    assert _history(store) == changed


def test_a_second_refresh_changes_nothing_and_leaves_no_table(computed_store):
    """A contact refreshed twice (the real-time indicators, one contact: an API event) keeps
    its values, adds no level change, and no temporary table of the refresh is left in the
    caller's connection."""
    store = computed_store
    with store.connect() as conn:
        contact = conn.execute(sa.select(schema.contacts.c.contact_id).order_by(
            schema.contacts.c.contact_id)).scalars().first()
    before = _values(store, [contact])
    assert _refresh(store, [contact], codes_for("realtime")) == 2
    assert _refresh(store, [contact], codes_for("realtime")) == 2
    assert _values(store, [contact]) == before
    assert _history(store) == []

    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        refresh_touched(runner, as_of=D, touched_sql=f"SELECT 'default' AS institution_id, "
                                                    f"'{contact}' AS contact_id")
        if store.kind == "duckdb":
            left = runner.fetchall("SELECT table_name FROM duckdb_tables() "
                                   "WHERE temporary AND table_name LIKE '\\_ind%' ESCAPE '\\'")
        else:
            left = runner.fetchall("SELECT tablename FROM pg_tables WHERE schemaname LIKE "
                                   "'pg\\_temp%' AND tablename LIKE '\\_ind%'")
    assert left == []


def test_an_unknown_contact_or_none_stores_nothing(computed_store):
    store = computed_store
    rows = len(_values(store, ["nobody-here"]))
    assert _refresh(store, ["nobody-here"]) == 2  # a pair per organisation, as before
    assert len(_values(store, ["nobody-here"])) == rows == 0
    assert _history(store) == []
    with store.begin() as conn:
        assert refresh_touched(SqlRunner(native(conn), store.capabilities), as_of=D,
                               touched_sql="SELECT institution_id, contact_id FROM contacts "
                                           "WHERE 1 = 0") == 0
