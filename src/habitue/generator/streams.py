"""Independent, reproducible random streams.

Each piece of work (the population, one organisation's catalogue, one chunk of contacts…)
draws from its own generator derived from the user's seed and a fixed *spawn key*. The output
therefore depends only on the arguments, never on the order in which the work is done nor on
how much of it was done before.
"""

from __future__ import annotations

import numpy as np

POPULATION = 1
CATALOGUE = 2
ACTIVITY = 3
CONTACT_ROWS = 4
SOCIAL = 5
SEASONS = 6


def stream(seed: int, *key: int) -> np.random.Generator:
    """A generator for the work identified by ``key`` (small non-negative integers)."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=tuple(int(k) for k in key))
    return np.random.default_rng(sequence)


def weighted_choice(
    rng: np.random.Generator, weights: tuple[float, ...] | np.ndarray, size: int
) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights, as int32."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    draws = rng.random(size) * cumulative[-1]
    picked = np.searchsorted(cumulative, draws, side="right")
    return np.minimum(picked, len(cumulative) - 1).astype(np.int32)


def bernoulli(rng: np.random.Generator, p: float | np.ndarray, size: int) -> np.ndarray:
    return rng.random(size) < p
