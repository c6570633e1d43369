"""Who the contacts are: kind, age, family links, buying habits (numpy arrays, one per trait).

The population is drawn once for the whole institution (a few bytes per contact) because
family links cross chunk boundaries; the text of each contact is drawn later, chunk by chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from habitue.generator.mailboxes import Mailboxes, draw_mailboxes
from habitue.generator.people import (
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    STRUCTURE_TYPE_WEIGHTS,
)
from habitue.generator.places import place_weights
from habitue.generator.streams import weighted_choice
from habitue.generator.timeline import DAY, Clock, Season, day_number

NEVER, ONCE, OCCASIONAL, REGULAR, LOYAL = range(5)
YEAR_DAYS = 365.25
STRUCTURE_SHARE = 0.03
LEGACY_START = date(2008, 1, 1)

# buying-habit mix: (tier weights never/once/occasional/regular/loyal)
ADULT_TIERS = (0.16, 0.37, 0.31, 0.11, 0.05)
CHILD_TIERS = (0.84, 0.14, 0.02, 0.0, 0.0)
STRUCTURE_TIERS = (0.35, 0.17, 0.33, 0.15, 0.0)
# median ticket orders per active season at the home organisation, per tier
TIER_RATES = (0.0, 0.0, 0.75, 2.3, 3.0)
STRUCTURE_RATES = (0.0, 0.0, 0.45, 1.2, 0.0)
# probability of staying active one more season, per tier
TIER_CONTINUATION = (0.0, 0.0, 0.55, 0.8, 0.93)
RATE_CALIBRATION = 1.26
SHARER_RATES = (0.0, 0.0, 0.06, 0.15, 0.2)  # per tier


@dataclass(frozen=True)
class Population:
    """Traits of every contact of the institution, indexed by contact number - 1."""

    size: int
    is_structure: np.ndarray  # bool
    structure_type: np.ndarray  # int8, -1 for individuals
    female: np.ndarray  # bool
    age_days: np.ndarray  # int32, age on ``today`` (-1 for structures)
    birth_known: np.ndarray  # bool
    parent: np.ndarray  # int32, -1 when none (a parent, or the structure of a member)
    dependant: np.ndarray  # int32, -1 when none (one child, or one member of a structure)
    tier: np.ndarray  # int8
    rate: np.ndarray  # float32, ticket orders per active season
    first_season: np.ndarray  # int8, index of the arrival season
    last_season: np.ndarray  # int8, index of the last active season
    arrival: np.ndarray  # int64 seconds, when the contact was created
    home: np.ndarray  # int16, organisation bought from most
    second: np.ndarray  # int16, another organisation bought from now and then (-1 none)
    share_propensity: np.ndarray  # float32, probability of sharing an order
    first_name: np.ndarray  # int16, index into the female or male first names
    surname: np.ndarray  # int16, index into LAST_NAMES (children share their parent's)
    mailboxes: Mailboxes
    place: np.ndarray  # int16, index into the places (families mostly live together)

    @property
    def age_years(self) -> np.ndarray:
        return self.age_days / YEAR_DAYS


def draw_population(
    rng: np.random.Generator, size: int, organisations: int, seasons: list[Season], clock: Clock
) -> Population:
    is_structure = rng.random(size) < STRUCTURE_SHARE
    if size >= 40 and not is_structure.any():
        is_structure[rng.integers(size)] = True
    structure_type = np.where(
        is_structure, weighted_choice(rng, STRUCTURE_TYPE_WEIGHTS, size), -1
    ).astype(np.int8)
    female = rng.random(size) < 0.54
    age_days = _draw_ages(rng, size)
    age_days[is_structure] = -1
    birth_known = (rng.random(size) >= 0.25) & ~is_structure

    parent, dependant = _draw_families(rng, is_structure, age_days)
    birth_known |= (parent >= 0) & ~is_structure[np.maximum(parent, 0)]  # linked children

    tier = _draw_tiers(rng, is_structure, age_days)
    rate = _draw_rates(rng, tier, is_structure)
    first_season, last_season = _draw_activity_span(rng, tier, is_structure, len(seasons))
    arrival = _draw_arrivals(rng, first_season, seasons, clock)

    home_weights = 1.0 / np.arange(1, organisations + 1) ** 0.9
    home = weighted_choice(rng, home_weights, size).astype(np.int16)
    second = np.full(size, -1, dtype=np.int16)
    if organisations > 1:
        roaming = rng.random(size) < 0.25
        shift = rng.integers(1, organisations, size)
        second = np.where(roaming, (home + shift) % organisations, -1).astype(np.int16)

    # the keener the buyer, the likelier to share
    sharer = (
        ~is_structure & (age_days < 62 * YEAR_DAYS)
        & (rng.random(size) < np.asarray(SHARER_RATES)[tier])
    )
    share_propensity = np.where(sharer, rng.beta(1.2, 2.0, size), 0.0).astype(np.float32)

    surname, place = _draw_homes(rng, is_structure, parent)
    first_name = np.where(female, rng.integers(0, len(FEMALE_FIRST_NAMES), size),
                          rng.integers(0, len(MALE_FIRST_NAMES), size)).astype(np.int16)
    mailboxes = draw_mailboxes(rng, female, first_name, surname)
    return Population(
        first_name=first_name, surname=surname, mailboxes=mailboxes, place=place, size=size, is_structure=is_structure, structure_type=structure_type, female=female,
        age_days=age_days, birth_known=birth_known, parent=parent, dependant=dependant,
        tier=tier, rate=rate, first_season=first_season, last_season=last_season,
        arrival=arrival, home=home, second=second, share_propensity=share_propensity,
    )


def _draw_ages(rng: np.random.Generator, size: int) -> np.ndarray:
    """Ages 5-90, most of them 30-70."""
    group = weighted_choice(rng, (0.07, 0.12, 0.63, 0.18), size)
    years = np.empty(size)
    for index, (low, mode, high) in enumerate(((5, 11, 18), (18, 24, 30), (30, 52, 70),
                                               (65, 71, 90))):
        members = group == index
        years[members] = rng.triangular(low, mode, high, int(members.sum()))
    return (years * YEAR_DAYS).astype(np.int32)


def _draw_families(
    rng: np.random.Generator, is_structure: np.ndarray, age_days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Children attached to a parent 20-45 years older; some adults attached to a structure.

    Parents are drawn at random over the whole population, so about half of the children
    come before their parent in the file (forward references).
    """
    size = len(is_structure)
    parent = np.full(size, -1, dtype=np.int32)
    dependant = np.full(size, -1, dtype=np.int32)
    individual = ~is_structure
    children = np.flatnonzero(individual & (age_days < 18 * YEAR_DAYS) & (rng.random(size) < 0.6))
    adults = np.flatnonzero(
        individual & (age_days >= 25 * YEAR_DAYS) & (age_days < 65 * YEAR_DAYS)
    )
    if len(children) and len(adults):
        adults = adults[np.argsort(age_days[adults], kind="stable")]
        adult_ages = age_days[adults]
        low = np.searchsorted(adult_ages, age_days[children] + int(20 * YEAR_DAYS))
        high = np.searchsorted(adult_ages, age_days[children] + int(45 * YEAR_DAYS))
        has_candidate = high > low
        children, low, high = children[has_candidate], low[has_candidate], high[has_candidate]
        chosen = adults[low + (rng.random(len(children)) * (high - low)).astype(np.int64)]
        parent[children] = chosen
        dependant[chosen] = children
    structures = np.flatnonzero(is_structure)
    if len(structures):
        members = np.flatnonzero(
            individual & (parent < 0) & (age_days >= 23 * YEAR_DAYS)
            & (age_days < 66 * YEAR_DAYS) & (rng.random(size) < 0.015)
        )
        members = members[dependant[members] < 0]  # keep parents and members apart
        employer = structures[rng.integers(0, len(structures), len(members))]
        parent[members] = employer
        dependant[employer] = members
    return parent, dependant


