"""The refresh of a few contacts on DuckDB looks their facts up by index, by id alone
(decision 0009): the same id in another organisation or institution must not count, the
indexes must follow every write of the importer (rows inserted, indexed columns changed, bulk
loads that drop and build them again), and DuckDB must actually answer the lookups from them.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from habitue.domain.calendar import season_context
from habitue.indicators.facts import (
    BENEFICIARY_TABLE,
    FOUND_CONTACTS_TABLE,
    FOUND_ORDERS_TABLE,
    ORDER_LINES_TABLE,
    Window,
)
from habitue.services.indicators import _sql, codes_for, refresh_touched
from habitue.storage import bulk, schema
from habitue.storage import indicator_store as ist
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import native
from tests.factories.venue import Venue, compute

D = date(2025, 11, 15)
CODES = codes_for("full")


def _venue(moved: bool = False) -> Venue:
    """Contact C of institution I1 (organisations A and A2) and contact C of I2 (B) are two
    people; A2's order O1 and B's order O2 have the ids of A's orders. ``moved``: the same
    venue after an import that moved orders and lines to other contacts."""
    v = Venue("A", institution="I1")
    v.organisation("A2", institution="I1")
    v.organisation("B", institution="I2")
    for org in ("A", "A2", "B"):
        v.seasons(2023, 2025, org=org)
        v.show("P1", at="2025-12-01 20:00", org=org)
        v.show("P2", at="2024-12-01 20:00", org=org)
        v.product("SUB", family="SUBSCRIPTION", season="S2025", org=org)
        v.product("KID", audience="CHILD", org=org)
    v.contacts("C", "X", "Y", institution="I1")
    v.contacts("C", "X", "Y", institution="I2")
    # A: C buys O1 (two seats, one a subscription); X buys O2, C holds its seat
    v.order("O1", buyer="X" if moved else "C", at="2025-10-01 12:00", org="A")
    v.line("L1", order="O1", performance="P1")
    v.line("L2", order="O1", product="SUB", amount="120.00")
    v.order("O2", buyer="X", at="2024-11-01 12:00", org="A")
    v.line("L3", order="O2", performance="P2", beneficiary="C")
    # A2: O1 again, Y's
    v.order("O1", buyer="Y", at="2025-10-02 12:00", org="A2")
    v.line("L1", order="O1", performance="P1", amount="55.00")
    v.line("L4", order="O1", product="KID")
    # B: O2 again, bought by I2's C and paid by X; Y's O3 holds a seat for C
    v.order("O2", buyer="C", payer="X", at="2025-09-20 12:00", org="B")
    v.line("L3", order="O2", performance="P1", amount="80.00")
    v.order("O3", buyer="Y", at="2024-10-10 12:00", org="B")
    v.line("L5", order="O3", performance="P2", beneficiary="X" if moved else "C")
    v.line("L6", order="O3", product="KID", status="RESERVED")
    return v


def _stored(store) -> dict:
    t = schema.contact_indicators
    cols = [c for c in t.columns if c.name not in ("as_of", "batch_id")]
    with store.connect() as conn:
        return {(r["organisation_id"], r["contact_id"]): dict(r)
                for r in conn.execute(sa.select(*cols)).mappings()}


def _refresh_everyone(store) -> int:
    """Every contact refreshed at once (a few pairs: literal rows, and on DuckDB lookups)."""
    with store.begin() as conn:
        return refresh_touched(SqlRunner(native(conn), store.capabilities), as_of=D,
                               codes=CODES,
                               touched_sql="SELECT institution_id, contact_id FROM contacts")


def _lookup_indexes(store) -> set[str]:
    with store.connect() as conn:
        return {r[0] for r in conn.execute(sa.text(
            "SELECT index_name FROM duckdb_indexes() WHERE schema_name = 'main'"))}


def _check_refresh_gives_the_batch(store) -> dict:
    batch = _stored(store)
    with store.begin() as conn:
        conn.execute(schema.contact_indicators.delete())
    assert _refresh_everyone(store) == 3 * 2 + 3  # I1: 3 contacts x 2 orgs; I2: 3 x 1
    assert _stored(store) == batch
    return batch


@pytest.mark.parametrize("bulk_rows", [1, 10**9], ids=["bulk-writes", "row-writes"])
def test_ids_shared_across_organisations_and_institutions(store, tmp_path, monkeypatch,
                                                          bulk_rows):
    """Every write a bulk write (PostgreSQL then rebuilds its keys and indexes) or none: a
    refresh of everyone from nothing gives the batch's values, before and after an import
    that moved indexed columns (the indexes followed)."""
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    _venue().load(store, tmp_path, name="first")
    compute(store, D, default_org="A")
    batch = _check_refresh_gives_the_batch(store)
    # the same ids, different people: what the batch says of each
    assert batch[("A", "C")]["abonne"] is True
    assert batch[("B", "C")]["abonne"] is False
    assert batch[("A", "C")]["recence"] == date(2025, 12, 1)  # O1's P1
    assert batch[("B", "C")]["recence"] == date(2025, 12, 1)  # O2 of B, P1
    assert batch[("A2", "C")]["recence"] is None  # A2's O1 is Y's
    assert batch[("B", "C")]["anciennete"] == date(2024, 10, 10)  # a seat of Y's O3
    assert batch[("A", "C")]["produit_enfant"] is False  # A2's KID line is Y's
    assert batch[("B", "X")]["anciennete"] == date(2025, 9, 20)  # X pays B's O2

    _venue(moved=True).load(store, tmp_path, name="moved")
    if store.kind == "duckdb":
        assert _lookup_indexes(store) >= {ix.name for ix in schema.LOOKUP_INDEXES}
    compute(store, D, default_org="A")
    moved = _check_refresh_gives_the_batch(store)
    assert moved[("A", "C")]["abonne"] is False  # O1 is X's now
    assert moved[("A", "X")]["abonne"] is True
    assert moved[("B", "C")]["anciennete"] == date(2025, 9, 20)  # L5 is X's seat now
    assert moved[("B", "X")]["anciennete"] == date(2024, 10, 10)


def _scans(profile: dict) -> list[tuple[str, str]]:
    """(table, scan type) of every table scan of a DuckDB JSON profile."""
    out = []

    def walk(node: dict) -> None:
        info = node.get("extra_info") or {}
        if isinstance(info, dict) and "Table" in info:
            out.append((info["Table"].rsplit(".", 1)[-1], info.get("Type", "")))
        for child in node.get("children", []):
            walk(child)

    walk(profile)
    return out


def test_duckdb_answers_the_lookups_from_its_indexes(duckdb_store, tmp_path, monkeypatch):
    """The premise of decision 0009, checked on the DuckDB the code runs with, after a bulk
    load: each lookup step reads its base table by index scan, not by scanning it."""
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    store = duckdb_store
    _venue().load(store, tmp_path)
    steps = dict(_sql("duckdb", codes_for("realtime"), True, True).facts)
    lookups = {FOUND_CONTACTS_TABLE: "contacts", BENEFICIARY_TABLE: "order_lines",
               FOUND_ORDERS_TABLE: "orders", ORDER_LINES_TABLE: "order_lines"}
    profile = tmp_path / "profile.json"
    with store.begin() as conn:
        db = native(conn)
        db.execute("CREATE TEMP TABLE _ind_touched AS "
                   "SELECT 'A' AS organisation_id, 'C' AS contact_id")
        seasons = ist.load_seasons(SqlRunner(db, store.capabilities))
        context = ist.context_rows([(season_context("A", seasons, D), "I1")],
                                   Window(D).as_row())
        db.execute("CREATE TEMP TABLE _ind_ctx AS "
                   + ist.rows_sql(ist.CONTEXT_COLUMNS, context))
        scans = {}
        for name, sql in steps.items():
            if name in lookups:
                db.execute("PRAGMA enable_profiling = 'json'")
                db.execute(f"PRAGMA profiling_output = '{profile}'")
            db.execute(f"CREATE TEMP TABLE {name} AS {sql}")
            if name in lookups:
                db.execute("PRAGMA disable_profiling")
                scans[name] = _scans(json.loads(profile.read_text()))
        found = {name: db.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                 for name in lookups}
    # by id alone, a superset: C of I1 and of I2; the seats of C in A (L3) and in B (L5);
    # A's O1 and B's O2 (buyer C), then A's O2 and B's O2 again (the id of the order of L3);
    # the lines of every O1 and O2: A's L1, L2, L3, A2's L1, L4, B's L3
    assert found == {FOUND_CONTACTS_TABLE: 2, BENEFICIARY_TABLE: 2, FOUND_ORDERS_TABLE: 4,
                     ORDER_LINES_TABLE: 6}
    for name, table in lookups.items():
        base = [kind for scanned, kind in scans[name] if scanned == table]
        assert base and all(kind == "Index Scan" for kind in base), (name, scans[name])

