"""What is in an order: tickets, subscriptions, memberships (vectorised over many orders).

Each function receives the buyers of one season at one organisation (a contact repeated once
per order) and returns a ``Basket``: the orders' creation instants and their lines. Orders that
would be created after ``today`` are dropped (their performance has not been sold yet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from habitue.generator import habits
from habitue.generator.catalogue import VISIT, Catalogue
from habitue.generator.population import YEAR_DAYS, Population
from habitue.generator.programme import AUDIENCE_CHILD
from habitue.generator.streams import weighted_choice
from habitue.generator.timeline import DAY, HOUR, MINUTE, Clock, Season, time_of_day

OTHER_PRODUCT_RATES = (0.07, 0.04, 0.02)  # programme, parking, cloakroom, per ticket order


@dataclass(frozen=True)
class Basket:
    buyer: np.ndarray  # int64, per order
    created: np.ndarray  # int64, per order
    line_order: np.ndarray  # int64, per line: index of its order
    product: np.ndarray  # int32
    performance: np.ndarray  # int32, -1 when none
    beneficiary: np.ndarray  # int64, -1 when none
    amount: np.ndarray  # int64 cents

    @staticmethod
    def concat(baskets: list[Basket]) -> Basket:
        offsets = np.cumsum([0] + [len(b.buyer) for b in baskets])
        return Basket(
            buyer=np.concatenate([b.buyer for b in baskets]),
            created=np.concatenate([b.created for b in baskets]),
            line_order=np.concatenate(
                [b.line_order + offset for b, offset in zip(baskets, offsets, strict=False)]),
            product=np.concatenate([b.product for b in baskets]),
            performance=np.concatenate([b.performance for b in baskets]),
            beneficiary=np.concatenate([b.beneficiary for b in baskets]),
            amount=np.concatenate([b.amount for b in baskets]),
        )


def empty_basket() -> Basket:
    i64, i32 = np.zeros(0, np.int64), np.zeros(0, np.int32)
    return Basket(i64, i64, i64, i32, i32, i64, i64)


def _round_price(cents: np.ndarray) -> np.ndarray:
    """Prices in steps of 50 cents."""
    return (np.round(cents / 50.0) * 50).astype(np.int64)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items repeated ``counts`` times: (item index, rank within the item) per copy."""
    owner = np.repeat(np.arange(len(counts)), counts)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, rank


def _children(population: Population, buyers: np.ndarray) -> np.ndarray:
    """The buyer's child (an individual's dependant), or -1."""
    child = population.dependant[buyers].astype(np.int64)
    return np.where(population.is_structure[buyers], -1, child)


