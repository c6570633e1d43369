"""Who buys what and when: the orders of a chunk of contacts at one organisation.

Buying habits come from the population (a loyal core subscribing every season, occasional
buyers, one-off buyers, contacts who never buy); the baskets module fills each order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from habitue.generator import arrow, habits, programme
from habitue.generator.baskets import (
    Basket,
    dated_membership_orders,
    membership_orders,
    subscription_orders,
    ticket_orders,
)
from habitue.generator.catalogue import Catalogue
from habitue.generator.identifiers import ORDER_TEMPLATE, Identifiers
from habitue.generator.population import ONCE, YEAR_DAYS, Population
from habitue.generator.streams import weighted_choice
from habitue.generator.timeline import Clock, Season, organisation_id

CHANNELS = ("INTERNET", "B2B", "OTHERS")
INTERNET, B2B, OTHERS = range(3)


@dataclass(frozen=True)
class Orders:
    """Orders sorted by creation instant, and their lines grouped by order."""

    organisation: int
    basket: Basket
    channel: np.ndarray  # int8, per order
    payer: np.ndarray  # int64, -1 when the column is left empty
    origin: np.ndarray  # int16, -1 when none

    def __len__(self) -> int:
        return len(self.basket.buyer)


def draw_orders(rng: np.random.Generator, catalogue: Catalogue, seasons: list[Season],
                contacts: np.ndarray, population: Population, clock: Clock) -> Orders:
    """Orders of ``contacts`` (global indices) at the catalogue's organisation."""
    organisation = catalogue.organisation
    history_start = seasons[0].start_ts
    tier = population.tier[contacts]
    first, last = population.first_season[contacts], population.last_season[contacts]
    home = population.home[contacts] == organisation
    affinity = np.where(home, 1.0, np.where(population.second[contacts] == organisation,
                                            habits.SECOND_ORGANISATION_FACTOR, 0.0))
    individual = ~population.is_structure[contacts]
    baskets: list[Basket] = []
    for index, season in enumerate(seasons):
        active = (first <= index) & (index <= last)
        expected = population.rate[contacts] * affinity * active * season.demand
        count = rng.poisson(expected) + ((tier == ONCE) & home & (first == index))
        buyers = np.repeat(contacts, count)
        baskets.append(ticket_orders(rng, catalogue, index, buyers, population, clock,
                                     history_start))
        loyal_here = home & active & individual
        subscribers = contacts[loyal_here & (rng.random(len(contacts))
                                             < habits.SUBSCRIPTION_RATES[tier] * season.demand)]
        baskets.append(subscription_orders(rng, catalogue, index, season, subscribers,
                                           population, clock, history_start))
        members = contacts[loyal_here & (rng.random(len(contacts)) < habits.MEMBERSHIP_RATES[tier])]
        baskets.append(membership_orders(rng, catalogue, index, season, members, population,
                                         clock, history_start))
        card_holders = contacts[loyal_here
                                & (rng.random(len(contacts)) < habits.DATED_MEMBERSHIP_RATES[tier])]
        baskets.append(dated_membership_orders(rng, catalogue, season, card_holders, clock,
                                               history_start))
    basket = _sorted(Basket.concat(baskets))
    channel = _channels(rng, basket.buyer, population)
    return Orders(organisation=organisation, basket=basket, channel=channel,
                  payer=_payers(rng, basket.buyer, channel, population),
                  origin=_origins(rng, channel))


def _sorted(basket: Basket) -> Basket:
    """Orders by creation instant (then buyer); lines follow their order."""
    order = np.lexsort((basket.buyer, basket.created))
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    line_position = position[basket.line_order]
    lines = np.argsort(line_position, kind="stable")
    return Basket(basket.buyer[order], basket.created[order], line_position[lines],
                  basket.product[lines], basket.performance[lines], basket.beneficiary[lines],
                  basket.amount[lines])


def _channels(rng: np.random.Generator, buyers: np.ndarray, population: Population) -> np.ndarray:
    count = len(buyers)
    structure = population.is_structure[buyers]
    age = population.age_days[buyers] / YEAR_DAYS
    internet_share = np.clip(0.92 - 0.009 * (age - 20.0), 0.3, 0.9)
    channel = np.where(rng.random(count) < internet_share, INTERNET, OTHERS)
    parent = population.parent[buyers]
    member = (parent >= 0) & population.is_structure[np.maximum(parent, 0)]
    channel = np.where(member & (rng.random(count) < 0.5), B2B, channel)
    channel = np.where(rng.random(count) < 0.002, B2B, channel)
    by_structure = np.array([B2B, OTHERS, INTERNET])[weighted_choice(rng, (0.85, 0.1, 0.05),
                                                                     count)]
    return np.where(structure, by_structure, channel).astype(np.int8)


def _payers(rng: np.random.Generator, buyers: np.ndarray, channel: np.ndarray,
            population: Population) -> np.ndarray:
    """Usually empty (the buyer pays); a parent, an employer, or a friend sometimes pays."""
    count = len(buyers)
    parent = population.parent[buyers].astype(np.int64)
    employer = (parent >= 0) & population.is_structure[np.maximum(parent, 0)]
    draw = rng.random(count)
    payer = np.where(rng.random(count) < 0.15, buyers, -1)
    gift = rng.integers(0, population.size, count)
    payer = np.where((draw < 0.01) & (gift != buyers), gift, payer)
    payer = np.where((parent >= 0) & ~employer & (draw < 0.5), parent, payer)
    payer = np.where(employer & (channel == B2B), parent, payer)
    return payer


def _origins(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    count = len(channel)
    has_origin = rng.random(count) < np.where(channel == INTERNET, 0.35, 0.04)
    origin = weighted_choice(rng, programme.ORIGIN_WEIGHTS, count)
    return np.where(has_origin, origin, -1).astype(np.int16)


def order_rows(orders: Orders, numbers: np.ndarray, ids: Identifiers) -> dict[str, pa.Array]:
    basket = orders.basket
    count = len(orders)
    return {
        "organisation_id": arrow.constant(organisation_id(orders.organisation), count),
        "order_id": arrow.templated(ORDER_TEMPLATE, numbers),
        "buyer_contact_id": ids.contact_ids(basket.buyer),
        "payer_contact_id": ids.contact_ids(orders.payer),
        "created_at": arrow.timestamps(basket.created),
        "channel": arrow.pick(arrow.vocabulary(CHANNELS), orders.channel),
        "origin": arrow.pick(arrow.vocabulary(programme.ORIGINS), np.maximum(orders.origin, 0),
                             orders.origin < 0),
    }

