"""What an organisation sells: products and performances, season by season.

The programme is sized from the expected demand so that performances are not wildly oversold:
more contacts means more performances and, past a point, bigger rooms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from habitue.generator import arrow, programme
from habitue.generator.catalogue_rows import performance_rows, product_rows
from habitue.generator.programme import AUDIENCE_CHILD, AUDIENCE_SENIOR, AUDIENCE_YOUTH
from habitue.generator.streams import weighted_choice
from habitue.generator.timeline import (
    DAY,
    MINUTE,
    Clock,
    Season,
    add_months,
    day_number,
    organisation_id,
    season_id,
)

TICKET, SUBSCRIPTION, MEMBERSHIP, OTHER = range(4)
EVENT, COMPETITION, VISIT = range(3)
RUN_LENGTHS = (1, 2, 3, 4, 5, 6, 7, 8)
RUN_WEIGHTS = (0.34, 0.22, 0.14, 0.1, 0.07, 0.05, 0.04, 0.04)
MEAN_RUN = float(np.dot(RUN_LENGTHS, RUN_WEIGHTS) / np.sum(RUN_WEIGHTS))
MEAN_ROOM = 700.0
TARGET_FILL = 0.75
POOL_NAMES = ("all", "child", "youth", "senior")


@dataclass(frozen=True)
class Pool:
    """Performances of one season, sorted by start, with cumulative popularity."""

    performances: np.ndarray  # int32 indices into the catalogue's performances
    starts: np.ndarray  # int64, sorted
    cumulative: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.performances)

    def draw_weighted(self, rng: np.random.Generator, size: int) -> np.ndarray:
        position = np.searchsorted(self.cumulative, rng.random(size) * self.cumulative[-1], "right")
        return self.performances[np.minimum(position, len(self) - 1)]

    def draw_after(self, rng: np.random.Generator, after: np.ndarray) -> np.ndarray:
        """A performance starting after each instant, uniformly; -1 when there is none."""
        low = np.searchsorted(self.starts, after, side="right")
        available = len(self) - low
        position = low + (rng.random(len(after)) * available).astype(np.int64)
        picked = self.performances[np.minimum(position, len(self) - 1)]
        return np.where(available > 0, picked, -1).astype(np.int32)


@dataclass
class Catalogue:
    organisation: int
    product_ids: pa.Array
    product_family: np.ndarray  # int8
    product_audience: np.ndarray  # int8
    product_price: np.ndarray  # int64 cents (full price, or card fee)
    product_factor: np.ndarray  # float64, ticket price factor of a subscription
    performance_ids: pa.Array
    performance_product: np.ndarray  # int32
    performance_start: np.ndarray  # int64 seconds
    performance_kind: np.ndarray  # int8
    pools: list[dict[str, Pool]]  # one dict per season
    subscriptions: list[np.ndarray]  # product indices, per season
    memberships: np.ndarray  # seasonal membership product, per season
    dated_memberships: np.ndarray  # product indices
    dated_valid_from: np.ndarray  # int64 seconds
    others: np.ndarray  # product indices
    product_rows: dict[str, pa.Array] = field(repr=False)
    performance_rows: dict[str, pa.Array] = field(repr=False)

    @property
    def performance_price(self) -> np.ndarray:
        return self.product_price[self.performance_product]

    @property
    def performance_audience(self) -> np.ndarray:
        return self.product_audience[self.performance_product]


class _Builder:
    """Accumulates products and performances, then freezes them into a ``Catalogue``."""

    def __init__(self, organisation: int) -> None:
        self.organisation = organisation
        self.products: list[tuple] = []  # (name, family, audience, genre, season, from, to, price, factor)
        self.performances: list[dict[str, np.ndarray]] = []
        self.performance_count = 0

    def product(self, name: str, family: int, *, audience: int = 0, genre: int = -1,
                season: int = -1, valid: tuple[date, date] | None = None, price: int = 0,
                factor: float = 1.0) -> int:
        self.products.append((name, family, audience, genre, season, valid, price, factor))
        return len(self.products) - 1

    def add_performances(self, **columns: np.ndarray) -> np.ndarray:
        count = len(columns["product"])
        self.performances.append(columns)
        indices = np.arange(self.performance_count, self.performance_count + count, dtype=np.int32)
        self.performance_count += count
        return indices


def build_catalogue(
    rng: np.random.Generator, organisation: int, seasons: list[Season], clock: Clock,
    lines_per_season: float,
) -> Catalogue:
    builder = _Builder(organisation)
    others = np.array(
        [builder.product(name, OTHER, price=price) for name, price in programme.OTHER_PRODUCTS],
        dtype=np.int32,
    )
    visit = builder.product(programme.VISIT_PRODUCT[0], TICKET, price=programme.VISIT_PRODUCT[1])
    dated, dated_from = _dated_memberships(builder, seasons, clock)
    subscriptions: list[np.ndarray] = []
    memberships = []
    season_performances: list[np.ndarray] = []
    for index, season in enumerate(seasons):
        subscriptions.append(np.array([
            builder.product(f"{name} {season.name}", SUBSCRIPTION, audience=audience,
                            season=index, price=fee, factor=factor)
            for name, fee, factor, audience in programme.SUBSCRIPTIONS
        ], dtype=np.int32))
        name, fee = programme.SEASONAL_MEMBERSHIP
        memberships.append(
            builder.product(f"{name} {season.name}", MEMBERSHIP, season=index, price=fee)
        )
        demand = lines_per_season * season.demand
        shows = _shows(rng, builder, index, season, demand)
        competitions = _competition(rng, builder, index, season)
        visits = _visits(rng, builder, visit, index, season, demand)
        season_performances.append(np.concatenate([shows, competitions, visits]))
    return _freeze(builder, rng, seasons, season_performances, subscriptions,
                   np.array(memberships, dtype=np.int32), dated, dated_from, others)


def _dated_memberships(
    builder: _Builder, seasons: list[Season], clock: Clock
) -> tuple[np.ndarray, np.ndarray]:
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


def _shows(
    rng: np.random.Generator, builder: _Builder, index: int, season: Season, demand: float
) -> np.ndarray:
    tickets = 0.85 * demand
    count = int(np.clip(np.ceil(tickets / (TARGET_FILL * MEAN_ROOM)), 16, 900))
    scale = max(1.0, tickets / (count * TARGET_FILL * MEAN_ROOM))
    shows = max(6, int(round(count / MEAN_RUN)))
    genre = weighted_choice(rng, programme.GENRE_WEIGHTS, shows)
    audience = weighted_choice(rng, programme.AUDIENCE_WEIGHTS, shows)
    run = np.asarray(RUN_LENGTHS)[weighted_choice(rng, RUN_WEIGHTS, shows)]
    first_day = rng.integers(14, 290, shows)
    child = audience == AUDIENCE_CHILD
    base_price = np.asarray(programme.GENRE_PRICES)[genre] * rng.lognormal(0.0, 0.2, shows)
    price = np.where(child, rng.uniform(8.0, 14.0, shows), base_price)
    room = np.array([weighted_choice(rng, programme.ROOM_BY_GENRE[g], 1)[0] for g in genre])
    room = np.where(child & (room == 0), 1, room)
    evening = np.asarray(programme.EVENING_TIMES_MIN)[
        weighted_choice(rng, programme.EVENING_TIME_WEIGHTS, shows)]
    matinee = np.asarray(programme.CHILD_TIMES_MIN)[
        weighted_choice(rng, programme.CHILD_TIME_WEIGHTS, shows)]
    minutes = np.where(child, matinee, evening)
    company = rng.random(shows) < 0.35
    products = np.empty(shows, dtype=np.int32)
    for show in range(shows):
        titles = programme.CHILD_TITLES if child[show] else programme.TITLES_BY_GENRE[genre[show]]
        title = titles[rng.integers(len(titles))]
        if company[show]:
            title = f"{title} — {programme.COMPANIES[rng.integers(len(programme.COMPANIES))]}"
        products[show] = builder.product(
            title, TICKET, audience=int(audience[show]), genre=int(genre[show]),
            season=index if rng.random() < 0.75 else -1, price=int(round(price[show])) * 100,
        )
    show_of = np.repeat(np.arange(shows), run)
    nth = np.arange(len(show_of)) - np.repeat(np.cumsum(run) - run, run)
    day = day_number(season.start) + first_day[show_of] + nth
    capacity = np.asarray([r[1] for r in programme.ROOMS])[room[show_of]]
    capacity = np.round(capacity * scale * rng.uniform(0.9, 1.1, len(show_of))).astype(np.int32)
    return builder.add_performances(
        product=products[show_of], kind=np.full(len(show_of), EVENT, dtype=np.int8),
        start=day.astype(np.int64) * DAY + minutes[show_of].astype(np.int64) * MINUTE,
        venue=room[show_of].astype(np.int16), capacity=capacity, suffix=np.full(len(show_of), -1),
    )


def _competition(
    rng: np.random.Generator, builder: _Builder, index: int, season: Season
) -> np.ndarray:
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


def _visits(
    rng: np.random.Generator, builder: _Builder, product: int, index: int, season: Season,
    demand: float,
) -> np.ndarray:
    count = int(np.clip(demand / 20_000, 4, 60))
    first_saturday = (5 - season.start.weekday()) % 7
    weeks = rng.choice(50, size=count, replace=count > 50)
    day = day_number(season.start) + first_saturday + 7 * np.sort(weeks)
    hour = np.where(rng.random(count) < 0.6, 11, 15)
    return builder.add_performances(
        product=np.full(count, product, dtype=np.int32), kind=np.full(count, VISIT, np.int8),
        start=day.astype(np.int64) * DAY + hour * 3600,
        venue=np.full(count, -1, dtype=np.int16),
        capacity=np.full(count, programme.VISIT_ROOM[1], dtype=np.int32),
        suffix=np.full(count, -1),
    )


def _freeze(builder: _Builder, rng: np.random.Generator, seasons: list[Season],
            season_performances: list[np.ndarray], subscriptions: list[np.ndarray],
            memberships: np.ndarray, dated: np.ndarray, dated_from: np.ndarray,
            others: np.ndarray) -> Catalogue:
    org = organisation_id(builder.organisation)
    count = len(builder.products)
    product_ids = arrow.templated(f"{org}-P" + "#" * max(5, arrow.digits_needed(count)),
                                  np.arange(1, count + 1))
    columns = {key: np.concatenate([p[key] for p in builder.performances])
               for key in builder.performances[0]}
    performances = len(columns["product"])
    performance_ids = arrow.templated(
        f"{org}-E" + "#" * max(6, arrow.digits_needed(performances)),
        np.arange(1, performances + 1))
    family = np.array([p[1] for p in builder.products], dtype=np.int8)
    audience = np.array([p[2] for p in builder.products], dtype=np.int8)
    price = np.array([p[6] for p in builder.products], dtype=np.int64)
    factor = np.array([p[7] for p in builder.products], dtype=np.float64)
    popularity = columns["capacity"] * rng.beta(4.0, 2.0, performances)
    popularity[columns["kind"] == VISIT] *= 0.5
    pools = [_season_pools(indices, columns["start"], popularity, audience[columns["product"]])
             for indices in season_performances]
    season_names = [season_id(builder.organisation, s.year) for s in seasons]
    return Catalogue(
        organisation=builder.organisation, product_ids=product_ids, product_family=family,
        product_audience=audience, product_price=price, product_factor=factor,
        performance_ids=performance_ids, performance_product=columns["product"],
        performance_start=columns["start"], performance_kind=columns["kind"], pools=pools,
        subscriptions=subscriptions, memberships=memberships, dated_memberships=dated,
        dated_valid_from=dated_from, others=others,
        product_rows=product_rows(rng, org, product_ids, builder.products, season_names),
        performance_rows=performance_rows(rng, org, performance_ids, product_ids, builder.products,
                                          columns, seasons, season_names),
    )


def _season_pools(indices: np.ndarray, start: np.ndarray, popularity: np.ndarray,
                  audience: np.ndarray) -> dict[str, Pool]:
    pools: dict[str, Pool] = {}
    wanted = {"all": None, "child": AUDIENCE_CHILD, "youth": AUDIENCE_YOUTH,
              "senior": AUDIENCE_SENIOR}
    for name in POOL_NAMES:
        members = indices if wanted[name] is None else indices[audience[indices] == wanted[name]]
        if len(members) == 0:
            members = indices
        members = members[np.argsort(start[members], kind="stable")]
        pools[name] = Pool(members.astype(np.int32), start[members],
                           np.cumsum(popularity[members]))
    return pools