def ticket_orders(rng: np.random.Generator, catalogue: Catalogue, season_index: int,
                  buyers: np.ndarray, population: Population, clock: Clock,
                  history_start: int) -> Basket:
    count = len(buyers)
    if count == 0:
        return empty_basket()
    pools = catalogue.pools[season_index]
    structure = population.is_structure[buyers]
    age = population.age_days[buyers] / YEAR_DAYS
    child = _children(population, buyers)
    pool = habits.draw_pools(rng, habits.pool_probabilities(structure, age, child >= 0))
    performance = np.empty(count, dtype=np.int32)
    for code in range(len(habits.POOL_NAMES)):
        chosen = pool == code
        performance[chosen] = pools[code].draw_weighted(rng, int(chosen.sum()))
    start = catalogue.performance_start[performance]
    lead = np.where(rng.random(count) < 0.35, rng.exponential(2.0, count),
                    rng.exponential(30.0, count))
    day = (start - (np.minimum(lead, 200.0) * DAY).astype(np.int64)) // DAY
    created = day * DAY + time_of_day(rng, count)
    late = created > start - 10 * MINUTE
    created = np.where(late, start - rng.integers(10 * MINUTE, 3 * HOUR, count), created)
    # sales that would predate the history are spread over its first weeks instead
    early = created < history_start
    room = np.maximum(start - 10 * MINUTE - history_start, 0)
    created = np.where(early, history_start + (rng.random(count) * room).astype(np.int64),
                       created)
    kept = created <= clock.cap
    buyers, created, performance = buyers[kept], created[kept], performance[kept]
    structure, age, child = structure[kept], age[kept], child[kept]
    count = len(buyers)

    # a few orders hold tickets for several performances of the season
    extra = np.asarray(habits.EXTRA_ITEMS)[weighted_choice(rng, habits.EXTRA_ITEMS_WEIGHTS,
                                                           count)]
    extra_order = np.repeat(np.arange(count), np.where(structure, 0, extra))
    extra_performance = pools[habits.GENERAL].draw_after(rng, created[extra_order])
    usable = extra_performance >= 0
    item_order = np.concatenate([np.arange(count), extra_order[usable]])
    item_performance = np.concatenate([performance, extra_performance[usable]])
    by_order = np.argsort(item_order, kind="stable")
    item_order, item_performance = item_order[by_order], item_performance[by_order]
    items = len(item_order)

    item_structure = structure[item_order]
    seats = np.asarray(habits.SEATS)[weighted_choice(rng, habits.SEAT_WEIGHTS, items)]
    groups = np.minimum(habits.GROUP_MIN + rng.negative_binomial(habits.GROUP_N, habits.GROUP_P,
                                                                 items), habits.GROUP_MAX)
    seats = np.where(item_structure, groups, seats)
    visit = catalogue.performance_kind[item_performance] == VISIT
    seats = np.where(visit, np.where(item_structure, np.minimum(seats, 20),
                                     np.minimum(seats, 3)), seats)

    line_item, seat = _expand(seats)
    line_order = item_order[line_item]
    line_performance = item_performance[line_item]
    lines = len(line_order)
    line_child = child[line_order]
    child_show = catalogue.performance_audience[line_performance] == AUDIENCE_CHILD
    draw = rng.random(lines)
    for_child = (line_child >= 0) & (
        (child_show & (seat == 0) & (draw < 0.8)) | (~child_show & (seat == 1) & (draw < 0.25)))
    beneficiary = np.where(for_child, line_child, -1)
    single = (seats[line_item] == 1) & ~item_structure[line_item]
    gift = single & (rng.random(lines) < 0.004)
    beneficiary = np.where(gift, rng.integers(0, population.size, lines), beneficiary)

    factor = _tariffs(rng, age[line_order], structure[line_order], for_child)
    amount = _round_price(catalogue.performance_price[line_performance] * factor)
    tickets = Basket(buyers.astype(np.int64), created, line_order.astype(np.int64),
                     catalogue.performance_product[line_performance], line_performance,
                     beneficiary.astype(np.int64), amount)
    return _with_other_products(rng, catalogue, tickets)


def _tariffs(rng: np.random.Generator, age: np.ndarray, structure: np.ndarray,
             for_child: np.ndarray) -> np.ndarray:
    size = len(age)
    draw, special = rng.random(size), rng.random(size)
    factor = np.where(draw < 0.2, 0.8, 1.0)
    factor = np.where(((age >= 0) & (age < 28) | for_child) & (special < 0.7), 0.55, factor)
    factor = np.where((age >= 65) & (special < 0.6), 0.9, factor)
    factor = np.where(structure, 0.6, factor)
    invitation = rng.random(size) < np.where(structure, 0.03, 0.025)
    return np.where(invitation, 0.0, factor)


def _with_other_products(rng: np.random.Generator, catalogue: Catalogue,
                         tickets: Basket) -> Basket:
    count = len(tickets.buyer)
    order_parts, product_parts = [tickets.line_order], [tickets.product]
    for product, rate in zip(catalogue.others, OTHER_PRODUCT_RATES, strict=False):
        buying = np.flatnonzero(rng.random(count) < rate)
        order_parts.append(buying.astype(np.int64))
        product_parts.append(np.full(len(buying), product, dtype=np.int32))
    added = sum(len(part) for part in order_parts[1:])
    line_order = np.concatenate(order_parts)
    product = np.concatenate(product_parts)
    by_order = np.argsort(line_order, kind="stable")
    none = np.full(added, -1)
    performance = np.concatenate([tickets.performance, none.astype(np.int32)])
    beneficiary = np.concatenate([tickets.beneficiary, none.astype(np.int64)])
    amount = np.concatenate([tickets.amount, catalogue.product_price[product[-added:]]
                             if added else np.zeros(0, np.int64)])
    return Basket(tickets.buyer, tickets.created, line_order[by_order], product[by_order],
                  performance[by_order], beneficiary[by_order], amount[by_order])


