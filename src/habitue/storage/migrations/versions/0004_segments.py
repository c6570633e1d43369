"""saved segments, their size history, marketing lists and their members

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "saved_segments",
        sa.Column("segment_key", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("segment_key"),
    )
    op.create_table(
        "segment_sizes",
        sa.Column("segment_key", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("segment_key", "batch_id"),
    )
    op.create_table(
        "marketing_lists",
        sa.Column("list_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Text(), nullable=False),
        sa.Column("institution_id", sa.Text(), nullable=False),
        sa.Column("segment_key", sa.Text(), nullable=True),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("segments", JSON, nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column("member_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("list_id"),
    )
    op.create_table(
        "marketing_list_members",
        sa.Column("list_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contact_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("list_id", "contact_id"),
    )


def downgrade() -> None:
    op.drop_table("marketing_list_members")
    op.drop_table("marketing_lists")
    op.drop_table("segment_sizes")
    op.drop_table("saved_segments")