def _draw_homes(
    rng: np.random.Generator, is_structure: np.ndarray, parent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Zipf-like last names (common names are common) and places; children take their
    parent's name and, mostly, address."""
    size = len(is_structure)
    surname = np.minimum(rng.random(size) ** 2.2 * len(LAST_NAMES), len(LAST_NAMES) - 1)
    surname = surname.astype(np.int16)
    place = weighted_choice(rng, place_weights(), size).astype(np.int16)
    child = np.flatnonzero((parent >= 0) & ~is_structure[np.maximum(parent, 0)])
    surname[child] = surname[parent[child]]
    together = child[rng.random(len(child)) < 0.85]
    place[together] = place[parent[together]]
    return surname, place


def _draw_tiers(
    rng: np.random.Generator, is_structure: np.ndarray, age_days: np.ndarray
) -> np.ndarray:
    size = len(is_structure)
    tier = weighted_choice(rng, ADULT_TIERS, size).astype(np.int8)
    children = ~is_structure & (age_days < 18 * YEAR_DAYS)
    tier[children] = weighted_choice(rng, CHILD_TIERS, int(children.sum()))
    tier[is_structure] = weighted_choice(rng, STRUCTURE_TIERS, int(is_structure.sum()))
    return tier


def _draw_rates(
    rng: np.random.Generator, tier: np.ndarray, is_structure: np.ndarray
) -> np.ndarray:
    medians = np.where(
        is_structure, np.asarray(STRUCTURE_RATES)[tier], np.asarray(TIER_RATES)[tier]
    )
    spread = rng.lognormal(0.0, 0.55, len(tier))
    return (medians * spread * RATE_CALIBRATION).astype(np.float32)


def _draw_activity_span(
    rng: np.random.Generator, tier: np.ndarray, is_structure: np.ndarray, seasons: int
) -> tuple[np.ndarray, np.ndarray]:
    size = len(tier)
    later = (1.0 - 0.34) / max(seasons - 1, 1)
    weights = np.array([0.34] + [later] * (seasons - 1))
    first = weighted_choice(rng, weights, size).astype(np.int8)
    loyal = tier == LOYAL
    early = np.array([0.6] + [0.4 / max(seasons - 1, 1)] * (seasons - 1))
    first[loyal] = weighted_choice(rng, early, int(loyal.sum()))
    continuation = np.asarray(TIER_CONTINUATION)[tier]
    continuation = np.where(is_structure & (tier >= OCCASIONAL), continuation + 0.1, continuation)
    stay = rng.geometric(np.clip(1.0 - continuation, 0.02, 1.0), size) - 1
    last = np.minimum(first + stay, seasons - 1).astype(np.int8)
    return first, last


def _draw_arrivals(
    rng: np.random.Generator, first_season: np.ndarray, seasons: list[Season], clock: Clock
) -> np.ndarray:
    """Creation instant: inside the arrival season, or before the history for legacy contacts."""
    starts = np.array([season.start_ts for season in seasons], dtype=np.int64)
    ends = np.array([min(season.end_ts, clock.cap) for season in seasons], dtype=np.int64)
    low, high = starts[first_season], ends[first_season]
    legacy = (first_season == 0) & (rng.random(len(first_season)) < 0.5)
    low = np.where(legacy, day_number(LEGACY_START) * DAY, low)
    high = np.where(legacy, starts[0], high)
    return low + (rng.random(len(first_season)) * (high - low)).astype(np.int64)
