"""Events from ticketing systems (``POST /api/v1/events``): orders created or changed, line
status changes, door scans, social shares and share visits.

Each event becomes records of the open format (``importers.records``), stored with the
importer's rules; the events of one call are applied in order, all or nothing, and the
real-time indicators of the contacts they touched are refreshed in the same transaction
(``services.records.ingest_records``). Each event is logged by its id
(``ingested_events``): an event received again changes nothing and is reported as a
duplicate; an id received again with other content is a conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from habitue.domain.format import ENTITY_BY_NAME
from habitue.importers.reading import normalise_header
from habitue.importers.records import (
    Record,
    RecordReject,
    RecordsRejected,
    RecordsWriter,
    json_value,
)
from habitue.services.audit import record_in
from habitue.services.records import (
    RealtimeIndicator,
    RecordsIngested,
    ingest_records,
)
from habitue.storage import event_log
from habitue.storage.store import Store

__all__ = [
    "EVENT_TYPES",
    "Event",
    "EventConflict",
    "EventOutcome",
    "EventReject",
    "EventsIngested",
    "EventsRejected",
    "RealtimeIndicator",
    "RecordsIngested",
    "ingest_events",
    "ingest_records",
]

# type -> (entity, id column, the date field that defaults to ``occurred_at``)
EVENT_TYPES: dict[str, tuple[str, str, str | None]] = {
    "order": ("orders", "order_id", None),
    "line_status": ("order_lines", "line_id", "status_at"),
    "door_scan": ("order_lines", "line_id", "scanned_at"),
    "social_share": ("social_shares", "share_id", "shared_at"),
    "share_visit": ("share_visits", "visit_id", "visited_at"),
}
UPDATE_ONLY = ("line_status", "door_scan")  # of a line already stored (or earlier in the call)


@dataclass(frozen=True)
class Event:
    """One event: its sender's ``id`` (unique within the organisation), ``type`` (one of
    ``EVENT_TYPES``), ``organisation_id``, ``occurred_at`` and its ``data``: the open
    format's fields of the entity, as given (JSON values); an order's ``lines``; custom
    ``attributes`` (of the order, of each line…). A field left out keeps the stored value."""

    id: str
    type: str
    organisation_id: str
    occurred_at: datetime
    data: Mapping[str, Any]

    def digest(self) -> str:
        body = {"type": self.type, "organisation_id": self.organisation_id,
                "occurred_at": self.occurred_at.isoformat(), "data": self.data}
        text = json.dumps(body, sort_keys=True, default=json_value, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class EventOutcome:
    id: str
    type: str
    organisation_id: str
    duplicate: bool  # received before: nothing done
    outcome: str  # inserted | updated | unchanged (a duplicate: unchanged)
    records: list[tuple[str, str, str]] = field(default_factory=list)
    """(entity, id, inserted | updated | unchanged) of each record the event wrote."""


@dataclass(frozen=True)
class EventsIngested:
    events: list[EventOutcome]
    run_id: int | None  # None: every event was a duplicate
    touched: list[tuple[str, str]]
    indicators: list[RealtimeIndicator]


@dataclass(frozen=True)
class EventReject:
    index: int | None  # the event's position in the call (None: the call as a whole)
    field: str | None  # inside the event: ``lines[2].status``, ``occurred_at``…
    value: str | None
    reason: str


class EventsRejected(Exception):
    """Some events cannot be stored: none was."""

    def __init__(self, rejects: list[EventReject]) -> None:
        super().__init__(rejects[0].reason)
        self.rejects = rejects


class EventConflict(EventsRejected):
    """An event id already received with other content: none was stored."""


@dataclass
class _Plan:
    """The records of the new events, and where each record's fields come from."""

    records: list[Record] = field(default_factory=list)
    origin: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    """Per record: (event index, path prefix in the event, record key -> field of the
    event)."""
    rejects: list[EventReject] = field(default_factory=list)

    def add(self, i: int, record: Record, prefix: str, paths: dict[str, str]) -> None:
        self.records.append(record)
        self.origin.append((i, prefix, paths))

    def rejects_of(self, rejects: Sequence[RecordReject]) -> list[EventReject]:
        """The records' rejects as the events' (a reference to another record of the same
        event, rejected, says nothing more and is left out)."""
        out = []
        for reject in rejects:
            if reject.index is None:
                out.append(EventReject(None, None, reject.value, reject.reason))
                continue
            i, prefix, paths = self.origin[reject.index]
            reason = reject.reason
            if reject.cause is not None:
                cause = self.origin[reject.cause][0]
                if cause == i:
                    continue
                reason = reason[:reason.rindex(" (")] + f" (event {cause} was rejected)"
            path = prefix.rstrip(".") or None if reject.field is None else \
                paths.get(reject.field, f"{prefix}{reject.field}")
            out.append(EventReject(i, path, reject.value, reason))
        return out


