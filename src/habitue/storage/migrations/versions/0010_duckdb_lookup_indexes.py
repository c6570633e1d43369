"""DuckDB's indexes of the refresh of a few contacts: a contact's row, an order, the orders of a
buyer or a payer, the lines of an order or of a beneficiary (DuckDB only, decision 0009)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# one column each: DuckDB answers ``column IN (SELECT ...)`` from an index of that one column
INDEXES = (
    ("lx_contacts_id", "contacts", "contact_id"),
    ("lx_orders_id", "orders", "order_id"),
    ("lx_orders_buyer", "orders", "buyer_contact_id"),
    ("lx_orders_payer", "orders", "payer_contact_id"),
    ("lx_order_lines_order", "order_lines", "order_id"),
    ("lx_order_lines_beneficiary", "order_lines", "beneficiary_contact_id"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "duckdb":
        return
    for name, table, column in INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "duckdb":
        return
    for name, _, _ in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
