"""Events from ticketing systems: ``POST /api/v1/events`` (``docs/events.md``).

One event, or ``{"events": [...]}`` applied in order, all or nothing; the response comes once
the real-time indicators of the contacts concerned are refreshed, and shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from habitue.api.deps import NowDep, PrincipalDep, WorkspaceDep
from habitue.api.errors import ERROR_RESPONSES, ApiError
from habitue.api.schemas import Lang
from habitue.api.schemas_events import (
    BODY_TAGS,
    EVENT_TAGS,
    ContactIndicatorsNow,
    EventBatch,
    EventOutcomePublic,
    EventsBody,
    EventsResult,
    IndicatorNow,
    RecordOutcome,
)
from habitue.domain.access import Principal
from habitue.services.events import (
    Event,
    EventConflict,
    EventReject,
    EventsIngested,
    EventsRejected,
)

_EXAMPLE = {
    "id": "evt-000123", "type": "order", "organisation_id": "THEATRE",
    "occurred_at": "2026-01-15T09:00:00+01:00", "order_id": "O-9001",
    "buyer_contact_id": "C002", "created_at": "2026-01-15T09:00:00+01:00",
    "channel": "INTERNET",
    "lines": [{"line_id": "L-9001", "product_id": "P-CYRANO", "performance_id": "PF-CYR-2",
               "amount": "32.50", "status": "PAID"}],
}


def _clean_loc(error: dict) -> dict:
    """The request field of a validation error, without the union's tags (``body.batch
    .events[0].order.lines[2]`` is ``body.events[0].lines[2]``); an unknown or missing
    ``type`` names that field."""
    loc = list(error.get("loc", ()))
    if len(loc) > 1 and loc[0] == "body" and loc[1] in BODY_TAGS:
        del loc[1]
    if len(loc) > 3 and loc[1] == "events" and isinstance(loc[2], int) and loc[3] in EVENT_TAGS:
        del loc[3]
    if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("type")
        error = {**error, "msg": "type must be one of " + ", ".join(EVENT_TAGS)
                 + (' (or send {"events": [...]})' if len(loc) == 2 else "")}
    return {**error, "loc": tuple(loc)}


class EventsRoute(APIRoute):
    """Validation errors name the fields as the client wrote them (see ``_clean_loc``)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise RequestValidationError([_clean_loc(dict(e)) for e in exc.errors()],
                                             body=exc.body) from exc

        return handle


router = APIRouter(tags=["events"], responses=ERROR_RESPONSES, route_class=EventsRoute)


@router.post("/events", response_model=EventsResult)
def post_events(body: Annotated[EventsBody, Body(openapi_examples={
                    "one order": {"value": _EXAMPLE},
                    "a batch": {"value": {"events": [_EXAMPLE, {
                        "id": "evt-000124", "type": "line_status", "organisation_id":
                        "THEATRE", "occurred_at": "2026-01-16T10:00:00+01:00",
                        "line_id": "L-9001", "status": "REFUNDED"}]}}})],
                ws: WorkspaceDep, principal: PrincipalDep, now: NowDep,
                lang: Lang | None = None) -> EventsResult:
    """Store events of a ticketing system (an order created or changed, a line's status, a
    door scan, a social share, a share visit) with the import's rules, in order, all or
    nothing. Each event's ``id`` makes it idempotent: sent again, it changes nothing and is
    reported as a duplicate. The real-time indicators of the contacts concerned are
    refreshed before the response, which shows them."""
    batch = isinstance(body, EventBatch)
    models = body.events if batch else [body]
    for model in models:
        principal.require_write(model.organisation_id)
    events = [Event(m.id, m.type, m.organisation_id, m.occurred_at,
                    m.model_dump(exclude_unset=True,
                                 exclude={"id", "type", "organisation_id", "occurred_at"}))
              for m in models]
    try:
        result = ws.ingest_events(events, now=now, actor=principal.login)
    except EventConflict as exc:
        raise _error(409, "conflict", exc.rejects, batch) from exc
    except EventsRejected as exc:
        raise _error(422, "rejected", exc.rejects, batch) from exc
    return _public(result, principal, lang or ws.settings.lang)


def _field(reject: EventReject, batch: bool) -> str:
    where = f"events[{reject.index}]" if batch and reject.index is not None else ""
    inner = reject.field or ""
    path = f"{where}.{inner}" if where and inner else where or inner
    return f"body.{path}" if path else "body"


def _error(status: int, code: str, rejects: list[EventReject], batch: bool) -> ApiError:
    """The one error shape: the first problem's field; the message lists every problem."""
    first = rejects[0]
    message = first.reason
    if len(rejects) > 1:
        others = "; ".join(f"{_field(r, batch)}: {r.reason}" for r in rejects[1:10])
        message += f" (and {len(rejects) - 1} more: {others})"
    return ApiError(status, code, message, _field(first, batch))


def _public(result: EventsIngested, principal: Principal, lang: str) -> EventsResult:
    contacts: dict[tuple[str, str], list[IndicatorNow]] = {}
    for i in result.indicators:
        if not principal.sees(i.organisation_id):
            continue
        value = float(i.value) if isinstance(i.value, Decimal) else i.value
        contacts.setdefault((i.organisation_id, i.contact_id), []).append(IndicatorNow(
            indicator=i.indicator, value=value, level=i.level, label=i.label(lang),
            previous_level=i.previous_level))
    return EventsResult(
        run_id=result.run_id,
        events=[EventOutcomePublic(
            id=o.id, type=o.type, organisation_id=o.organisation_id, duplicate=o.duplicate,
            outcome=o.outcome,
            records=[RecordOutcome(entity=e, id=k, outcome=a) for e, k, a in o.records])
            for o in result.events],
        contacts=[ContactIndicatorsNow(organisation_id=org, contact_id=contact,
                                       indicators=rows)
                  for (org, contact), rows in contacts.items()],
    )
