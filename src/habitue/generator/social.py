"""Social shares of orders (and of nothing in particular) and the visits their links bring.

A few percent of buyers share; visits per share are heavy-tailed (most links bring a handful
of clicks, a few go viral). Every visit happens after its share and on or before ``today``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from habitue.generator import arrow, programme
from habitue.generator.identifiers import (
    ORDER_TEMPLATE,
    SHARE_TEMPLATE,
    VISIT_TEMPLATE,
    Identifiers,
)
from habitue.generator.orders import Orders
from habitue.generator.population import Population
from habitue.generator.streams import weighted_choice
from habitue.generator.timeline import DAY, HOUR, Clock, organisation_id

MAX_VISITS_PER_SHARE = 5_000


@dataclass(frozen=True)
class Shares:
    contact: np.ndarray  # int64
    order: np.ndarray  # int64 index into the organisation's orders, -1 when none
    network: np.ndarray  # int32
    shared_at: np.ndarray  # int64


def draw_shares(rng: np.random.Generator, orders: Orders, contacts: np.ndarray,
                population: Population, clock: Clock, history_start: int) -> Shares:
    basket = orders.basket
    propensity = population.share_propensity[basket.buyer]
    shared = np.flatnonzero(rng.random(len(orders)) < propensity)
    # some orders are shared a second time, on another network
    again = shared[rng.random(len(shared)) < 0.1]
    order = np.concatenate([shared, again])
    delay = rng.exponential(8 * HOUR, len(order)).astype(np.int64) + 60
    delay[len(shared):] += rng.exponential(DAY, len(again)).astype(np.int64)
    shared_at = np.minimum(basket.created[order] + delay, clock.cap)
    network = weighted_choice(rng, programme.NETWORK_WEIGHTS, len(order))
    network[len(shared):] = (network[np.searchsorted(shared, again)] + 1) % len(
        programme.NETWORKS)

    # shares without an order: the venue's posts, reshared by its fans
    fans = contacts[(population.share_propensity[contacts] > 0)
                    & (population.home[contacts] == orders.organisation)]
    seasons = population.last_season[fans] - population.first_season[fans] + 1
    loose = np.repeat(fans, rng.poisson(0.6 * seasons))
    low = np.maximum(population.arrival[loose], history_start)
    loose_at = low + (rng.random(len(loose)) * (clock.cap - low)).astype(np.int64)
    loose_network = weighted_choice(rng, programme.NETWORK_WEIGHTS, len(loose))

    contact = np.concatenate([basket.buyer[order], loose])
    at = np.concatenate([shared_at, loose_at])
    by_time = np.lexsort((contact, at))
    return Shares(
        contact=contact[by_time],
        order=np.concatenate([order, np.full(len(loose), -1)])[by_time],
        network=np.concatenate([network, loose_network])[by_time],
        shared_at=at[by_time],
    )


def draw_visits(rng: np.random.Generator, shares: Shares,
                clock: Clock) -> tuple[np.ndarray, np.ndarray]:
    """(index of the share, visited_at) per visit, grouped by share, in time order."""
    per_share = np.minimum(np.floor(rng.pareto(1.3, len(shares.contact)) * 2.5),
                           MAX_VISITS_PER_SHARE).astype(np.int64)
    share = np.repeat(np.arange(len(per_share)), per_share)
    slow = rng.random(len(share)) < 0.15
    delay = np.where(slow, rng.exponential(12 * DAY, len(share)),
                     rng.exponential(18 * HOUR, len(share))).astype(np.int64)
    visited_at = shares.shared_at[share] + delay
    kept = visited_at <= clock.cap
    share, visited_at = share[kept], visited_at[kept]
    order = np.lexsort((visited_at, share))
    return share[order], visited_at[order]


def share_rows(organisation: int, shares: Shares, share_numbers: np.ndarray,
               order_numbers: np.ndarray, ids: Identifiers) -> dict[str, pa.Array]:
    count = len(shares.contact)
    no_order = shares.order < 0
    return {
        "organisation_id": arrow.constant(organisation_id(organisation), count),
        "share_id": arrow.templated(SHARE_TEMPLATE, share_numbers),
        "contact_id": ids.contact_ids(shares.contact),
        "order_id": arrow.templated(ORDER_TEMPLATE,
                                    np.where(no_order, 0, order_numbers[shares.order]),
                                    no_order),
        "network": arrow.pick(arrow.vocabulary(programme.NETWORKS), shares.network),
        "shared_at": arrow.timestamps(shares.shared_at),
    }


def visit_rows(organisation: int, share: np.ndarray, visited_at: np.ndarray,
               share_numbers: np.ndarray, visit_numbers: np.ndarray) -> dict[str, pa.Array]:
    return {
        "organisation_id": arrow.constant(organisation_id(organisation), len(share)),
        "visit_id": arrow.templated(VISIT_TEMPLATE, visit_numbers),
        "share_id": arrow.templated(SHARE_TEMPLATE, share_numbers[share]),
        "visited_at": arrow.timestamps(visited_at),
    }
