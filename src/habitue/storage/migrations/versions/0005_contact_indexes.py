"""secondary indexes of the per-contact paths (PostgreSQL only, decision 0002)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_orders_buyer", "orders", ("organisation_id", "buyer_contact_id")),
    ("ix_orders_payer", "orders", ("organisation_id", "payer_contact_id")),
    ("ix_order_lines_order", "order_lines", ("organisation_id", "order_id")),
    ("ix_order_lines_beneficiary", "order_lines", ("organisation_id", "beneficiary_contact_id")),
    ("ix_social_shares_contact", "social_shares", ("organisation_id", "contact_id")),
    ("ix_share_visits_share", "share_visits", ("organisation_id", "share_id")),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