def subscription_orders(rng: np.random.Generator, catalogue: Catalogue, season_index: int,
                        season: Season, buyers: np.ndarray, population: Population,
                        clock: Clock, history_start: int) -> Basket:
    """A subscription card per person and tickets for several performances of the season."""
    count = len(buyers)
    created = _dated_between(rng, season.start_ts - 100 * DAY, 160, count, history_start)
    kept = created <= clock.cap
    buyers, created, count = buyers[kept], created[kept], int(kept.sum())
    if count == 0:
        return empty_basket()
    persons = 1 + (rng.random(count) < habits.SUBSCRIPTION_COUPLE)
    child = _children(population, buyers)
    second_is_child = (persons == 2) & (child >= 0) & (rng.random(count) < 0.5)
    age = population.age_days[buyers] / YEAR_DAYS
    formula = np.where(rng.random(count) < 0.1, 2, 0)
    formula = np.where((age < 28) & (rng.random(count) < 0.8), 1, formula)
    product = catalogue.subscriptions[season_index][formula]

    card_order, card_rank = _expand(persons)
    card_beneficiary = np.where((card_rank == 1) & second_is_child[card_order],
                                child[card_order], -1)
    shows = np.minimum(habits.SUBSCRIPTION_SHOWS_MIN
                       + rng.poisson(habits.SUBSCRIPTION_SHOWS_EXTRA, count),
                       habits.SUBSCRIPTION_SHOWS_MAX)
    item_order = np.repeat(np.arange(count), shows)
    general = catalogue.pools[season_index][habits.GENERAL]
    item_performance = general.draw_after(rng, created[item_order])
    usable = item_performance >= 0
    item_order, item_performance = item_order[usable], item_performance[usable]
    ticket_item, ticket_rank = _expand(persons[item_order])
    ticket_order = item_order[ticket_item]
    ticket_performance = item_performance[ticket_item]
    ticket_beneficiary = np.where((ticket_rank == 1) & second_is_child[ticket_order],
                                  child[ticket_order], -1)
    ticket_amount = _round_price(catalogue.performance_price[ticket_performance]
                                 * catalogue.product_factor[product[ticket_order]])
    line_order = np.concatenate([card_order, ticket_order])
    by_order = np.argsort(line_order, kind="stable")
    return Basket(
        buyers.astype(np.int64), created, line_order[by_order].astype(np.int64),
        np.concatenate([product[card_order],
                        catalogue.performance_product[ticket_performance]])[by_order],
        np.concatenate([np.full(len(card_order), -1, np.int32), ticket_performance])[by_order],
        np.concatenate([card_beneficiary, ticket_beneficiary]).astype(np.int64)[by_order],
        np.concatenate([catalogue.product_price[product[card_order]], ticket_amount])[by_order],
    )


def membership_orders(rng: np.random.Generator, catalogue: Catalogue, season_index: int,
                      season: Season, buyers: np.ndarray, population: Population,
                      clock: Clock, history_start: int) -> Basket:
    """The season's membership, for the buyer and sometimes their child."""
    created = _dated_between(rng, season.start_ts, 120, len(buyers), history_start)
    kept = created <= clock.cap
    buyers, created = buyers[kept], created[kept]
    count = len(buyers)
    child = _children(population, buyers)
    persons = 1 + ((child >= 0) & (rng.random(count) < 0.3))
    line_order, rank = _expand(persons)
    product = np.full(len(line_order), catalogue.memberships[season_index], dtype=np.int32)
    honorary = rng.random(len(line_order)) < 0.05
    return Basket(
        buyers.astype(np.int64), created, line_order.astype(np.int64), product,
        np.full(len(line_order), -1, np.int32),
        np.where(rank == 1, child[line_order], -1).astype(np.int64),
        np.where(honorary, 0, catalogue.product_price[product]).astype(np.int64),
    )


def dated_membership_orders(rng: np.random.Generator, catalogue: Catalogue, season: Season,
                            buyers: np.ndarray, clock: Clock, history_start: int) -> Basket:
    """A 12-month card starting during the season, bought a few days before it starts."""
    starts = catalogue.dated_valid_from
    candidates = np.flatnonzero((starts >= season.start_ts) & (starts < season.end_ts))
    if len(candidates) == 0 or len(buyers) == 0:
        return empty_basket()
    chosen = candidates[rng.integers(0, len(candidates), len(buyers))]
    created = _dated_between(rng, starts[chosen] - 25 * DAY, 25, len(buyers), history_start)
    kept = created <= clock.cap
    count = int(kept.sum())
    product = catalogue.dated_memberships[chosen[kept]]
    return Basket(buyers[kept].astype(np.int64), created[kept], np.arange(count, dtype=np.int64),
                  product, np.full(count, -1, np.int32), np.full(count, -1, np.int64),
                  catalogue.product_price[product])


def _dated_between(rng: np.random.Generator, first: int | np.ndarray, days: int, size: int,
                   history_start: int) -> np.ndarray:
    """A purchase instant on one of ``days`` days from ``first``, never before the history."""
    day = (np.asarray(first) // DAY + rng.integers(0, days, size)) * DAY
    # purchases that would predate the history are folded into its first weeks
    early = day < history_start
    folded = history_start + (history_start - day) % (45 * DAY)
    return np.where(early, folded, day) + time_of_day(rng, size)
