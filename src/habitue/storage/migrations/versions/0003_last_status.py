"""order lines keep their latest status (the last row of their history)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("order_lines", sa.Column("last_status", sa.Text(), nullable=True))
    op.add_column("order_lines", sa.Column("last_status_at", sa.DateTime(), nullable=True))
    op.execute(
        """UPDATE order_lines SET last_status = x.status, last_status_at = x.status_at
        FROM (SELECT organisation_id, line_id, status, status_at FROM (
                SELECT organisation_id, line_id, status, status_at, row_number() OVER (
                    PARTITION BY organisation_id, line_id
                    ORDER BY status_at DESC, seq DESC) AS rn
                FROM order_line_statuses) r WHERE rn = 1) x
        WHERE order_lines.organisation_id = x.organisation_id
          AND order_lines.line_id = x.line_id"""
    )


def downgrade() -> None:
    op.drop_column("order_lines", "last_status_at")
    op.drop_column("order_lines", "last_status")
