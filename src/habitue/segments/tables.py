"""What the segment compiler reads: unbound Ibis tables (no connection) and the scope of one
evaluation (organisation, institution, reference date and seasons)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from habitue.domain.calendar import Season, season_context
from habitue.indicators.catalogue import INDICATORS, ValueType
from habitue.indicators.facts import (
    LINES_TABLE,
    ORDERS_TABLE,
    lines_as_of,
    materialised,
    orders_as_of,
)
from habitue.indicators.sources import entity_table

# the ``attributes`` column is JSON (JSONB on PostgreSQL: Ibis then uses the jsonb functions)
ATTRIBUTES_TYPE = dt.JSON(binary=True)
_INDICATOR_TYPES = {ValueType.INTEGER: dt.int32, ValueType.BOOLEAN: dt.boolean,
                    ValueType.DECIMAL: dt.Decimal(14, 2), ValueType.DATE: dt.date}


def contacts_table() -> ir.Table:
    """``contacts`` with its custom attributes."""
    t = entity_table("contacts")
    return ibis.table({**t.schema(), "attributes": ATTRIBUTES_TYPE}, name="contacts")


def indicators_table() -> ir.Table:
    """``contact_indicators``: one row per (organisation, contact), a value and a level column
    per indicator (``storage/schema.py`` declares the same table for the stores)."""
    cols: dict[str, dt.DataType] = {
        "organisation_id": dt.string, "contact_id": dt.string, "institution_id": dt.string,
        "as_of": dt.date, "batch_id": dt.int32,
    }
    for ind in INDICATORS:
        cols[ind.code] = _INDICATOR_TYPES[ind.value_type]
        cols[f"{ind.code}_level"] = dt.int16
    cols["pmg_population"] = dt.string
    cols["pmg_n_population"] = dt.string
    return ibis.table(cols, name="contact_indicators")


def facts_lines_table() -> ir.Table:
    """The lines as of D as the indicator batch materialises them (``_ind_lines``, from
    ``facts.lines_as_of``): status as of D, countable / revenue, holder, buyer, payer, season."""
    orders = materialised(orders_as_of(), ORDERS_TABLE)
    return materialised(lines_as_of(orders), LINES_TABLE)


@dataclass(frozen=True)
class SegmentTables:
    """The relations a segment reads. ``lines`` must have been computed as of the scope's date
    (the storage layer materialises ``_ind_orders`` / ``_ind_lines`` with ``_ind_ctx`` first);
    ``order_lines`` and ``products`` give what the facts leave out (product, genre, door scan)
    unless ``lines`` already carries ``product_id``, ``genre`` and ``scanned_at``."""

    contacts: ir.Table
    indicators: ir.Table
    lines: ir.Table
    order_lines: ir.Table
    products: ir.Table


@lru_cache(maxsize=1)
def segment_tables() -> SegmentTables:
    """The default tables (built once: deriving the facts' schema takes a while)."""
    return SegmentTables(
        contacts=contacts_table(),
        indicators=indicators_table(),
        lines=facts_lines_table(),
        order_lines=entity_table("order_lines"),
        products=entity_table("products"),
    )


@dataclass(frozen=True)
class Scope:
    """One evaluation of a segment: the organisation whose indicators and facts are read, its
    institution (whose contacts are the universe), the reference date D, and the current and
    previous seasons on D (``season: current`` / ``previous``; None when there is none)."""

    organisation_id: str
    institution_id: str
    as_of: date
    current_season_id: str | None = None
    previous_season_id: str | None = None

    @classmethod
    def on(cls, organisation_id: str, institution_id: str, as_of: date,
           seasons: Iterable[Season] = ()) -> Scope:
        ctx = season_context(organisation_id, seasons, as_of)
        return cls(organisation_id, institution_id, as_of,
                   ctx.current.season_id if ctx.current else None,
                   ctx.previous.season_id if ctx.previous else None)

    @property
    def end_ts(self) -> datetime:
        """Facts strictly before this instant are dated on or before D."""
        return datetime.combine(self.as_of + timedelta(days=1), time())

    def season_id(self, season: str) -> str | None:
        if season == "current":
            return self.current_season_id
        if season == "previous":
            return self.previous_season_id
        return season
