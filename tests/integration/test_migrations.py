"""The migrations create exactly the declared schema, on both stores."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from habitue.storage import migrate
from habitue.storage.schema import LOOKUP_INDEXES, SECONDARY_INDEXES, metadata

# the indexes each store has: PostgreSQL its secondary indexes (decision 0002), DuckDB the
# single-column ones of the refresh of a few contacts (decision 0009)
OWN_INDEXES = {"postgresql": SECONDARY_INDEXES, "duckdb": LOOKUP_INDEXES}


def test_migrations_match_the_declared_schema(store):
    assert migrate.current_revision(store) == migrate.head_revision()
    with store.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = [d for d in compare_metadata(ctx, metadata)
                 if not (isinstance(d, tuple) and d[0] == "remove_table"
                         and d[1].name == "alembic_version")
                 and not _other_stores_index(store.kind, d)]
    assert diffs == []


def _other_stores_index(kind: str, diff) -> bool:
    """An index declared for the other store only, missing here as it should be."""
    theirs = {ix.name for k, indexes in OWN_INDEXES.items() if k != kind for ix in indexes}
    return isinstance(diff, tuple) and diff[0] == "add_index" and diff[1].name in theirs


def _index_names(store) -> set[str]:
    with store.connect() as conn:
        if store.kind == "duckdb":
            return {r[0] for r in conn.execute(sa.text(
                "SELECT index_name FROM duckdb_indexes() WHERE schema_name = 'main'"))}
        return {r[0] for r in conn.execute(sa.text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))}


def test_each_store_has_its_own_secondary_indexes(store):
    declared = {ix.name for indexes in OWN_INDEXES.values() for ix in indexes}
    assert _index_names(store) & declared == {ix.name for ix in OWN_INDEXES[store.kind]}


def test_init_twice_is_harmless(store):
    before, after = migrate.upgrade(store)
    assert before == after == migrate.head_revision()
