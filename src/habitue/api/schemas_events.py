"""API schemas of the events endpoint (``POST /api/v1/events``): the five event types, a batch
of them, and what the response says (``docs/events.md``).

Pydantic checks the shape (the fields each type needs, their JSON types); the content (dates,
enumerations, amounts, references) is checked by the importer's rules, with the same messages
as an import (``docs/import-format.md``). Field names are the open format's.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
)

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold U+0000
Id = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Str = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]
Text = Annotated[str | None, Field(max_length=2000, pattern=NO_NUL)]


def _cell(value: Any) -> Any:
    """A JSON value as a cell of a file holds it: text, a finite number, a boolean, null."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value
    if isinstance(value, str):
        if "\x00" in value or len(value) > 2000:
            raise ValueError("must be a text of at most 2000 characters, without U+0000")
        return value
    raise ValueError("must be a string, a number, a boolean or null")


def _amount(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        raise ValueError("must be a number or a string such as \"12,50\"")
    return _cell(value)


_TEXT_SCHEMA = {"type": "string", "maxLength": 2000, "pattern": NO_NUL}
Cell = Annotated[Any, AfterValidator(_cell), WithJsonSchema({"anyOf": [
    _TEXT_SCHEMA, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]})]
Amount = Annotated[Any, AfterValidator(_amount), WithJsonSchema({"anyOf": [
    {**_TEXT_SCHEMA, "maxLength": 40}, {"type": "number"}]})]
DateTimeText = Annotated[str | None, Field(max_length=64, pattern=NO_NUL, description=(
    "A date-time as the import format reads it: ISO 8601 with or without an offset "
    "(2026-03-14T20:30:00+01:00, 2026-03-14 20:30) or day-first (14/03/2026 20:30); "
    "without an offset, the organisation's time zone applies."))]
Attributes = Annotated[dict[str, Cell] | None, Field(
    max_length=100, description=(
        "Custom attributes (kept as the row's attributes; a null removes one). A name "
        "must not be read as a field of the format."))]
OutcomeName = Literal["inserted", "updated", "unchanged"]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Id = Field(description="The sender's id of the event, unique within the "
                               "organisation: an event sent again is recognised by it.")
    organisation_id: Id
    occurred_at: datetime = Field(description=(
        "When it happened (ISO 8601; without an offset, the organisation's local time). "
        "The default of the event's own date field (status_at, scanned_at, shared_at, "
        "visited_at)."))


class LineIn(BaseModel):
    """A line of an order (a seat or an item): the fields of ``order_lines``."""

    model_config = ConfigDict(extra="forbid")
    line_id: Id
    product_id: Id
    performance_id: Text = None
    beneficiary_contact_id: Text = None
    amount: Amount = Field(description="Price paid: 12.50 or \"12,50\", 0 or more.")
    status: Str = Field(max_length=40, description="RESERVED, PAID, CANCELLED or REFUNDED.")
    status_at: DateTimeText = Field(None, description=(
        "When the line reached its status; default: the order's created_at."))
    scanned_at: DateTimeText = None
    attributes: Attributes = None


class OrderEvent(_Event):
    """An order created or changed, with its lines (a line left out is kept as stored)."""

    type: Literal["order"]
    order_id: Id
    buyer_contact_id: Id
    payer_contact_id: Text = None
    created_at: Annotated[str, Field(max_length=64, pattern=NO_NUL)]
    channel: Str = Field(max_length=40, description="INTERNET, B2B or OTHERS.")
    origin: Text = None
    lines: list[LineIn] = Field(default_factory=list, max_length=1000)
    attributes: Attributes = None


class LineStatusEvent(_Event):
    """A line of a stored order (or of an earlier event of the call) reached a status."""

    type: Literal["line_status"]
    line_id: Id
    status: Str = Field(max_length=40, description="RESERVED, PAID, CANCELLED or REFUNDED.")
    status_at: DateTimeText = Field(None, description="Default: occurred_at.")


class DoorScanEvent(_Event):
    """The ticket of a stored line was scanned at the door."""

    type: Literal["door_scan"]
    line_id: Id
    scanned_at: DateTimeText = Field(None, description="Default: occurred_at.")


class SocialShareEvent(_Event):
    """A contact shared a link (to a show, an order) on a social network."""

    type: Literal["social_share"]
    share_id: Id
    contact_id: Id
    order_id: Text = None
    network: Text = None
    shared_at: DateTimeText = Field(None, description="Default: occurred_at.")
    attributes: Attributes = None


class ShareVisitEvent(_Event):
    """A visit brought by a shared link."""

    type: Literal["share_visit"]
    visit_id: Id
    share_id: Id
    visited_at: DateTimeText = Field(None, description="Default: occurred_at.")
    attributes: Attributes = None


EVENT_MODELS = (OrderEvent, LineStatusEvent, DoorScanEvent, SocialShareEvent, ShareVisitEvent)
EventIn = Annotated[OrderEvent | LineStatusEvent | DoorScanEvent | SocialShareEvent
                    | ShareVisitEvent, Field(discriminator="type")]
EVENT_TAGS = ("order", "line_status", "door_scan", "social_share", "share_visit")


class EventBatch(BaseModel):
    """Events applied in their order, all or nothing."""

    model_config = ConfigDict(extra="forbid")
    events: list[EventIn] = Field(min_length=1, max_length=1000)


def _body_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "batch" if "events" in value else value.get("type")
    return None


EventsBody = Annotated[
    Annotated[EventBatch, Tag("batch")]
    | Annotated[OrderEvent, Tag("order")]
    | Annotated[LineStatusEvent, Tag("line_status")]
    | Annotated[DoorScanEvent, Tag("door_scan")]
    | Annotated[SocialShareEvent, Tag("social_share")]
    | Annotated[ShareVisitEvent, Tag("share_visit")],
    Discriminator(_body_kind),
]
"""One event, or ``{"events": [...]}``."""

BODY_TAGS = ("batch", *EVENT_TAGS)


class RecordOutcome(BaseModel):
    entity: str = Field(description="orders, order_lines, social_shares or share_visits.")
    id: str
    outcome: OutcomeName


class EventOutcomePublic(BaseModel):
    id: str
    type: str
    organisation_id: str
    duplicate: bool = Field(description="Received before: nothing was done.")
    outcome: OutcomeName = Field(description=(
        "inserted: the event's main row is new; updated: a row changed or a status was "
        "added; unchanged: everything was already so (always for a duplicate)."))
    records: list[RecordOutcome]


class IndicatorNow(BaseModel):
    indicator: str
    value: bool | int | float | date | None
    level: int
    label: str
    previous_level: int | None = Field(description="The level before this call.")


class ContactIndicatorsNow(BaseModel):
    organisation_id: str
    contact_id: str
    indicators: list[IndicatorNow]


class EventsResult(BaseModel):
    """What the call stored, and the real-time indicators of the contacts concerned, refreshed
    before the response."""

    run_id: int | None = Field(description="The import run that stored the events (null: "
                                           "every event was a duplicate).")
    events: list[EventOutcomePublic]
    contacts: list[ContactIndicatorsNow] = Field(description=(
        "Per contact whose facts changed and organisation the caller sees: its real-time "
        "indicators after the refresh."))
