"""What an export of members writes, and whom an export for a purpose keeps.

Columns are written as a list of specs (``--columns``), each also the column's header:

    contact_id, first_name, email …   a contact field (``CONTACT_COLUMNS``)
    pmg                                an indicator's value (its default when not computed)
    pmg:level                          its level (0 when not computed)
    pmg:label                          its level's label in the export's language
    pmg:label_fr, pmg:label_en         … in French, in English
    attribute:NAME                     a custom attribute, as its text

An export for a purpose (``email``, ``sms``, ``post``) keeps the members who opted in to the
channel and have a usable address; every other member is left out for one reason, the first
that applies: ``no_opt_in`` (refused, or never asked), then ``unusable_address``.

Pure: Ibis expressions over unbound tables (the members are the table ``_seg_members``, which
the storage layer fills from a segment or a frozen list).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from habitue.domain.format import CONTACTS
from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.segments.fields import ATTRIBUTE_NAME_PATTERN
from habitue.segments.predicates import attribute_text
from habitue.segments.tables import contacts_table, indicators_table

MEMBERS_TABLE = "_seg_members"
CONTACT_COLUMNS: tuple[str, ...] = CONTACTS.field_names
DEFAULT_COLUMNS: tuple[str, ...] = (
    "contact_id", "title", "first_name", "last_name", "structure_name", "email", "phone",
    "street", "postal_code", "city", "country",
)
INDICATOR_PARTS = ("value", "level", "label", "label_fr", "label_en")
LANGS = ("fr", "en")

PURPOSES = ("email", "sms", "post")
REASONS = ("no_opt_in", "unusable_address")
# an @ with something before it, and a dot with something on both sides after it
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"


class ColumnError(ValueError):
    """A column spec that names nothing an export can write."""


@dataclass(frozen=True)
class Column:
    spec: str  # as written; the header
    kind: str  # field | indicator | attribute
    name: str  # the field, the indicator's code or the attribute's name
    part: str = "value"  # indicators: value | level | label | label_fr | label_en


def parse_columns(specs: Sequence[str] | str | None, *,
                  indicators: Collection[str] | None = None) -> tuple[Column, ...]:
    """The columns named by ``specs`` (a list, or one comma-separated text; None: the default
    columns). ``indicators``: the enabled indicators (None: the whole catalogue)."""
    if specs is None:
        specs = DEFAULT_COLUMNS
    if isinstance(specs, str):
        specs = [s for s in (p.strip() for p in specs.split(",")) if s]
    if not specs:
        raise ColumnError("no column to export")
    out: list[Column] = []
    for spec in specs:
        column = _parse(spec.strip(), indicators)
        if any(c.spec == column.spec for c in out):
            raise ColumnError(f"the column '{column.spec}' is given twice")
        out.append(column)
    return tuple(out)


def _parse(spec: str, indicators: Collection[str] | None) -> Column:
    if spec in CONTACT_COLUMNS:
        return Column(spec, "field", spec)
    head, sep, tail = spec.partition(":")
    if head == "attribute" and sep:
        if not re.match(ATTRIBUTE_NAME_PATTERN, tail):
            raise ColumnError(f"'{tail}' is not an attribute name")
        return Column(spec, "attribute", tail)
    if head in INDICATOR_BY_CODE:
        if indicators is not None and head not in indicators:
            raise ColumnError(f"the indicator '{head}' is disabled for this institution")
        part = tail if sep else "value"
        if part not in INDICATOR_PARTS:
            raise ColumnError(f"unknown part '{tail}' of indicator '{head}'; expected one of: "
                              f"{', '.join(p for p in INDICATOR_PARTS if p != 'value')}")
        return Column(spec, "indicator", head, part)
    raise ColumnError(
        f"unknown column '{spec}'; expected a contact field ({', '.join(CONTACT_COLUMNS)}), "
        "an indicator code (e.g. pmg, pmg:level, pmg:label, pmg:label_en) or attribute:NAME")


def members_table() -> ir.Table:
    return ibis.table({"institution_id": dt.string, "contact_id": dt.string},
                      name=MEMBERS_TABLE)


def _member_contacts(organisation_id: str, columns: Sequence[Column]) -> ir.Table:
    """The members joined to their contact row and, when a column needs it, to their row of
    the organisation's indicators (``_ci_<column>``)."""
    m, c = members_table(), contacts_table()
    t = m.inner_join(c, [m.institution_id == c.institution_id, m.contact_id == c.contact_id])
    t = t.select(c)
    needed = sorted({f"{col.name}_level" if col.part != "value" else col.name
                     for col in columns if col.kind == "indicator"})
    if needed:
        ci = indicators_table()
        ci = ci.filter(ci.organisation_id == organisation_id).select(
            _ci_contact=ci.contact_id, **{f"_ci_{n}": ci[n] for n in needed})
        t = t.left_join(ci, t.contact_id == ci._ci_contact)
    return t


