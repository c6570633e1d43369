"""What an organisation sells: products and performances, season by season.

The programme is sized from the expected demand (see ``demand``) so that performances sell a
realistic share of their capacity: more contacts means more performances and, past a ceiling,
bigger rooms. Performances are grouped into pools (general programme, children's, young
people's and seniors' shows) from which orders draw by popularity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from habitue.generator import arrow, habits, programme
from habitue.generator import season_programme as sp
from habitue.generator.catalogue_rows import performance_rows, product_rows
from habitue.generator.timeline import Clock, Season, organisation_id, season_id

EVENT, COMPETITION, VISIT = sp.EVENT, sp.COMPETITION, sp.VISIT
TICKET, SUBSCRIPTION, MEMBERSHIP, OTHER = sp.TICKET, sp.SUBSCRIPTION, sp.MEMBERSHIP, sp.OTHER


@dataclass(frozen=True)
class Pool:
    """Performances of one season, sorted by start, with cumulative popularity."""

    performances: np.ndarray  # int32 indices into the catalogue's performances
    starts: np.ndarray  # int64, sorted
    cumulative: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.performances)

    def draw_weighted(self, rng: np.random.Generator, size: int) -> np.ndarray:
        draws = rng.random(size) * self.cumulative[-1]
        position = np.searchsorted(self.cumulative, draws, side="right")
        return self.performances[np.minimum(position, len(self) - 1)]

    def draw_after(self, rng: np.random.Generator, after: np.ndarray) -> np.ndarray:
        """A performance starting after each instant, by popularity; -1 when there is none."""
        low = np.searchsorted(self.starts, after, side="right")
        before = np.concatenate([[0.0], self.cumulative])[low]
        draws = before + rng.random(len(after)) * (self.cumulative[-1] - before)
        position = np.maximum(np.searchsorted(self.cumulative, draws, side="right"), low)
        picked = self.performances[np.minimum(position, len(self) - 1)]
        return np.where(low < len(self), picked, -1).astype(np.int32)


@dataclass(frozen=True)
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
    pools: list[tuple[Pool, ...]]  # per season, one pool per habits.POOL_NAMES
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


def build_catalogue(rng: np.random.Generator, organisation: int, seasons: list[Season],
                    clock: Clock, seats: np.ndarray) -> Catalogue:
    """``seats``: expected seats sold per season and pool (see ``demand.expected_seats``)."""
    builder = sp.ProgrammeBuilder(organisation)
    others = np.array([builder.product(name, OTHER, price=price)
                       for name, price in programme.OTHER_PRODUCTS], dtype=np.int32)
    visit = builder.product(programme.VISIT_PRODUCT[0], TICKET, price=programme.VISIT_PRODUCT[1])
    dated, dated_from = sp.dated_memberships(builder, seasons, clock)
    subscriptions, memberships, pooled = [], [], []
    for index, season in enumerate(seasons):
        subscriptions.append(np.array([
            builder.product(f"{name} {season.name}", SUBSCRIPTION, audience=audience,
                            season=index, price=fee, factor=factor)
            for name, fee, factor, audience in programme.SUBSCRIPTIONS
        ], dtype=np.int32))
        name, fee = programme.SEASONAL_MEMBERSHIP
        memberships.append(builder.product(f"{name} {season.name}", MEMBERSHIP, season=index,
                                           price=fee))
        general = np.concatenate([
            sp.shows(rng, builder, index, season, habits.GENERAL, seats[index, habits.GENERAL]),
            sp.competition(rng, builder, index, season),
            sp.visits(rng, builder, visit, season, seats[index].sum()),
        ])
        special = [sp.shows(rng, builder, index, season, pool, seats[index, pool])
                   for pool in (habits.CHILD, habits.YOUTH, habits.SENIOR)]
        pooled.append([general, *special])
    return _freeze(builder, rng, seasons, pooled, subscriptions,
                   np.array(memberships, dtype=np.int32), dated, dated_from, others)


def _freeze(builder: sp.ProgrammeBuilder, rng: np.random.Generator, seasons: list[Season],
            pooled: list[list[np.ndarray]], subscriptions: list[np.ndarray],
            memberships: np.ndarray, dated: np.ndarray, dated_from: np.ndarray,
            others: np.ndarray) -> Catalogue:
    org = organisation_id(builder.organisation)
    count = len(builder.products)
    product_ids = arrow.templated(f"{org}-P" + "#" * max(5, arrow.digits_needed(count)),
                                  np.arange(1, count + 1))
    columns = {key: np.concatenate([block[key] for block in builder.performances])
               for key in builder.performances[0]}
    performances = len(columns["product"])
    performance_ids = arrow.templated(
        f"{org}-E" + "#" * max(6, arrow.digits_needed(performances)),
        np.arange(1, performances + 1))
    popularity = columns["capacity"] * rng.beta(sp.FILL_A, sp.FILL_B, performances)
    pools = [tuple(_pool(members, columns["start"], popularity) for members in season_pools)
             for season_pools in pooled]
    season_names = [season_id(builder.organisation, s.year) for s in seasons]
    return Catalogue(
        organisation=builder.organisation, product_ids=product_ids,
        product_family=np.array([p[1] for p in builder.products], dtype=np.int8),
        product_audience=np.array([p[2] for p in builder.products], dtype=np.int8),
        product_price=np.array([p[6] for p in builder.products], dtype=np.int64),
        product_factor=np.array([p[7] for p in builder.products], dtype=np.float64),
        performance_ids=performance_ids, performance_product=columns["product"],
        performance_start=columns["start"], performance_kind=columns["kind"], pools=pools,
        subscriptions=subscriptions, memberships=memberships, dated_memberships=dated,
        dated_valid_from=dated_from, others=others,
        product_rows=product_rows(rng, org, product_ids, builder.products, season_names),
        performance_rows=performance_rows(rng, org, performance_ids, product_ids,
                                          builder.products, columns, seasons, season_names),
    )


def _pool(members: np.ndarray, start: np.ndarray, popularity: np.ndarray) -> Pool:
    members = members[np.argsort(start[members], kind="stable")]
    return Pool(members.astype(np.int32), start[members], np.cumsum(popularity[members]))
