"""How many seats an organisation will sell, per season and per pool of performances.

Computed from the population before any order is drawn, with the same habits as the order
generator, so that each programme has about the right number of performances and seats.
"""

from __future__ import annotations

import numpy as np

from habitue.generator import habits
from habitue.generator.population import ONCE, YEAR_DAYS, Population
from habitue.generator.timeline import Season


def expected_seats(population: Population, organisation: int,
                   seasons: list[Season]) -> np.ndarray:
    """(seasons, pools) expected seats sold by ``organisation`` (the whole season)."""
    structure = population.is_structure
    home = population.home == organisation
    affinity = np.where(home, 1.0, np.where(population.second == organisation,
                                            habits.SECOND_ORGANISATION_FACTOR, 0.0))
    has_child = ~structure & (population.dependant >= 0)
    age = np.where(structure, -1.0, population.age_days / YEAR_DAYS)
    pools = habits.pool_probabilities(structure, age, has_child)
    individual_seats = habits.mean_individual_seats()
    first_item_seats = np.where(structure, habits.mean_group_seats(), individual_seats)
    extra_seats = np.where(structure, 0.0, habits.mean_extra_items() * individual_seats)
    subscribers = home & ~structure
    subscription_rate = habits.SUBSCRIPTION_RATES[population.tier]
    once = (population.tier == ONCE) & home

    seats = np.zeros((len(seasons), len(habits.POOL_NAMES)))
    for index, season in enumerate(seasons):
        active = (population.first_season <= index) & (index <= population.last_season)
        orders = population.rate * affinity * active * season.demand
        orders = orders + (once & (population.first_season == index))
        seats[index] = (orders * first_item_seats) @ pools
        seats[index, habits.GENERAL] += float(np.dot(orders, extra_seats))
        subscriptions = float(np.sum(subscription_rate * (subscribers & active))) * season.demand
        seats[index, habits.GENERAL] += subscriptions * habits.mean_subscription_seats()
    return seats