def _indicator_value(t: ir.Table, col: Column, lang: str) -> ir.Value:
    ind = INDICATOR_BY_CODE[col.name]
    if col.part == "value":
        value = t[f"_ci_{col.name}"]
        if ind.default is not None:
            value = value.fill_null(ind.default)
        return value.cast(dt.string) if value.type().is_boolean() else value
    level = t[f"_ci_{col.name}_level"].fill_null(0)
    if col.part == "level":
        return level
    label_lang = lang if col.part == "label" else col.part[-2:]
    return ibis.cases(*((level == lv.level, lv.label(label_lang)) for lv in ind.levels),
                      else_=ibis.null(dt.string))


def _value(t: ir.Table, col: Column, lang: str) -> ir.Value:
    if col.kind == "field":
        value = t[col.name]
        return value.cast(dt.string) if value.type().is_boolean() else value
    if col.kind == "attribute":
        return attribute_text(t.attributes, col.name)
    return _indicator_value(t, col, lang)


def left_out_reason(t: ir.Table, purpose: str) -> ir.StringValue:
    """Why a member is left out of an export for ``purpose`` (NULL: kept)."""
    def present(col: ir.StringValue) -> ir.BooleanValue:
        return (col.strip().length() > 0).fill_null(False)

    opted_in = t[f"{purpose}_opt_in"].fill_null(False)
    if purpose == "email":
        usable = t.email.strip().re_search(EMAIL_PATTERN).fill_null(False)
    elif purpose == "sms":
        usable = present(t.phone)
    elif purpose == "post":
        usable = present(t.street) & present(t.postal_code) & present(t.city)
    else:
        raise ValueError(f"unknown purpose {purpose!r}; expected one of: {', '.join(PURPOSES)}")
    return ibis.cases((~opted_in, "no_opt_in"), (~usable, "unusable_address"),
                      else_=ibis.null(dt.string))


def export_table(columns: Sequence[Column], *, organisation_id: str, lang: str = "fr",
                 purpose: str | None = None, limit: int | None = None) -> ir.Table:
    """One row per member (kept for ``purpose``, when given), ordered by contact id, with one
    column per spec. Booleans are written ``true`` / ``false`` on every store."""
    t = _member_contacts(organisation_id, columns)
    if purpose is not None:
        t = t.filter(left_out_reason(t, purpose).isnull())
    t = t.order_by(t.contact_id)
    if limit is not None:
        t = t.limit(limit)
    return t.select(**{f"c{i}": _value(t, col, lang) for i, col in enumerate(columns)})


def left_out_counts(purpose: str) -> ir.Table:
    """``(reason, n)``: how many members an export for ``purpose`` leaves out, per reason."""
    t = _member_contacts("", ())
    t = t.select(reason=left_out_reason(t, purpose))
    t = t.filter(t.reason.notnull())
    return t.group_by("reason").aggregate(n=t.count())
