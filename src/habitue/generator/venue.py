"""``generate_venue``: the whole synthetic venue, written chunk by chunk.

Contacts are processed in fixed-size chunks; each chunk's orders, lines, shares and visits are
drawn from random streams keyed by (seed, chunk, organisation), so memory stays bounded and the
files are byte-identical for the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from habitue.generator import arrow, programme, streams
from habitue.generator.catalogue import Catalogue, build_catalogue
from habitue.generator.contacts import contact_rows
from habitue.generator.demand import expected_seats
from habitue.generator.identifiers import Identifiers
from habitue.generator.lines import draw_history, line_rows
from habitue.generator.orders import draw_orders, order_rows
from habitue.generator.population import Population, draw_population
from habitue.generator.social import draw_shares, draw_visits, share_rows, visit_rows
from habitue.generator.summary import GenerationSummary
from habitue.generator.tables import Sinks
from habitue.generator.timeline import (
    Clock,
    Season,
    day_number,
    organisation_id,
    season_id,
    season_years,
)

CHUNK_CONTACTS = 50_000

Progress = Callable[[str, int, int], None]


def generate_venue(
    out_dir: Path, *, contacts: int, organisations: int = 1, seed: int = 0,
    fmt: Literal["csv", "parquet"] = "csv", today: date,
    progress: Progress | None = None,
) -> GenerationSummary:
    """Write a synthetic institution in the open import format into ``out_dir``.

    ``progress(step, done, total)`` is called now and then with the steps ``catalogue``
    (organisations done) and ``contacts`` (contacts done, orders included).
    """
    _check(contacts, organisations, seed, fmt, today)
    if isinstance(today, datetime):
        today = today.date()
    report: Progress = progress or (lambda step, done, total: None)
    clock = Clock(today)
    years = season_years(clock)
    seasons = [[Season(o, year) for year in years] for o in range(organisations)]
    sinks = Sinks(Path(out_dir), fmt)
    ids = Identifiers(contacts)
    try:
        sinks["organisations"].write(_organisation_rows(organisations))
        sinks["seasons"].write(_season_rows(seasons))
        population = draw_population(streams.stream(seed, streams.POPULATION), contacts,
                                     organisations, seasons[0], clock)
        catalogues = []
        for o in range(organisations):
            catalogue = build_catalogue(
                streams.stream(seed, streams.CATALOGUE, o), o, seasons[o], clock,
                expected_seats(population, o, seasons[o]))
            sinks["products"].write(catalogue.product_rows)
            sinks["performances"].write(catalogue.performance_rows)
            catalogues.append(catalogue)
            report("catalogue", o + 1, organisations)
        for chunk, first in enumerate(range(0, contacts, CHUNK_CONTACTS)):
            members = np.arange(first, min(first + CHUNK_CONTACTS, contacts), dtype=np.int64)
            first_order = _write_activity(sinks, ids, seed, chunk, members, population,
                                          catalogues, seasons, clock)
            rng = streams.stream(seed, streams.CONTACT_ROWS, chunk)
            sinks["contacts"].write(contact_rows(rng, members, population, first_order, clock,
                                                 ids))
            report("contacts", int(members[-1]) + 1, contacts)
    finally:
        sinks.close()
    return GenerationSummary(directory=Path(out_dir), fmt=fmt, rows=sinks.rows(),
                             paths=sinks.paths(), lines=ids.lines)


def _check(contacts: int, organisations: int, seed: int, fmt: str, today: date) -> None:
    if contacts < 1:
        raise ValueError("contacts must be at least 1")
    if organisations < 1:
        raise ValueError("organisations must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if not isinstance(today, date):
        raise TypeError("today must be a datetime.date")


def _write_activity(sinks: Sinks, ids: Identifiers, seed: int, chunk: int,
                    members: np.ndarray, population: Population, catalogues: list[Catalogue],
                    seasons: list[list[Season]], clock: Clock) -> np.ndarray:
    """Orders, lines, shares and visits of a chunk; returns each member's first order time."""
    never = np.iinfo(np.int64).max
    first_order = np.full(len(members), never, dtype=np.int64)
    for catalogue, org_seasons in zip(catalogues, seasons, strict=True):
        o = catalogue.organisation
        rng = streams.stream(seed, streams.ACTIVITY, chunk, o)
        orders = draw_orders(rng, catalogue, org_seasons, members, population, clock)
        history = draw_history(rng, orders, catalogue, clock)
        order_numbers = ids.next_orders(len(orders))
        line_numbers = ids.next_lines(len(orders.basket.line_order))
        sinks["orders"].write(order_rows(orders, order_numbers, ids))
        sinks["order_lines"].write(line_rows(orders, history, order_numbers, line_numbers,
                                             catalogue, ids))
        np.minimum.at(first_order, orders.basket.buyer - members[0], orders.basket.created)

        rng = streams.stream(seed, streams.SOCIAL, chunk, o)
        shares = draw_shares(rng, orders, members, population, clock, org_seasons[0].start_ts)
        share_numbers = ids.next_shares(len(shares.contact))
        sinks["social_shares"].write(share_rows(o, shares, share_numbers, order_numbers, ids))
        share, visited_at = draw_visits(rng, shares, clock)
        sinks["share_visits"].write(visit_rows(o, share, visited_at, share_numbers,
                                               ids.next_visits(len(share))))
    return np.where(first_order == never, -1, first_order)


def _organisation_rows(organisations: int) -> dict:
    names = [programme.ORGANISATION_NAMES[o % len(programme.ORGANISATION_NAMES)]
             + ("" if o < len(programme.ORGANISATION_NAMES)
                else f" {o // len(programme.ORGANISATION_NAMES) + 1}")
             for o in range(organisations)]
    zeros = np.zeros(organisations, dtype=np.int32)
    return {
        "organisation_id": arrow.vocabulary([organisation_id(o) for o in range(organisations)]),
        "name": arrow.vocabulary(names),
        "institution_id": arrow.pick(arrow.vocabulary(["default"]), zeros),
        "timezone": arrow.pick(arrow.vocabulary(["Europe/Paris"]), zeros),
        "currency": arrow.pick(arrow.vocabulary(["EUR"]), zeros),
    }


def _season_rows(seasons: list[list[Season]]) -> dict:
    flat = [season for org_seasons in seasons for season in org_seasons]
    return {
        "organisation_id": arrow.vocabulary([organisation_id(s.organisation_index)
                                             for s in flat]),
        "season_id": arrow.vocabulary([season_id(s.organisation_index, s.year) for s in flat]),
        "name": arrow.vocabulary([s.name for s in flat]),
        "start_date": arrow.dates(np.array([day_number(s.start) for s in flat])),
        "end_date": arrow.dates(np.array([day_number(s.end) for s in flat])),
    }
