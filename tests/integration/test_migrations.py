"""The migrations create exactly the declared schema, on both stores."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from habitue.storage import migrate
from habitue.storage.schema import metadata


def test_migrations_match_the_declared_schema(store):
    assert migrate.current_revision(store) == migrate.head_revision()
    with store.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = [d for d in compare_metadata(ctx, metadata)
                 if not (isinstance(d, tuple) and d[0] == "remove_table"
                         and d[1].name == "alembic_version")]
    assert diffs == []


def test_init_twice_is_harmless(store):
    before, after = migrate.upgrade(store)
    assert before == after == migrate.head_revision()
