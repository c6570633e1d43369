"""Ibis schemas of the tables the indicator compiler reads (unbound: no connection)."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt

from habitue.domain.format import ENTITY_BY_NAME, FieldType

_IBIS_TYPES: dict[FieldType, dt.DataType] = {
    FieldType.ID: dt.string, FieldType.TEXT: dt.string, FieldType.ENUM: dt.string,
    FieldType.TIMEZONE: dt.string, FieldType.CURRENCY: dt.string, FieldType.COUNTRY: dt.string,
    FieldType.DATE: dt.date, FieldType.DATETIME: dt.timestamp,
    FieldType.DECIMAL: dt.Decimal(14, 2), FieldType.BOOLEAN: dt.boolean,
    FieldType.INTEGER: dt.int32,
}


# the columns the importer derives (``storage.schema.DERIVED_COLUMNS``)
_DERIVED: dict[str, dict[str, dt.DataType]] = {
    "order_lines": {"last_status": dt.string, "last_status_at": dt.timestamp},
}


def entity_table(name: str) -> ibis.Table:
    entity = ENTITY_BY_NAME[name]
    fields = {f.name: _IBIS_TYPES[f.type] for f in entity.fields
              if f.name not in entity.history_fields}
    fields.update(_DERIVED.get(name, {}))
    return ibis.table(fields, name=name)


def statuses_table() -> ibis.Table:
    return ibis.table({"organisation_id": dt.string, "line_id": dt.string, "status": dt.string,
                       "status_at": dt.timestamp, "seq": dt.int64},
                      name="order_line_statuses")


# Per organisation, what the rules need to know on D: its seasons and every date a rule
# compares with. Dates are data, not literals, so that one compiled query serves every D.
CONTEXT_SCHEMA = {
    "organisation_id": dt.string,
    "institution_id": dt.string,
    "current_season_id": dt.string,
    "previous_season_id": dt.string,
    "young_born_from": dt.date,
    "as_of": dt.date,
    "end_ts": dt.timestamp,  # facts strictly before this instant are dated on or before D
    "months_12": dt.date,
    "months_36": dt.date,
    "years_1": dt.date,
    "years_3": dt.date,
    "years_4": dt.date,
}


def touched_table(name: str = "_ind_touched") -> ibis.Table:
    """The (organisation, contact) pairs of a per-contact refresh."""
    return ibis.table({"organisation_id": dt.string, "contact_id": dt.string}, name=name)


def context_table(name: str = "_ind_ctx") -> ibis.Table:
    return ibis.table(CONTEXT_SCHEMA, name=name)


def thresholds_table(name: str = "_ind_thresholds") -> ibis.Table:
    """Band thresholds of the last batch, for levels computed outside a batch."""
    return ibis.table({"organisation_id": dt.string, "indicator": dt.string,
                       "population": dt.string, "level_1_max": dt.Decimal(14, 2),
                       "level_2_max": dt.Decimal(14, 2)}, name=name)
