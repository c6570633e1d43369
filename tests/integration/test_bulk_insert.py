"""A bulk insert that rebuilds the primary key keeps the key, and rolls back whole."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from habitue.storage.bulk import SqlRunner
from habitue.storage.store import native

KEY = ("institution_id", "contact_id")


def _insert(store, ids: list[str], threshold: int = 1) -> None:
    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities, bulk_threshold=threshold)
        values = ", ".join(f"('I', '{i}')" for i in ids)
        runner.bulk_insert("contacts", KEY, len(ids),
                           f"INSERT INTO contacts (institution_id, contact_id) VALUES {values}")


def test_bulk_insert_keeps_the_primary_key(store):
    _insert(store, ["C1", "C2", "C3"])
    with store.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM contacts")).scalar() == 3
        if store.kind == "postgresql":
            pk = sa.inspect(conn).get_pk_constraint("contacts")
            assert pk["constrained_columns"] == list(KEY)


def test_a_failed_bulk_insert_leaves_table_and_key_as_they_were(pg_store):
    # PostgreSQL only: DuckDB tables carry no primary key (decision 0002)
    store = pg_store
    _insert(store, ["C1"])
    with pytest.raises(psycopg.errors.UniqueViolation):
        _insert(store, ["C2", "C1"])  # the key is rebuilt after the insert: duplicate found
    with store.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM contacts")).scalar() == 1
        assert sa.inspect(conn).get_pk_constraint("contacts")["constrained_columns"] == list(KEY)
