"""A comparison applied to one column: two-valued boolean Ibis expressions.

Every function returns an expression that is never NULL (an unknown value satisfies no
comparison except ``known: false``), so that ``none[x]`` is exactly the complement of ``x``.
Dates relative to D are computed here, in Python, and enter the SQL as literals.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from habitue.domain.calendar import minus_months, minus_years
from habitue.domain.format import FALSE_WORDS, TRUE_WORDS
from habitue.segments.definition import Comparison, Window

FALSE = ibis.literal(False)


def shift(d: date, window: Window, sign: int) -> date:
    """``d`` moved by ``window`` backwards (``sign=-1``) or forwards (``+1``), with the calendar
    rules of the indicators (29 February − 1 year = 28 February)."""
    n = window.count * sign
    if window.unit == "days":
        return d + timedelta(days=n)
    if window.unit == "weeks":
        return d + timedelta(weeks=n)
    months = n if window.unit == "months" else 12 * n
    return minus_months(d, -months)


def two_valued(expr: ir.BooleanValue) -> ir.BooleanValue:
    return expr.fill_null(False)


def ordered(col: ir.Value, c: Comparison, lit=lambda v: v, *,
            nullable: bool = True) -> ir.BooleanValue:
    """``is``, ``in``, ``gt``, ``gte``, ``lt``, ``lte``, ``between`` and ``known`` on an
    ordered column; ``lit`` turns a parsed value into the column's literal. A column that is
    never NULL (``nullable=False``, e.g. after ``fill_null``) needs no ``COALESCE``."""
    op, v = c.op, c.value
    if op == "known":
        return col.notnull() if v else col.isnull()
    if op == "is":
        expr = col == lit(v)
    elif op == "in":
        expr = col.isin([lit(x) for x in v])
    elif op == "gt":
        expr = col > lit(v)
    elif op == "gte":
        expr = col >= lit(v)
    elif op == "lt":
        expr = col < lit(v)
    elif op == "lte":
        expr = col <= lit(v)
    elif op == "between":
        expr = (col >= lit(v[0])) & (col <= lit(v[1]))
    else:
        raise ValueError(f"operator {op} does not apply here")
    return two_valued(expr) if nullable else expr


def dated(col: ir.Value, c: Comparison, as_of: date, lit=lambda v: v) -> ir.BooleanValue:
    """A date column: ``ordered`` plus ``last`` = ``(D − n, D]`` and ``next`` = ``[D, D + n]``."""
    if c.op == "last":
        return two_valued((col > lit(shift(as_of, c.value, -1))) & (col <= lit(as_of)))
    if c.op == "next":
        return two_valued((col >= lit(as_of)) & (col <= lit(shift(as_of, c.value, +1))))
    return ordered(col, c, lit)


def texts(col: ir.StringValue, c: Comparison) -> ir.BooleanValue:
    """Text compared case-insensitively: ``is``, ``in``, ``starts_with``, ``known``."""
    if c.op == "known":
        return col.notnull() if c.value else col.isnull()
    low = col.lower()
    if c.op == "is":
        return two_valued(low == c.value.lower())
    if c.op == "in":
        return two_valued(low.isin([v.lower() for v in c.value]))
    if c.op == "starts_with":
        return two_valued(low.startswith(c.value.lower()))
    raise ValueError(f"operator {c.op} does not apply to a text")


def age(birth_date: ir.DateValue, c: Comparison, as_of: date) -> ir.BooleanValue:
    """Age in whole years on D, as birth-date bounds: age ≥ n ⇔ born on or before D − n
    years; age ≤ n ⇔ born after D − (n + 1) years."""
    if c.op == "known":
        return birth_date.notnull() if c.value else birth_date.isnull()

    def at_least(n: int) -> ir.BooleanValue:
        return birth_date <= minus_years(as_of, n)

    def at_most(n: int) -> ir.BooleanValue:
        return birth_date > minus_years(as_of, n + 1) if n >= 0 else FALSE

    v = c.value
    expr = {
        "is": lambda: at_least(v) & at_most(v),
        "gt": lambda: at_least(v + 1),
        "gte": lambda: at_least(v),
        "lt": lambda: at_most(v - 1),
        "lte": lambda: at_most(v),
        "between": lambda: at_least(v[0]) & at_most(v[1]),
    }[c.op]()
    return two_valued(expr)


# -- custom attributes: text in JSON, read as a type -----------------------------------------

NUMBER_PATTERN = r"^[+-]?[0-9]{1,20}([.,][0-9]{1,10})?$"
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$"
FR_DATE_PATTERN = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"
NUMBER_TYPE = dt.Decimal(38, 10)


def attribute_text(attributes: ir.JSONValue, name: str) -> ir.StringValue:
    """The attribute's text: NULL when absent, JSON null or not a JSON string (the importer
    keeps every unknown column as trimmed text, an empty cell as null)."""
    return attributes[name].str


def attribute_number(text: ir.StringValue) -> ir.NumericValue:
    """``12``, ``-3.5`` or ``12,50`` as a decimal; anything else NULL (never a cast error)."""
    return ibis.ifelse(text.re_search(NUMBER_PATTERN),
                       text.replace(",", ".").cast(NUMBER_TYPE), ibis.null(NUMBER_TYPE))


def attribute_date(text: ir.StringValue) -> ir.StringValue:
    """``2026-03-14`` (or an ISO date-time) or ``14/03/2026`` as ISO text ``2026-03-14``, which
    compares as dates do; anything else NULL."""
    return ibis.cases(
        (text.re_search(ISO_DATE_PATTERN), text.substr(0, 10)),
        (text.re_search(FR_DATE_PATTERN),
         text.substr(6, 4) + "-" + text.substr(3, 2) + "-" + text.substr(0, 2)),
        else_=ibis.null(dt.string),
    )


def attribute_predicate(attributes: ir.JSONValue, name: str, kind: str, c: Comparison,
                        as_of: date) -> ir.BooleanValue:
    text = attribute_text(attributes, name)
    if kind == "text":
        return texts(text, c)
    if kind == "number":
        return ordered(attribute_number(text), c, lambda v: ibis.literal(v, NUMBER_TYPE))
    if kind == "date":
        return dated(attribute_date(text), c, as_of, lambda d: d.isoformat())
    words = text.lower()
    if c.op == "known":
        known = two_valued(words.isin([*TRUE_WORDS, *FALSE_WORDS]))
        return known if c.value else ~known
    return two_valued(words.isin(TRUE_WORDS if c.value else FALSE_WORDS))
