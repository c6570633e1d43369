"""The log of the events received by the API (``POST /api/v1/events``), declared on the
schema's ``metadata`` (``storage/schema.py`` imports this module at its end; migration 0007
creates the table).

One row per event applied, keyed by the sender's own event id within the organisation: an
event received again is recognised (``digest``: the same content) and changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from habitue.storage.schema import metadata

# ``occurred_at``: when the event happened, in the organisation's local wall-clock time (as
# every date-time of the store); ``received_at``: when it was applied (the server's clock).
# ``import_run_id``: the run that applied it (``import_runs``, source ``api: events …``).
# ``outcome``: inserted | updated | unchanged, what applying it did.
ingested_events = sa.Table(
    "ingested_events",
    metadata,
    sa.Column("organisation_id", sa.Text(), primary_key=True),
    sa.Column("event_id", sa.Text(), primary_key=True),
    sa.Column("type", sa.Text(), nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("digest", sa.Text(), nullable=False),
    sa.Column("import_run_id", sa.Integer(), nullable=False),
    sa.Column("outcome", sa.Text(), nullable=False),
)
