"""Saved segments, their size history and marketing lists, declared on the schema's
``metadata`` (``storage/schema.py`` imports this module at its end; migration 0004 creates the
tables).

A saved segment is dynamic: its definition (``SegmentDefinition.to_dict()``) is evaluated when
used. A marketing list is static: the members of a segment on one date, frozen, with the
definition they came from.
"""

from __future__ import annotations

import sqlalchemy as sa

from habitue.storage.schema import JSONType, metadata

saved_segments = sa.Table(
    "saved_segments",
    metadata,
    sa.Column("segment_key", sa.Text(), primary_key=True),
    sa.Column("organisation_id", sa.Text(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("definition", JSONType, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("created_by", sa.Text()),
    sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("updated_by", sa.Text()),
)

# The size of each saved segment at the end of each indicator batch.
segment_sizes = sa.Table(
    "segment_sizes",
    metadata,
    sa.Column("segment_key", sa.Text(), primary_key=True),
    sa.Column("batch_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
)

# ``definition``: the segment's definition when it was frozen; ``segments``: the definitions
# of the saved segments it used, by key (so the list says exactly what it was made of).
marketing_lists = sa.Table(
    "marketing_lists",
    metadata,
    sa.Column("list_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("organisation_id", sa.Text(), nullable=False),
    sa.Column("institution_id", sa.Text(), nullable=False),
    sa.Column("segment_key", sa.Text()),
    sa.Column("definition", JSONType, nullable=False),
    sa.Column("segments", JSONType),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("created_by", sa.Text()),
    sa.Column("member_count", sa.BigInteger(), nullable=False),
)

marketing_list_members = sa.Table(
    "marketing_list_members",
    metadata,
    sa.Column("list_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("contact_id", sa.Text(), primary_key=True),
)
