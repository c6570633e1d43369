"""The contact card of the web interface: the contact (``services.contacts``: identity,
consents, family links), its indicators in each organisation the principal sees (the
"Résumé"), and its timeline — orders, tickets, status changes, door scans, shares and
indicator level changes — newest first, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from habitue.domain.access import Principal
from habitue.indicators.catalogue import INDICATORS, ValueType
from habitue.services.contacts import ContactCard
from habitue.storage import card_queries as cq

if TYPE_CHECKING:
    from habitue.services.workspace import IndicatorRow, Workspace

COUNTABLE = ("PAID", "RESERVED")


@dataclass(frozen=True)
class CardView:
    card: ContactCard
    indicators: dict[str, list[IndicatorRow]]
    """By organisation (those of the contact's institution the principal sees, in order)."""
    organisation_names: dict[str, str]

    @property
    def institution_id(self) -> str:
        return self.card.contact["institution_id"]

    @property
    def contact_id(self) -> str:
        return self.card.contact["contact_id"]


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str
    """``order``, ``ticket`` (a line held in someone else's order), ``status`` (a line's
    status changed), ``scan``, ``share`` or ``level`` (the levels one computation changed,
    in ``data["changes"]``)."""
    organisation_id: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Timeline:
    events: list[TimelineEvent]
    page: int
    size: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.size < self.total


def card_view(ws: Workspace, principal: Principal, contact_id: str,
              institution: str | None = None) -> CardView:
    """The card of a contact the principal sees (``ContactNotFound`` otherwise)."""
    card = ws.contacts.card(principal, contact_id, institution)
    orgs = card.organisations
    with ws.store.connect() as conn:
        values = cq.indicator_values(conn, orgs, contact_id) if orgs else []
        disabled = cq.disabled_indicators(conn).get(card.contact["institution_id"], set())
    by_org: dict[str, list] = {o: [] for o in orgs}
    for row in values:
        by_org[row["organisation_id"]] = indicator_rows_of(row, disabled)
    names = {o["organisation_id"]: o["name"] for o in ws.organisations()
             if o["organisation_id"] in by_org}
    return CardView(card, by_org, names)


def indicator_rows_of(row: dict, disabled: set[str]) -> list[IndicatorRow]:
    """The ``IndicatorRow`` of one stored row, as ``Workspace.indicator_rows`` gives them:
    disabled indicators left out, one not computed yet at its default and level 0."""
    from habitue.services.workspace import IndicatorRow

    out = []
    for ind in INDICATORS:
        if ind.code in disabled:
            continue
        level = row[f"{ind.code}_level"]
        value = row[ind.code]
        if level is None:
            value = ind.default
        elif value is not None and ind.value_type is ValueType.INTEGER:
            value = int(value)
        out.append(IndicatorRow(row["organisation_id"], row["contact_id"], ind.code, value,
                                level or 0))
    return out


def contact_timeline(ws: Workspace, organisations: list[str], contact_id: str, *,
                     page: int = 1, size: int = 25) -> Timeline:
    """The page ``page`` of the contact's timeline in ``organisations`` (those of its
    institution the principal sees: take them from :func:`card_view`)."""
    page, size = max(1, page), max(1, min(size, 100))
    orgs = organisations
    with ws.store.connect() as conn:
        bought = cq.contact_orders(conn, orgs, contact_id)
        mine = {(o["organisation_id"], o["order_id"]) for o in bought}
        lines = [ln for ln in cq.lines_of_orders(conn, orgs, sorted({k[1] for k in mine}))
                 if (ln["organisation_id"], ln["order_id"]) in mine]
        seen = {(ln["organisation_id"], ln["line_id"]) for ln in lines}
        lines += [ln for ln in cq.lines_held(conn, orgs, contact_id)
                  if (ln["organisation_id"], ln["line_id"]) not in seen]
        others = {(ln["organisation_id"], ln["order_id"]) for ln in lines} - mine
        orders_of = {(o["organisation_id"], o["order_id"]): o for o in bought}
        orders_of.update({(o["organisation_id"], o["order_id"]): o for o in cq.orders_by_id(
            conn, orgs, sorted({k[1] for k in others}))})
        prods, perfs = cq.catalogue_names(
            conn, orgs, sorted({ln["product_id"] for ln in lines if ln["product_id"]}),
            sorted({ln["performance_id"] for ln in lines if ln["performance_id"]}))
        # only a line whose latest status is dated after its order's creation has a history
        statuses = cq.line_statuses(conn, orgs, sorted(
            {ln["line_id"] for ln in lines if ln.get("last_status_at") is not None}))
        shares = cq.contact_shares(conn, orgs, contact_id)
        changes = cq.level_changes(conn, orgs, contact_id)
    for ln in lines:
        org = ln["organisation_id"]
        order = orders_of.get((org, ln["order_id"]), {})
        name, family = prods.get((org, ln["product_id"]), (None, None))
        perf, starts = perfs.get((org, ln["performance_id"]), (None, None))
        ln.update(product_name=name, family=family, performance_name=perf, starts_at=starts,
                  order_created_at=order.get("created_at"),
                  buyer_contact_id=order.get("buyer_contact_id"))
    events = build_events(contact_id, bought, lines, statuses, shares, changes)
    start = (page - 1) * size
    return Timeline(events[start:start + size], page, size, len(events))


def build_events(contact_id: str, bought: list[dict], lines: list[dict],
                 statuses: list[dict], shares: list[dict],
                 changes: list[dict]) -> list[TimelineEvent]:
    """The timeline's events, newest first (pure: the rows of ``storage.card_queries``)."""
    history: dict[tuple[str, str], list[dict]] = {}
    for s in statuses:
        history.setdefault((s["organisation_id"], s["line_id"]), []).append(s)
    mine = {(o["organisation_id"], o["order_id"]) for o in bought}
    by_order: dict[tuple[str, str], list[dict]] = {}
    events: list[TimelineEvent] = []
    for ln in lines:
        key = (ln["organisation_id"], ln["line_id"])
        rows = history.get(key, [])
        ln = {**ln, "status": rows[-1]["status"] if rows else ln.get("last_status"),
              "holder": ln.get("beneficiary_contact_id") or ln.get("buyer_contact_id")}
        order_key = (ln["organisation_id"], ln["order_id"])
        if order_key in mine:
            by_order.setdefault(order_key, []).append(ln)
        else:  # a ticket held in an order someone else bought
            events.append(TimelineEvent(ln["order_created_at"], "ticket",
                                        ln["organisation_id"], ln))
        for prev, row in pairwise(rows):  # the changes after the first status
            if row["status"] != prev["status"]:
                events.append(TimelineEvent(row["status_at"], "status", ln["organisation_id"],
                                            {**ln, "old": prev["status"],
                                             "new": row["status"]}))
        if ln.get("scanned_at") and ln["holder"] == contact_id:
            events.append(TimelineEvent(ln["scanned_at"], "scan", ln["organisation_id"], ln))
    for o in bought:
        own = sorted(by_order.get((o["organisation_id"], o["order_id"]), []),
                     key=lambda x: x["line_id"])
        total = sum((Decimal(x["amount"] or 0) for x in own if x["status"] in COUNTABLE),
                    Decimal(0))
        role = "buyer" if o["buyer_contact_id"] == contact_id else "payer"
        events.append(TimelineEvent(o["created_at"], "order", o["organisation_id"],
                                    {**o, "lines": own, "total": total, "role": role}))
    for s in shares:
        events.append(TimelineEvent(s["shared_at"], "share", s["organisation_id"], s))
    batches: dict[tuple, list[dict]] = {}
    for c in changes:
        if c["old_level"] is None and not c["new_level"]:
            continue  # the first computation of a contact at level 0: nothing happened
        batches.setdefault((c["organisation_id"], c["as_of"], c["batch_id"]), []).append(c)
    for (org, as_of, batch_id), group in batches.items():  # one event per computation
        order = {ind.code: i for i, ind in enumerate(INDICATORS)}
        group.sort(key=lambda c: order.get(c["indicator"], 99))
        events.append(TimelineEvent(_end_of(as_of), "level", org,
                                    {"as_of": as_of, "batch_id": batch_id, "changes": group}))
    events.sort(key=lambda e: (e.at, _KIND_ORDER[e.kind]), reverse=True)
    return events


_KIND_ORDER = {"order": 0, "ticket": 1, "status": 2, "scan": 3, "share": 4, "level": 5}


def _end_of(day: date | datetime | str) -> datetime:
    """A level change as of a day is placed at the end of it (after the facts of the day)."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    if isinstance(day, datetime):
        return day
    return datetime.combine(day, time(23, 59, 59))