def _fields(i: int, data: Mapping[str, Any], prefix: str, plan: _Plan,
            entity: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The record's values (fields, then custom attributes as extra keys, as columns of a
    file) and the event field each comes from."""
    values = {k: v for k, v in data.items() if k not in ("attributes", "lines")}
    paths = {k: f"{prefix}{k}" for k in values}
    fields = ENTITY_BY_NAME[entity].field_names
    for key, value in (data.get("attributes") or {}).items():
        path = f"{prefix}attributes.{key}"
        norm = normalise_header(str(key))
        if not norm or "\x00" in key or len(key) > 200:
            plan.rejects.append(EventReject(i, path, key[:200], (
                "a custom attribute needs a name of at most 200 characters, without "
                "U+0000")))
            continue
        if norm in fields or norm in {normalise_header(k) for k in values}:
            plan.rejects.append(EventReject(i, path, str(key), (
                f"custom attribute {key!r} would be read as the column {norm!r}: "
                "choose another name")))
            continue
        values[key] = value
        paths[key] = path
    return values, paths


def _records_of(i: int, event: Event, plan: _Plan) -> None:
    entity, _, dated = EVENT_TYPES[event.type]
    values, paths = _fields(i, event.data, "", plan, entity)
    values["organisation_id"] = event.organisation_id
    paths["organisation_id"] = "organisation_id"
    if dated and event.data.get(dated) is None:
        values[dated] = json_value(event.occurred_at)
        paths[dated] = "occurred_at"
    plan.add(i, Record(entity, values, must_exist=event.type in UPDATE_ONLY), "", paths)
    for j, line in enumerate(event.data.get("lines") or []):
        prefix = f"lines[{j}]."
        values, paths = _fields(i, line, prefix, plan, "order_lines")
        values.update(organisation_id=event.organisation_id,
                      order_id=event.data.get("order_id"))
        paths.update(organisation_id="organisation_id", order_id="order_id")
        plan.add(i, Record("order_lines", values), prefix, paths)


def _local(moment: datetime, timezone: str | None) -> datetime:
    """``occurred_at`` as the organisation's wall-clock time (as the store keeps dates)."""
    if moment.tzinfo is None or timezone is None:
        return moment.replace(tzinfo=None)
    try:
        return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    except OverflowError:  # at the ends of the calendar: as written
        return moment.replace(tzinfo=None)


def ingest_events(store: Store, events: Sequence[Event], *, now: datetime,
                  actor: str | None = None, memory_limit: str = "3GB") -> EventsIngested:
    """Apply ``events`` in order, all or nothing, and refresh the real-time indicators of the
    contacts they touched before returning them.

    Raises :class:`EventsRejected` (a record of an event is rejected by the importer's rules)
    or :class:`EventConflict` (an id already received with other content); nothing is stored
    then."""
    digests = [e.digest() for e in events]
    outcomes: list[EventOutcome | None] = [None] * len(events)
    plan = _Plan()
    new: list[int] = []

    def after_store(writer: RecordsWriter, actions: list[str]) -> None:
        _log(writer, events, digests, new, plan, actions, outcomes, now, actor)

    def prepare(writer: RecordsWriter) -> list[Record]:
        logged = event_log.find_events(writer.conn, ((e.organisation_id, e.id) for e in events))
        seen: dict[tuple[str, str], int] = {}
        conflicts = []
        for i, e in enumerate(events):
            key = (e.organisation_id, e.id)
            earlier = logged.get(key)
            first = seen.setdefault(key, i)
            digest = earlier["digest"] if earlier else digests[first]
            if digest != digests[i]:
                conflicts.append(EventReject(i, "id", e.id, (
                    f"event {e.id!r} of organisation {e.organisation_id!r} was already "
                    "received with other content (an event id names one event)")))
            elif earlier or first != i:
                outcomes[i] = EventOutcome(e.id, e.type, e.organisation_id, True, "unchanged")
        if conflicts:
            raise EventConflict(conflicts)
        for i, e in enumerate(events):
            if outcomes[i] is None:
                new.append(i)
                _records_of(i, e, plan)
        if plan.rejects:
            raise EventsRejected(plan.rejects)
        return plan.records

    try:
        result = ingest_records(store, prepare, now=now, memory_limit=memory_limit,
                                source=f"api: events by {actor or 'unknown'}",
                                after_store=after_store)
    except RecordsRejected as exc:
        raise EventsRejected(plan.rejects_of(exc.rejects)) from exc
    return EventsIngested([o for o in outcomes if o is not None],
                          result.run_id if new else None, result.touched, result.indicators)


def _log(writer: RecordsWriter, events: Sequence[Event], digests: list[str], new: list[int],
         plan: _Plan, actions: list[str], outcomes: list, now: datetime,
         actor: str | None) -> None:
    """The outcome of each new event from its records', and its row in the event log."""
    per_event: dict[int, list[tuple[str, str, str]]] = {i: [] for i in new}
    for (i, _, _), record, action in zip(plan.origin, plan.records, actions, strict=True):
        _, id_column, _ = EVENT_TYPES.get(events[i].type)
        column = "line_id" if record.entity == "order_lines" else id_column
        per_event[i].append((record.entity, str(record.values.get(column)), action))
    zones = event_log.organisation_timezones(writer.conn)
    rows = []
    for i in new:
        e, recs = events[i], per_event[i]
        main = recs[0][2]
        outcome = main if main == "inserted" else (
            "updated" if any(a != "unchanged" for _, _, a in recs) else "unchanged")
        outcomes[i] = EventOutcome(e.id, e.type, e.organisation_id, False, outcome, recs)
        rows.append({"organisation_id": e.organisation_id, "event_id": e.id, "type": e.type,
                     "occurred_at": _local(e.occurred_at, zones.get(e.organisation_id)),
                     "received_at": now, "digest": digests[i],
                     "import_run_id": writer.run_id, "outcome": outcome})
    event_log.log_events(writer.conn, rows)
    if actor and rows:
        orgs = sorted({r["organisation_id"] for r in rows})
        record_in(writer.conn, actor, "event.ingest", target=f"import run {writer.run_id}",
                  organisation=orgs[0] if len(orgs) == 1 else None,
                  detail={"events": len(rows), "organisations": orgs}, now=now)
