"""Order lines: their status history and door scans, and the rows of ``order_lines``.

A line first appears with its original status (mostly PAID, some RESERVED). About 3% of the
lines are later cancelled or refunded: that change is an extra row for the same ``line_id``
with a later ``status_at``, written after the chunk's first rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from habitue.generator import arrow
from habitue.generator.catalogue import EVENT, Catalogue
from habitue.generator.identifiers import LINE_TEMPLATE, ORDER_TEMPLATE, Identifiers
from habitue.generator.orders import B2B, Orders
from habitue.generator.timeline import DAY, HOUR, MINUTE, Clock, organisation_id

STATUSES = ("RESERVED", "PAID", "CANCELLED", "REFUNDED")
RESERVED, PAID, CANCELLED, REFUNDED = range(4)
ORDER_CANCELLATION_RATE = 0.022
LINE_CANCELLATION_RATE = 0.007


@dataclass(frozen=True)
class LineHistory:
    status: np.ndarray  # int8, original status
    explicit_status_at: np.ndarray  # bool: write the original status_at (else empty = default)
    changed: np.ndarray  # int64 indices of the lines that change later
    change_status: np.ndarray  # int8, per changed line
    change_at: np.ndarray  # int64, per changed line
    scanned_at: np.ndarray  # int64, -1 when not scanned


def draw_history(rng: np.random.Generator, orders: Orders, catalogue: Catalogue,
                 clock: Clock) -> LineHistory:
    basket = orders.basket
    lines = len(basket.line_order)
    created = basket.created[basket.line_order]
    performance = basket.performance
    has_performance = performance >= 0
    start = np.where(has_performance, catalogue.performance_start[np.maximum(performance, 0)], -1)
    b2b = orders.channel[basket.line_order] == B2B
    future = start > clock.cap
    reserved_rate = np.where(b2b, 0.3, np.where(future, 0.06, 0.015))
    status = np.where(rng.random(lines) < reserved_rate, RESERVED, PAID).astype(np.int8)

    order_cancelled = rng.random(len(orders)) < ORDER_CANCELLATION_RATE
    wants_change = order_cancelled[basket.line_order] | (rng.random(lines)
                                                         < LINE_CANCELLATION_RATE)
    limit = np.where(has_performance, start - HOUR, created + 30 * DAY)
    limit = np.minimum(limit, clock.cap)
    changed = np.flatnonzero(wants_change & (limit > created + 2 * MINUTE))
    span = limit[changed] - created[changed] - MINUTE
    # an order is cancelled as a whole at one instant: draw the delay per order
    order_delay = rng.random(len(orders))
    delay = np.where(order_cancelled[basket.line_order[changed]],
                     order_delay[basket.line_order[changed]], rng.random(len(changed)))
    change_at = created[changed] + MINUTE + (delay * span).astype(np.int64)
    refund = (status[changed] == PAID) & (rng.random(len(changed)) < 0.7)
    change_status = np.where(refund, REFUNDED, CANCELLED).astype(np.int8)

    kind = catalogue.performance_kind[np.maximum(performance, 0)]
    past_event = has_performance & (kind == EVENT) & (start < clock.today_start)
    not_changed = np.ones(lines, dtype=bool)
    not_changed[changed] = False
    attended = rng.random(lines) < np.where(status == PAID, 0.9, 0.6)
    scanned = past_event & not_changed & attended
    before = rng.integers(2 * MINUTE, 55 * MINUTE, lines)
    # at the door shortly before the start (never before the purchase, never after the start)
    scanned_at = np.minimum(np.maximum(start - before, created + MINUTE), start)
    scanned_at = np.where(scanned, scanned_at, -1)
    return LineHistory(
        status=status, explicit_status_at=rng.random(lines) < 0.4, changed=changed,
        change_status=change_status, change_at=change_at, scanned_at=scanned_at,
    )


def line_rows(orders: Orders, history: LineHistory, order_numbers: np.ndarray,
              line_numbers: np.ndarray, catalogue: Catalogue,
              ids: Identifiers) -> dict[str, pa.Array]:
    """First rows of every line, then one extra row per later status change."""
    basket = orders.basket
    lines = len(basket.line_order)
    rows = np.concatenate([np.arange(lines), history.changed])
    created = basket.created[basket.line_order]
    status = np.concatenate([history.status, history.change_status])
    status_at = np.concatenate([created, history.change_at])
    explicit = np.concatenate([history.explicit_status_at, np.ones(len(history.changed), bool)])
    scanned_at = np.concatenate([history.scanned_at, np.full(len(history.changed), -1)])
    performance = basket.performance[rows]
    return {
        "organisation_id": arrow.constant(organisation_id(orders.organisation), len(rows)),
        "order_id": arrow.templated(ORDER_TEMPLATE, order_numbers[basket.line_order[rows]]),
        "line_id": arrow.templated(LINE_TEMPLATE, line_numbers[rows]),
        "product_id": arrow.pick(catalogue.product_ids, basket.product[rows]),
        "performance_id": arrow.pick(catalogue.performance_ids, np.maximum(performance, 0),
                                     performance < 0),
        "beneficiary_contact_id": ids.contact_ids(basket.beneficiary[rows]),
        "amount": arrow.amounts(basket.amount[rows]),
        "status": arrow.pick(arrow.vocabulary(STATUSES), status),
        "status_at": arrow.timestamps(status_at, ~explicit),
        "scanned_at": arrow.timestamps(scanned_at, scanned_at < 0),
    }
