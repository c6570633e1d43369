"""Buying habits shared by the order generator and the demand estimate that sizes programmes.

Keeping them in one place guarantees that the programme is sized for the orders that will
actually be drawn.
"""

from __future__ import annotations

import numpy as np

# which performances an order targets: the general programme, or shows for a given audience
POOL_NAMES = ("general", "child", "youth", "senior")
GENERAL, CHILD, YOUTH, SENIOR = range(4)

# seats per ticket order of an individual, and extra performances in the same order
SEATS = (1, 2, 3, 4, 5, 6)
SEAT_WEIGHTS = (0.33, 0.45, 0.08, 0.09, 0.03, 0.02)
EXTRA_ITEMS = (0, 1, 2)
EXTRA_ITEMS_WEIGHTS = (0.86, 0.1, 0.04)
# seats of a group (structure) order: 8 + NegativeBinomial(2, 0.1), at most 60
GROUP_MIN, GROUP_N, GROUP_P, GROUP_MAX = 8, 2, 0.1, 60
# a subscription: 1 or 2 persons, 3 + Poisson(3) performances (at most 12)
SUBSCRIPTION_COUPLE = 0.45
SUBSCRIPTION_SHOWS_MIN, SUBSCRIPTION_SHOWS_EXTRA, SUBSCRIPTION_SHOWS_MAX = 3, 3.0, 12

# per tier (never, once, occasional, regular, loyal), per active season at the home organisation
SUBSCRIPTION_RATES = np.array([0.0, 0.0, 0.01, 0.08, 0.85])
MEMBERSHIP_RATES = np.array([0.0, 0.0, 0.0, 0.12, 0.45])
DATED_MEMBERSHIP_RATES = np.array([0.0, 0.0, 0.03, 0.04, 0.0])
SECOND_ORGANISATION_FACTOR = 0.3


def pool_probabilities(is_structure: np.ndarray, age_years: np.ndarray,
                       has_child: np.ndarray) -> np.ndarray:
    """(n, 4) probabilities of targeting each pool: schools and parents pick children's
    shows (so do adults whose children are not contacts, and grandparents), the young and the
    old sometimes pick shows made for them."""
    size = len(is_structure)
    probabilities = np.zeros((size, len(POOL_NAMES)))
    individual = ~is_structure
    probabilities[:, YOUTH] = np.where(individual & (age_years >= 0) & (age_years < 28), 0.25, 0)
    probabilities[:, SENIOR] = np.where(individual & (age_years >= 65), 0.2, 0.0)
    probabilities[:, CHILD] = np.select(
        [is_structure, (age_years >= 28) & (age_years < 50), age_years >= 60],
        [0.55, 0.08, 0.06], 0.0)
    parent = individual & has_child
    probabilities[parent] = 0.0
    probabilities[parent, CHILD] = 0.5
    probabilities[:, GENERAL] = 1.0 - probabilities.sum(axis=1)
    return probabilities


def draw_pools(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random(len(probabilities))[:, None]
    return np.minimum((draws >= cumulative).sum(axis=1), len(POOL_NAMES) - 1).astype(np.int8)


def mean_individual_seats() -> float:
    weights = np.asarray(SEAT_WEIGHTS)
    return float(np.dot(SEATS, weights) / weights.sum())


def mean_extra_items() -> float:
    weights = np.asarray(EXTRA_ITEMS_WEIGHTS)
    return float(np.dot(EXTRA_ITEMS, weights) / weights.sum())


def mean_group_seats() -> float:
    k = np.arange(GROUP_MAX - GROUP_MIN)
    # NegativeBinomial(2, p) probability mass: (k + 1) p^2 (1 - p)^k
    pmf = (k + 1) * GROUP_P ** GROUP_N * (1 - GROUP_P) ** k
    return float(np.dot(GROUP_MIN + k, pmf) + GROUP_MAX * (1 - pmf.sum()))


def mean_subscription_seats() -> float:
    k = np.arange(SUBSCRIPTION_SHOWS_MAX - SUBSCRIPTION_SHOWS_MIN)
    lam = SUBSCRIPTION_SHOWS_EXTRA
    pmf = np.exp(-lam) * lam ** k / np.cumprod(np.concatenate([[1], np.maximum(k[1:], 1)]))
    shows = np.dot(SUBSCRIPTION_SHOWS_MIN + k, pmf) + SUBSCRIPTION_SHOWS_MAX * (1 - pmf.sum())
    return float(shows * (1 + SUBSCRIPTION_COUPLE))
