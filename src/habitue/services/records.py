"""Storing records given in memory, then refreshing the real-time indicators of the contacts
they touched, in one transaction (the API's events and contact writes).

The records obey the importer's rules (``importers.records``); the refresh is the import's
(``services.indicators.refresh_touched``), so that the values are those a full computation
gives. The caller reads the refreshed values in the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from habitue.importers.records import Record, RecordsWriter, records_transaction
from habitue.indicators.catalogue import INDICATOR_BY_CODE, ValueType
from habitue.services.indicators import (
    REALTIME_CODES,
    bulk_institutions,
    compute_indicators,
    refresh_touched,
)
from habitue.storage import event_log
from habitue.storage import indicator_store as ist
from habitue.storage.store import Store


@dataclass(frozen=True)
class RealtimeIndicator:
    """A real-time indicator of a touched contact after the refresh (the attributes of
    ``workspace.IndicatorRow``, and the level before)."""

    organisation_id: str
    contact_id: str
    indicator: str
    value: object
    level: int
    previous_level: int | None

    def label(self, lang: str) -> str:
        return INDICATOR_BY_CODE[self.indicator].level(self.level).label(lang)


@dataclass(frozen=True)
class RecordsIngested:
    run_id: int | None  # the import run recorded (None: nothing was written)
    actions: list[str]  # per record: inserted | updated | unchanged
    touched: list[tuple[str, str]]  # (institution_id, contact_id) whose facts changed
    indicators: list[RealtimeIndicator]  # theirs, in every organisation of their institution
    bulk: bool = False  # too many contacts for a per-contact refresh: refreshed as a batch


# The records, or a function returning them that reads the store inside the transaction
# first (the events check their log there).
Records = Sequence[Record] | Callable[[RecordsWriter], Sequence[Record]]
# Called inside the transaction once the records are stored and before the refresh, with
# the writer and the actions (the events log their ids there).
AfterStore = Callable[[RecordsWriter, list[str]], None]


def ingest_records(store: Store, records: Records, *, now: datetime,
                   source: str = "api", memory_limit: str = "3GB",
                   after_store: AfterStore | None = None) -> RecordsIngested:
    """Store ``records`` with the importer's rules, all or nothing, and refresh the real-time
    indicators (as of ``now``) of the contacts they touched, in the same transaction.

    Raises ``importers.records.RecordsRejected`` (nothing stored) when a record is rejected;
    an exception raised by ``records`` (a function) or ``after_store`` rolls back as well.
    With no record to store, nothing is written (``run_id`` None).
    """
    bulk: list[str] = []
    with records_transaction(store, now=now, source=source,
                             memory_limit=memory_limit) as writer:
        if callable(records):
            records = records(writer)
        actions = writer.apply(records) if records else []
        if after_store is not None:
            after_store(writer, actions)
        touched = writer.touched()
        bulk = bulk_institutions(writer.runner, writer.touched_sql)
        indicators = [] if bulk else refresh_and_read(writer, now=now)
        run_id = writer.run_id if records else None
    if bulk:  # as an import does: every contact of these institutions, as a batch
        orgs = [o for o, inst in _organisations(store) if inst in bulk]
        compute_indicators(store, as_of=now.date(), organisations=orgs, cadence="realtime",
                           now=now, memory_limit=memory_limit)
    return RecordsIngested(run_id, actions, touched, indicators, bulk=bool(bulk))


def refresh_and_read(writer: RecordsWriter, *, now: datetime) -> list[RealtimeIndicator]:
    """Refresh the real-time indicators of the contacts touched so far and read them back,
    with their levels before."""
    runner = writer.runner
    before = {(r[0], r[1]): r[3:] for r in
              event_log.read_indicators(runner, writer.touched_sql, REALTIME_CODES)}
    refresh_touched(runner, as_of=now.date(), touched_sql=writer.touched_sql)
    enabled: dict[str, set[str]] = {}
    out = []
    for row in event_log.read_indicators(runner, writer.touched_sql, REALTIME_CODES):
        org, contact, inst, values = row[0], row[1], row[2], row[3:]
        if inst not in enabled:
            enabled[inst] = set(ist.enabled_codes(runner, inst))
        old = before.get((org, contact))
        for i, code in enumerate(REALTIME_CODES):
            value, level = values[2 * i], values[2 * i + 1]
            if code not in enabled[inst] or level is None:
                continue
            out.append(RealtimeIndicator(
                org, contact, code, _typed(code, value), int(level),
                None if old is None or old[2 * i + 1] is None else int(old[2 * i + 1])))
    return out


def _typed(code: str, value: object) -> object:
    if value is not None and INDICATOR_BY_CODE[code].value_type is ValueType.INTEGER:
        return int(value)
    return value


def _organisations(store: Store) -> list[tuple[str, str]]:
    with store.connect() as conn:
        return event_log.organisation_institutions(conn)
