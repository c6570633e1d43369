"""The programme of one season: shows and their runs of performances, a competition, visits,
subscriptions and memberships, accumulated in a ``ProgrammeBuilder``.

Shows are added until their expected sales cover the expected demand of their pool; when the
number of performances reaches its ceiling, rooms get bigger instead.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from habitue.generator import habits, programme
from habitue.generator.programme import (
    AUDIENCE_ADULT,
    AUDIENCE_ALL,
    AUDIENCE_CHILD,
    AUDIENCE_SENIOR,
    AUDIENCE_YOUTH,
)
from habitue.generator.streams import weighted_choice
from habitue.generator.timeline import DAY, MINUTE, Clock, Season, add_months, day_number

TICKET, SUBSCRIPTION, MEMBERSHIP, OTHER = range(4)
EVENT, COMPETITION, VISIT = range(3)
RUN_LENGTHS = (1, 2, 3, 4, 5, 6, 7, 8)
RUN_WEIGHTS = (0.34, 0.22, 0.14, 0.1, 0.07, 0.05, 0.04, 0.04)
# popularity of a performance: its capacity times a fill rate ~ Beta(4, 2)
FILL_A, FILL_B = 4.0, 2.0
MEAN_FILL = FILL_A / (FILL_A + FILL_B)
# expected sales of the most popular performances, as a share of capacity
TARGET_LOAD = 0.85
MAX_PERFORMANCES = (1200, 200, 80, 80)  # per season, per pool
MIN_SHOWS = (8, 3, 2, 2)
POOL_AUDIENCES = (AUDIENCE_ALL, AUDIENCE_CHILD, AUDIENCE_YOUTH, AUDIENCE_SENIOR)
CHILD_GENRE_WEIGHTS = (0.45, 0.0, 0.15, 0.2, 0.2, 0.0)


class ProgrammeBuilder:
    """Accumulates products and performances of one organisation."""

    def __init__(self, organisation: int) -> None:
        self.organisation = organisation
        # (name, family, audience, genre, season, validity, price in cents, ticket factor)
        self.products: list[tuple] = []
        self.performances: list[dict[str, np.ndarray]] = []
        self.performance_count = 0

    def product(self, name: str, family: int, *, audience: int = AUDIENCE_ALL, genre: int = -1,
                season: int = -1, valid: tuple[date, date] | None = None, price: int = 0,
                factor: float = 1.0) -> int:
        self.products.append((name, family, audience, genre, season, valid, price, factor))
        return len(self.products) - 1

    def add_performances(self, **columns: np.ndarray) -> np.ndarray:
        count = len(columns["product"])
        self.performances.append(columns)
        first = self.performance_count
        self.performance_count += count
        return np.arange(first, first + count, dtype=np.int32)


def dated_memberships(builder: ProgrammeBuilder, seasons: list[Season],
                      clock: Clock) -> tuple[np.ndarray, np.ndarray]:
    """12-month cards starting every quarter, from the first season up to today."""
    name, price = programme.DATED_MEMBERSHIP
    indices, starts = [], []
    start = seasons[0].start
    while start <= clock.today:
        valid_to = add_months(start, 12) - timedelta(days=1)
        label = f"{name} ({programme.FRENCH_MONTHS[start.month - 1]} {start.year})"
        indices.append(builder.product(label, MEMBERSHIP, valid=(start, valid_to), price=price))
        starts.append(day_number(start) * DAY)
        start = add_months(start, 3)
    return np.array(indices, dtype=np.int32), np.array(starts, dtype=np.int64)


def shows(rng: np.random.Generator, builder: ProgrammeBuilder, index: int, season: Season,
          pool: int, seats: float) -> np.ndarray:
    """Shows of one pool, enough of them to sell about ``seats`` seats in the season."""
    candidates = MAX_PERFORMANCES[pool]
    if pool == habits.CHILD:
        genre = weighted_choice(rng, CHILD_GENRE_WEIGHTS, candidates)
    else:
        genre = weighted_choice(rng, programme.GENRE_WEIGHTS, candidates)
    audience = np.full(candidates, POOL_AUDIENCES[pool], dtype=np.int32)
    if pool == habits.GENERAL:
        audience[rng.random(candidates) < 0.12] = AUDIENCE_ADULT
    run = np.asarray(RUN_LENGTHS)[weighted_choice(rng, RUN_WEIGHTS, candidates)]
    room_cumulative = np.cumsum(np.asarray(programme.ROOM_BY_GENRE), axis=1)[genre]
    room = (rng.random(candidates)[:, None] >= room_cumulative).sum(axis=1)
    room = np.minimum(room, len(programme.ROOMS) - 1)
    child = audience == AUDIENCE_CHILD
    room = np.where(child & (room == 0), 1, room)
    room_capacity = np.asarray([capacity for _, capacity in programme.ROOMS])[room]
    expected = np.cumsum(run * room_capacity * MEAN_FILL * TARGET_LOAD)
    count = int(np.searchsorted(expected, seats) + 1)
    count = min(count, int(np.searchsorted(np.cumsum(run), candidates, side="right")))
    count = max(count, MIN_SHOWS[pool])
    scale = max(1.0, seats / expected[count - 1])
    genre, audience, run, room, child = genre[:count], audience[:count], run[:count], \
        room[:count], child[:count]

    first_day = rng.integers(14, 290, count)
    base_price = np.asarray(programme.GENRE_PRICES)[genre] * rng.lognormal(0.0, 0.2, count)
    price = np.where(child, rng.uniform(8.0, 14.0, count), base_price)
    evening = np.asarray(programme.EVENING_TIMES_MIN)[
        weighted_choice(rng, programme.EVENING_TIME_WEIGHTS, count)]
    matinee = np.asarray(programme.CHILD_TIMES_MIN)[
        weighted_choice(rng, programme.CHILD_TIME_WEIGHTS, count)]
    minutes = np.where(child, matinee, evening)
    company = rng.random(count) < 0.35
    seasonal = rng.random(count) < 0.75
    products = np.empty(count, dtype=np.int32)
    for show in range(count):
        titles = programme.CHILD_TITLES if child[show] else programme.TITLES_BY_GENRE[genre[show]]
        title = titles[rng.integers(len(titles))]
        if company[show]:
            title = f"{title} — {programme.COMPANIES[rng.integers(len(programme.COMPANIES))]}"
        products[show] = builder.product(
            title, TICKET, audience=int(audience[show]), genre=int(genre[show]),
            season=index if seasonal[show] else -1, price=round(float(price[show])) * 100,
        )
    show_of = np.repeat(np.arange(count), run)
    nth = np.arange(len(show_of)) - np.repeat(np.cumsum(run) - run, run)
    day = day_number(season.start) + first_day[show_of] + nth
    capacity = room_capacity[:count][show_of] * scale * rng.uniform(0.9, 1.1, len(show_of))
    return builder.add_performances(
        product=products[show_of], kind=np.full(len(show_of), EVENT, dtype=np.int8),
        start=day.astype(np.int64) * DAY + minutes[show_of].astype(np.int64) * MINUTE,
        venue=room[show_of].astype(np.int16), capacity=np.round(capacity).astype(np.int32),
        suffix=np.full(len(show_of), -1),
    )


def competition(rng: np.random.Generator, builder: ProgrammeBuilder, index: int,
                season: Season) -> np.ndarray:
    """A yearly competition: a semi-final and a final two days apart, in spring."""
    name, price = programme.COMPETITION_PRODUCT
    product = builder.product(f"{name} {season.year + 1}", TICKET, genre=3, season=index,
                              price=price)
    rounds = len(programme.COMPETITION_ROUNDS)
    final_day = day_number(season.start) + int(rng.integers(200, 280))
    days = final_day - np.arange(rounds)[::-1] * 2
    return builder.add_performances(
        product=np.full(rounds, product, dtype=np.int32),
        kind=np.full(rounds, COMPETITION, dtype=np.int8),
        start=days.astype(np.int64) * DAY + 20 * 3600, venue=np.zeros(rounds, dtype=np.int16),
        capacity=np.full(rounds, programme.ROOMS[0][1], dtype=np.int32),
        suffix=np.arange(rounds),
    )


def visits(rng: np.random.Generator, builder: ProgrammeBuilder, product: int, season: Season,
           seats: float) -> np.ndarray:
    """Guided tours of the building on Saturdays."""
    count = int(np.clip(seats / 20_000, 4, 49))
    first_saturday = (5 - season.start.weekday()) % 7
    weeks = 1 + rng.choice(49, size=count, replace=False)
    day = day_number(season.start) + first_saturday + 7 * np.sort(weeks)
    hour = np.where(rng.random(count) < 0.6, 11, 15)
    return builder.add_performances(
        product=np.full(count, product, dtype=np.int32), kind=np.full(count, VISIT, np.int8),
        start=day.astype(np.int64) * DAY + hour * 3600,
        venue=np.full(count, -1, dtype=np.int16),
        capacity=np.full(count, programme.VISIT_ROOM[1], dtype=np.int32),
        suffix=np.full(count, -1),
    )
