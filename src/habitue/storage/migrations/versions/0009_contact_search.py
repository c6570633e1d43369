"""indexes of the contact search: the id, and a trigram index of the names and email
(PostgreSQL only; the trigram index needs the pg_trgm extension and is skipped where it cannot
be created, the search then scanning the contacts)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEARCH_TEXT = ("lower(coalesce(last_name, '') || ' ' || coalesce(first_name, '') || ' ' || "
               "coalesce(structure_name, '') || ' ' || coalesce(email, ''))")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.create_index("ix_contacts_id", "contacts", ["contact_id"])
    try:
        with bind.begin_nested():  # a savepoint: a refused extension leaves the rest intact
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        logging.getLogger("habitue").warning(
            "pg_trgm cannot be created (%s): the contact search will scan the contacts",
            exc.orig)
        return
    bind.execute(sa.text(f"CREATE INDEX ix_contacts_search ON contacts USING gin "
                         f"({SEARCH_TEXT} gin_trgm_ops)"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_contacts_search")
    op.drop_index("ix_contacts_id", table_name="contacts")
