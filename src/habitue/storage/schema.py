"""The schema, declared once for DuckDB and PostgreSQL (SQLAlchemy Core).

Entity tables are derived from the open format's descriptions (``domain.format``) so that a
column of the format cannot be forgotten here. Date-times are stored as the organisation's local
wall-clock time (``TIMESTAMP WITHOUT TIME ZONE``): every indicator rule compares calendar days in
that zone, so the conversion is done once, at import.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import PrimaryKeyConstraint

from habitue.domain.format import ENTITIES, Entity, FieldType
from habitue.indicators.catalogue import INDICATORS, ValueType
from habitue.indicators.compiler import POPULATION_CODES

metadata = sa.MetaData()


@compiles(PrimaryKeyConstraint, "duckdb")
def _no_primary_key_on_duckdb(element, compiler, **kw):
    """DuckDB maintains a primary key as an ART index, which makes bulk inserts ~20× slower
    (10M order lines: 67 s with the key, 3 s without). On DuckDB the keys are kept by the
    importer's merge (the only writer, which matches rows on their ids) instead of the engine;
    PostgreSQL keeps its primary keys. See docs/decisions/0002-duckdb-without-primary-keys.md."""
    return None


JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Money = sa.Numeric(14, 2)

_SQL_TYPES: dict[FieldType, sa.types.TypeEngine] = {
    FieldType.ID: sa.Text(),
    FieldType.TEXT: sa.Text(),
    FieldType.ENUM: sa.Text(),
    FieldType.TIMEZONE: sa.Text(),
    FieldType.CURRENCY: sa.Text(),
    FieldType.COUNTRY: sa.Text(),
    FieldType.DATE: sa.Date(),
    FieldType.DATETIME: sa.DateTime(timezone=False),
    FieldType.DECIMAL: Money,
    FieldType.BOOLEAN: sa.Boolean(),
    FieldType.INTEGER: sa.Integer(),
}


def sql_type(ftype: FieldType) -> sa.types.TypeEngine:
    return _SQL_TYPES[ftype]


def stored_fields(entity: Entity) -> list[str]:
    """Columns of the entity's own table (history fields live in their own table)."""
    return [f.name for f in entity.fields if f.name not in entity.history_fields]


institutions = sa.Table(
    "institutions",
    metadata,
    sa.Column("institution_id", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text()),
)


# Columns an entity's table keeps beside the format's fields, derived from other rows by the
# importer. A line's latest status (by status_at, then seq) is its history's last row: the
# indicators read it instead of ranking the whole history whenever it is older than D.
# ``last_status_at`` is NULL when that status is dated at the order's creation (a line
# imported on one row without status_at; its history row holds the order's created_at).
# A contact's ``search_text`` is its names and email folded (no accents, no capitals:
# ``text_folding.search_text_sql``), what the contact search looks words up in.
DERIVED_COLUMNS: dict[str, tuple[tuple[str, sa.types.TypeEngine], ...]] = {
    "order_lines": (("last_status", sa.Text()),
                    ("last_status_at", sa.DateTime(timezone=False))),
    "contacts": (("search_text", sa.Text()),),
}


def _entity_table(entity: Entity) -> sa.Table:
    columns = [
        sa.Column(
            f.name,
            sql_type(f.type),
            nullable=not (f.name in entity.key or f.required),
        )
        for f in entity.fields
        if f.name not in entity.history_fields
    ]
    columns += [sa.Column(name, type_, nullable=True) for name, type_ in
                DERIVED_COLUMNS.get(entity.name, ())]
    columns.append(sa.Column("attributes", JSONType, nullable=True))
    columns.append(sa.Column("import_run_id", sa.Integer(), nullable=True))
    return sa.Table(entity.name, metadata, *columns, sa.PrimaryKeyConstraint(*entity.key))


