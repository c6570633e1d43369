"""Rows of the products and performances files, built from a catalogue under construction."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from habitue.generator import arrow, programme
from habitue.generator.timeline import Season, day_number

FAMILY_NAMES = ("TICKET", "SUBSCRIPTION", "MEMBERSHIP", "OTHER")
KIND_NAMES = ("EVENT", "COMPETITION", "VISIT")

# product tuple layout: (name, family, audience, genre, season, valid, price, factor)
_NAME, _FAMILY, _AUDIENCE, _GENRE, _SEASON, _VALID = range(6)


def product_rows(
    rng: np.random.Generator, org: str, product_ids: pa.Array, products: list[tuple],
    season_names: list[str],
) -> dict[str, pa.Array]:
    count = len(products)
    audience = np.array([p[_AUDIENCE] for p in products], dtype=np.int32)
    genre = np.array([p[_GENRE] for p in products], dtype=np.int32)
    season = np.array([p[_SEASON] for p in products], dtype=np.int32)
    valid = [p[_VALID] for p in products]
    has_validity = np.array([v is not None for v in valid])
    valid_from = np.array([day_number(v[0]) if v else 0 for v in valid], dtype=np.int32)
    valid_to = np.array([day_number(v[1]) if v else 0 for v in valid], dtype=np.int32)
    # "ALL" is the default: write it for half of the products, leave the rest empty
    implicit_all = (audience == 0) & (rng.random(count) < 0.5)
    return {
        "organisation_id": arrow.constant(org, count),
        "product_id": product_ids,
        "name": arrow.vocabulary([p[_NAME] for p in products]),
        "family": arrow.pick(arrow.vocabulary(FAMILY_NAMES),
                             np.array([p[_FAMILY] for p in products])),
        "audience": arrow.pick(arrow.vocabulary(programme.AUDIENCES), audience, implicit_all),
        "genre": arrow.pick(arrow.vocabulary(programme.GENRES), np.maximum(genre, 0), genre < 0),
        "season_id": arrow.pick(arrow.vocabulary(season_names), np.maximum(season, 0),
                                season < 0),
        "valid_from": arrow.dates(valid_from, ~has_validity),
        "valid_to": arrow.dates(valid_to, ~has_validity),
    }


def performance_rows(
    rng: np.random.Generator, org: str, performance_ids: pa.Array, product_ids: pa.Array,
    products: list[tuple], columns: dict[str, np.ndarray], seasons: list[Season],
    season_names: list[str],
) -> dict[str, pa.Array]:
    count = len(columns["product"])
    product = columns["product"]
    kind = columns["kind"].astype(np.int32)
    # a performance's season defaults to the season containing it: leave it empty now and then
    starts_days = columns["start"] // 86_400
    season_starts = np.array([day_number(s.start) for s in seasons])
    season = np.searchsorted(season_starts, starts_days, side="right") - 1
    implicit_season = rng.random(count) < 0.3
    # "EVENT" is the default kind
    implicit_kind = (kind == 0) & (rng.random(count) < 0.15)
    rounds = programme.COMPETITION_ROUNDS
    names = [products[p][_NAME] if suffix < 0 else f"{products[p][_NAME]} — {rounds[suffix]}"
             for p, suffix in zip(product.tolist(), columns["suffix"].tolist(), strict=True)]
    rooms = [room for room, _ in programme.ROOMS] + [programme.VISIT_ROOM[0]]
    venue = np.where(columns["venue"] < 0, len(rooms) - 1, columns["venue"])
    return {
        "organisation_id": arrow.constant(org, count),
        "performance_id": performance_ids,
        "product_id": arrow.pick(product_ids, product),
        "name": arrow.null_where(arrow.vocabulary(names), rng.random(count) < 0.05),
        "kind": arrow.pick(arrow.vocabulary(KIND_NAMES), kind, implicit_kind),
        "starts_at": arrow.timestamps(columns["start"]),
        "season_id": arrow.pick(arrow.vocabulary(season_names), season, implicit_season),
        "venue": arrow.pick(arrow.vocabulary(rooms), venue),
        "capacity": arrow.integers(columns["capacity"]),
    }
