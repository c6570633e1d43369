"""The contact card's timeline, from rows (pure: ``contact_card.build_events``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from habitue.services.contact_card import build_events

D = datetime
ORDERED = D(2025, 10, 1, 10)


def line(line_id, order, *, beneficiary=None, buyer="C1", amount="10.00", scanned=None,
         created=ORDERED):
    return {"organisation_id": "ORG", "order_id": order, "line_id": line_id, "product_id": "P",
            "performance_id": "PF", "beneficiary_contact_id": beneficiary,
            "amount": Decimal(amount), "scanned_at": scanned, "last_status": "PAID",
            "last_status_at": None, "product_name": "Show", "performance_name": "Show",
            "starts_at": D(2025, 11, 1, 20), "order_created_at": created,
            "buyer_contact_id": buyer}


def status(line_id, value, at, seq):
    return {"organisation_id": "ORG", "line_id": line_id, "status": value, "status_at": at,
            "seq": seq}


def test_events_newest_first_with_lines_in_their_order():
    bought = [{"organisation_id": "ORG", "order_id": "O1", "created_at": D(2025, 10, 1, 10),
               "channel": "INTERNET", "origin": None, "buyer_contact_id": "C1",
               "payer_contact_id": None}]
    lines = [line("L1", "O1", scanned=D(2025, 11, 1, 19, 55)), line("L2", "O1", amount="5"),
             line("L9", "O7", beneficiary="C1", buyer="C2", created=D(2025, 9, 1, 9))]
    statuses = [status("L2", "PAID", D(2025, 10, 1, 10), 1),
                status("L2", "REFUNDED", D(2025, 10, 20, 9), 2)]
    shares = [{"organisation_id": "ORG", "share_id": "S1", "order_id": "O1",
               "network": "facebook", "shared_at": D(2025, 10, 2, 8), "visits": 3}]
    changes = [
        {"organisation_id": "ORG", "indicator": "assiduite", "old_level": None,
         "new_level": 1, "as_of": date(2025, 12, 1), "batch_id": 1},
        {"organisation_id": "ORG", "indicator": "abonne", "old_level": None,
         "new_level": 0, "as_of": date(2025, 12, 1), "batch_id": 1},  # nothing happened
        {"organisation_id": "ORG", "indicator": "recence", "old_level": None,
         "new_level": 3, "as_of": date(2025, 12, 1), "batch_id": 1},
    ]
    events = build_events("C1", bought, lines, statuses, shares, changes)
    assert [e.kind for e in events] == ["level", "scan", "status", "share", "order", "ticket"]
    level = events[0]
    assert [c["indicator"] for c in level.data["changes"]] == ["assiduite", "recence"]
    order = events[4].data
    assert [ln["line_id"] for ln in order["lines"]] == ["L1", "L2"]
    assert order["total"] == Decimal("10.00")  # the refunded line does not count
    assert [ln["status"] for ln in order["lines"]] == ["PAID", "REFUNDED"]
    assert (events[2].data["old"], events[2].data["new"]) == ("PAID", "REFUNDED")
    assert events[5].data["buyer_contact_id"] == "C2"


def test_a_scan_belongs_to_the_holder_only():
    lines = [line("L1", "O1", beneficiary="C3", scanned=D(2025, 11, 1, 19, 55))]
    bought = [{"organisation_id": "ORG", "order_id": "O1", "created_at": D(2025, 10, 1, 10),
               "channel": "B2B", "origin": None, "buyer_contact_id": "C1",
               "payer_contact_id": None}]
    kinds = [e.kind for e in build_events("C1", bought, lines, [], [], [])]
    assert kinds == ["order"]  # C1 bought it for C3, who went