ENTITY_TABLES: dict[str, sa.Table] = {e.name: _entity_table(e) for e in ENTITIES}
organisations = ENTITY_TABLES["organisations"]
seasons = ENTITY_TABLES["seasons"]
contacts = ENTITY_TABLES["contacts"]
products = ENTITY_TABLES["products"]
performances = ENTITY_TABLES["performances"]
orders = ENTITY_TABLES["orders"]
order_lines = ENTITY_TABLES["order_lines"]
social_shares = ENTITY_TABLES["social_shares"]
share_visits = ENTITY_TABLES["share_visits"]

# Secondary indexes of the per-contact paths (a contact's orders, their lines, a contact's
# shares and their visits: the real-time refresh, explain, the contact card). PostgreSQL only:
# DuckDB's planner uses an index only for ``column IN (SELECT ...)`` on one column, so DuckDB
# has single-column indexes of its own, read by lookup steps (``LOOKUP_INDEXES``, decision
# 0009).
SECONDARY_INDEXES: tuple[sa.Index, ...] = (
    sa.Index("ix_orders_buyer", orders.c.organisation_id, orders.c.buyer_contact_id),
    sa.Index("ix_orders_payer", orders.c.organisation_id, orders.c.payer_contact_id),
    sa.Index("ix_order_lines_order", order_lines.c.organisation_id, order_lines.c.order_id),
    sa.Index("ix_order_lines_beneficiary", order_lines.c.organisation_id,
             order_lines.c.beneficiary_contact_id),
    sa.Index("ix_social_shares_contact", social_shares.c.organisation_id,
             social_shares.c.contact_id),
    sa.Index("ix_share_visits_share", share_visits.c.organisation_id, share_visits.c.share_id),
)

# DuckDB's indexes of the refresh of a few contacts (decision 0009, migration 0010): one column
# each, the only form its planner answers from an index (``col IN (SELECT ...)``). DuckDB keeps
# them up to date through every write; the importer never sets an indexed column to the value
# it has (``Merge._update``). DuckDB only: PostgreSQL has ``SECONDARY_INDEXES``.
LOOKUP_INDEXES: tuple[sa.Index, ...] = (
    sa.Index("lx_contacts_id", contacts.c.contact_id),
    sa.Index("lx_orders_id", orders.c.order_id),
    sa.Index("lx_orders_buyer", orders.c.buyer_contact_id),
    sa.Index("lx_orders_payer", orders.c.payer_contact_id),
    sa.Index("lx_order_lines_order", order_lines.c.order_id),
    sa.Index("lx_order_lines_beneficiary", order_lines.c.beneficiary_contact_id),
)


def lookup_indexes(table: str) -> list[sa.Index]:
    return [ix for ix in LOOKUP_INDEXES if ix.table.name == table]


# Every status a line went through. ``seq`` orders rows that share a status_at: the one
# imported last wins (run id, then the row's position in its file).
order_line_statuses = sa.Table(
    "order_line_statuses",
    metadata,
    sa.Column("organisation_id", sa.Text(), primary_key=True),
    sa.Column("line_id", sa.Text(), primary_key=True),
    sa.Column("status", sa.Text(), primary_key=True),
    sa.Column("status_at", sa.DateTime(timezone=False), primary_key=True),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("import_run_id", sa.Integer(), nullable=True),
)

