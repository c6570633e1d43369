"""Alembic environment: runs on the connection handed over by ``habitue.storage.migrate``."""

from alembic import context

from habitue.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
