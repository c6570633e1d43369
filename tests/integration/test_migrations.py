"""The migrations create exactly the declared schema, on both stores."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from habitue.storage import migrate
from habitue.storage.schema import SECONDARY_INDEXES, metadata


def test_migrations_match_the_declared_schema(store):
    assert migrate.current_revision(store) == migrate.head_revision()
    with store.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = [d for d in compare_metadata(ctx, metadata)
                 if not (isinstance(d, tuple) and d[0] == "remove_table"
                         and d[1].name == "alembic_version")
                 and not (store.kind == "duckdb" and _secondary_index_added(d))]
    assert diffs == []


def _secondary_index_added(diff) -> bool:
    """Secondary indexes exist on PostgreSQL only (decision 0002)."""
    return (isinstance(diff, tuple) and diff[0] == "add_index"
            and diff[1].name in {ix.name for ix in SECONDARY_INDEXES})


def test_secondary_indexes_exist_on_postgresql_only(store):
    with store.connect() as conn:
        found = {ix["name"] for t in {ix.table.name for ix in SECONDARY_INDEXES}
                 for ix in sa.inspect(conn).get_indexes(t)}
    expected = {ix.name for ix in SECONDARY_INDEXES} if store.kind == "postgresql" else set()
    assert found & {ix.name for ix in SECONDARY_INDEXES} == expected


def test_init_twice_is_harmless(store):
    before, after = migrate.upgrade(store)
    assert before == after == migrate.head_revision()