import_runs = sa.Table(
    "import_runs",
    metadata,
    sa.Column("run_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=False)),
    sa.Column("status", sa.Text(), nullable=False),  # running | succeeded | partial | failed
    sa.Column("summary", JSONType),
    sa.Column("rejects_path", sa.Text()),
    sa.Column("error", sa.Text()),
)

import_rejects = sa.Table(
    "import_rejects",
    metadata,
    sa.Column("run_id", sa.Integer(), nullable=False, index=True),
    sa.Column("file", sa.Text(), nullable=False),
    sa.Column("line", sa.BigInteger()),
    sa.Column("column_name", sa.Text()),
    sa.Column("value", sa.Text()),
    sa.Column("reason", sa.Text(), nullable=False),
)

# Indicators: settings per institution, current values, level history, computation batches.
indicator_settings = sa.Table(
    "indicator_settings",
    metadata,
    sa.Column("institution_id", sa.Text(), primary_key=True),
    sa.Column("indicator", sa.Text(), primary_key=True),
    sa.Column("enabled", sa.Boolean(), nullable=False),
)

indicator_batches = sa.Table(
    "indicator_batches",
    metadata,
    sa.Column("batch_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("cadence", sa.Text(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=False)),
    sa.Column("thresholds", JSONType),
)

# Current values, one row per (organisation, contact), one value and one level column per
# indicator (``assiduite``, ``assiduite_level``…): segments filter this table directly and a
# real-time refresh rewrites one row.
_VALUE_TYPES: dict[ValueType, sa.types.TypeEngine] = {
    ValueType.INTEGER: sa.Integer(),
    ValueType.BOOLEAN: sa.Boolean(),
    ValueType.DECIMAL: Money,
    ValueType.DATE: sa.Date(),
}
POPULATION_COLUMNS = {code: f"{code}_population" for code in POPULATION_CODES}
contact_indicators = sa.Table(
    "contact_indicators",
    metadata,
    sa.Column("organisation_id", sa.Text(), primary_key=True),
    sa.Column("contact_id", sa.Text(), primary_key=True),
    sa.Column("institution_id", sa.Text(), nullable=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("batch_id", sa.Integer()),
    *[
        col
        for ind in INDICATORS
        for col in (
            sa.Column(ind.code, _VALUE_TYPES[ind.value_type]),
            sa.Column(f"{ind.code}_level", sa.SmallInteger()),
        )
    ],
    # the PMG population the contact was ranked in: collectivite | abonne | autre
    *[sa.Column(name, sa.Text()) for name in POPULATION_COLUMNS.values()],
)

indicator_history = sa.Table(
    "indicator_history",
    metadata,
    sa.Column("organisation_id", sa.Text(), nullable=False),
    sa.Column("contact_id", sa.Text(), nullable=False),
    sa.Column("indicator", sa.Text(), nullable=False),
    sa.Column("old_level", sa.SmallInteger()),
    sa.Column("new_level", sa.SmallInteger(), nullable=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("batch_id", sa.Integer()),
)

# PostgreSQL only too (migration 0008): a contact's family links and its level changes (the
# contact card's links and timeline).
SECONDARY_INDEXES += (
    sa.Index("ix_contacts_parent", contacts.c.institution_id, contacts.c.parent_contact_id),
    sa.Index("ix_indicator_history_contact", indicator_history.c.organisation_id,
             indicator_history.c.contact_id),
)

# The contact search (storage.contact_queries), PostgreSQL only (migrations 0009 and 0011):
# the words are looked for in ``contacts.search_text`` through a trigram index (extension
# pg_trgm; skipped, and the search then scans, where it cannot be created), and the id
# through its own index.
SECONDARY_INDEXES += (
    sa.Index("ix_contacts_id", contacts.c.contact_id),
    sa.Index("ix_contacts_search", contacts.c.search_text, postgresql_using="gin",
             postgresql_ops={"search_text": "gin_trgm_ops"}),
)

# A cadence refresh that fired (``cadence:organisation:date``): with several server processes,
# the first to claim it runs it, the others skip it.
scheduled_runs = sa.Table(
    "scheduled_runs",
    metadata,
    sa.Column("run_key", sa.Text(), primary_key=True),
    sa.Column("claimed_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=False)),
    sa.Column("batch_id", sa.Integer()),
)

# Segments and marketing lists (declared on the same metadata).
import habitue.storage.segment_schema  # noqa: F401

# Accounts, API tokens, the audit log (declared on the same metadata).
import habitue.storage.account_schema  # noqa: F401

# The log of the events received by the API (declared on the same metadata).
import habitue.storage.event_schema  # noqa: F401
