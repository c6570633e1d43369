"""Operators and the values they take, by kind of operand, and the parsing of a comparison.

A comparison is written ``{op: value}`` (``{gte: 2}``, ``{between: [18, 25]}``,
``{last: 12 months}``); a bare scalar means ``is`` and a bare list means ``in`` where the
operand allows them. Operator names have aliases (``≥``, ``>=``, ``ge`` → ``gte``…); the
parsed comparison keeps the canonical name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from habitue.segments.definition import Comparison, Window
from habitue.segments.errors import SpecError, unknown

ALIASES: dict[str, str] = {
    "is": "is", "eq": "is", "=": "is", "==": "is",
    "in": "in",
    "gt": "gt", ">": "gt",
    "gte": "gte", ">=": "gte", "≥": "gte", "ge": "gte",
    "lt": "lt", "<": "lt",
    "lte": "lte", "<=": "lte", "≤": "lte", "le": "lte",
    "between": "between",
    "starts_with": "starts_with", "prefix": "starts_with",
    "last": "last", "next": "next",
    "known": "known", "unknown": "unknown",
}

# operand kinds → the canonical operators they accept
ORDERED = ("is", "gt", "gte", "lt", "lte", "between")
OPS: dict[str, tuple[str, ...]] = {
    "text": ("is", "in", "starts_with", "known"),
    "enum": ("is", "in"),
    "id": ("is", "in", "known"),
    "number": (*ORDERED, "known"),
    "count": ORDERED,                 # a count: never unknown, 0 when nothing
    "amount": ORDERED,                # money spent: never unknown, 0 when nothing
    "integer": (*ORDERED, "known"),   # age
    "date": (*ORDERED, "last", "next", "known"),
    "period": (*ORDERED, "last", "next"),  # a date that always exists (order, performance)
    "boolean": ("is", "known"),
    "level": ("is", "in", "gt", "gte", "lt", "lte", "between"),
}

_WINDOW = re.compile(r"^\s*(\d+)\s*([^\d\s].*?)\s*$")
WINDOW_UNITS = {
    "day": "days", "days": "days", "jour": "days", "jours": "days",
    "week": "weeks", "weeks": "weeks", "semaine": "weeks", "semaines": "weeks",
    "month": "months", "months": "months", "mois": "months",
    "year": "years", "years": "years", "an": "years", "ans": "years", "année": "years",
    "années": "years",
}
TYPE_NAMES = {"text": ("a text", "un texte"), "integer": ("a whole number", "un nombre entier"),
              "number": ("a number", "un nombre"), "date": ("a date (YYYY-MM-DD)",
                                                           "une date (AAAA-MM-JJ)"),
              "boolean": ("true or false", "true ou false"),
              "list": ("a list", "une liste"), "object": ("an object", "un objet"),
              "window": ("a window such as '12 months'", "une période comme « 12 months »")}


def wrong_type(path: str, expected: str, got: object) -> SpecError:
    en, fr = TYPE_NAMES[expected]
    shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    hint_en = hint_fr = ""
    if expected == "text" and isinstance(got, (bool, int, float)):
        hint_en, hint_fr = " (put the value in quotes)", " (mettez la valeur entre guillemets)"
    return SpecError("wrong_type", path, f"expected {en}, got {shown}{hint_en}",
                     f"attendu : {fr}, reçu : {shown}{hint_fr}")


def bad_value(path: str, en: str, fr: str) -> SpecError:
    return SpecError("bad_value", path, en, fr)


# -- scalar readers: (raw value, path) -> parsed value -------------------------------------------

def read_text(raw: object, path: str) -> str:
    if not isinstance(raw, str):
        raise wrong_type(path, "text", raw)
    text = raw.strip()
    if not text:
        raise bad_value(path, "empty text", "texte vide")
    return text


def read_integer(raw: object, path: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise wrong_type(path, "integer", raw)
    if raw < 0:
        raise bad_value(path, f"{raw} is negative", f"{raw} est négatif")
    return raw


def read_number(raw: object, path: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
        raise wrong_type(path, "number", raw)
    value = Decimal(str(raw))
    if not value.is_finite():
        raise bad_value(path, f"{raw} is not a number", f"{raw} n'est pas un nombre")
    return value


def read_date(raw: object, path: str) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if not isinstance(raw, str):
        raise wrong_type(path, "date", raw)
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise bad_value(path, f"'{raw}' is not a date (YYYY-MM-DD)",
                        f"« {raw} » n'est pas une date (AAAA-MM-JJ)") from None


def read_boolean(raw: object, path: str) -> bool:
    if not isinstance(raw, bool):
        raise wrong_type(path, "boolean", raw)
    return raw


def read_window(raw: object, path: str) -> Window:
    if not isinstance(raw, str):
        raise wrong_type(path, "window", raw)
    m = _WINDOW.match(raw)
    unit = WINDOW_UNITS.get(m.group(2).lower()) if m else None
    if not m or unit is None or int(m.group(1)) == 0:
        raise bad_value(path, f"'{raw}' is not a window such as '12 months' or '30 days'",
                        f"« {raw} » n'est pas une période comme « 12 months » ou « 30 days »")
    return Window(int(m.group(1)), unit)


def enum_reader(values: tuple[str, ...], what_en: str, what_fr: str, upper: bool = True,
                of_en: str = "", of_fr: str = "") -> Callable[[object, str], str]:
    """A value of an enumeration, in any case (stored upper- or lower-case)."""
    def read(raw: object, path: str) -> str:
        text = read_text(raw, path)
        text = text.upper() if upper else text.lower()
        if text not in values:
            raise unknown("unknown_value", path, what_en, what_fr, raw, values, of_en, of_fr)
        return text
    return read


SCALAR_READERS: dict[str, Callable[[object, str], object]] = {
    "text": read_text, "id": read_text, "number": read_number, "count": read_integer,
    "amount": read_number, "period": read_date,
    "integer": read_integer, "date": read_date, "boolean": read_boolean,
}


# -- comparisons ----------------------------------------------------------------------------

def canonical_op(name: object, path: str, allowed: tuple[str, ...], what_en: str,
                 what_fr: str) -> str:
    """The canonical name of operator ``name`` if ``allowed`` for this operand."""
    op = ALIASES.get(name) if isinstance(name, str) else None
    op = "known" if op == "unknown" else op
    if op is None or op not in allowed:
        shown = ", ".join([*allowed, *(["unknown"] if "known" in allowed else [])])
        return_en = f"unknown operator '{name}' for {what_en}; expected one of: {shown}"
        return_fr = f"opérateur inconnu « {name} » pour {what_fr} ; opérateurs possibles : {shown}"
        raise SpecError("unknown_operator", path, return_en, return_fr)
    return op


def read_operand(op: str, raw: object, path: str, read: Callable[[object, str], object],
                 name: str) -> object:
    """The value of ``op``: one value, a non-empty list (``in``), a pair (``between``), a
    window (``last``/``next``) or a bool (``known``; ``unknown: true`` is ``known: false``)."""
    if op == "known":
        value = read_boolean(raw, path)
        return (not value) if name == "unknown" else value
    if op in ("last", "next"):
        return read_window(raw, path)
    if op == "in":
        if not isinstance(raw, list):
            raise wrong_type(path, "list", raw)
        if not raw:
            raise SpecError("empty_group", path, "an empty list matches no one",
                            "une liste vide ne correspond à personne")
        values = tuple(read(v, f"{path}[{i}]") for i, v in enumerate(raw))
        return tuple(dict.fromkeys(values))
    if op == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            raise bad_value(path, "between takes a list of two values [low, high]",
                            "between prend une liste de deux valeurs [bas, haut]")
        low, high = read(raw[0], f"{path}[0]"), read(raw[1], f"{path}[1]")
        if low > high:
            raise bad_value(path, f"the low bound {raw[0]} is above the high bound {raw[1]}",
                            f"la borne basse {raw[0]} dépasse la borne haute {raw[1]}")
        return (low, high)
    return read(raw, path)


def parse_comparison(raw: object, path: str, kind: str, what_en: str, what_fr: str,
                     read: Callable[[object, str], object] | None = None) -> Comparison:
    """``{op: value}``, or a bare value (``is``) or list (``in``) where ``kind`` allows it."""
    allowed = OPS[kind]
    read = read or SCALAR_READERS[kind]
    if isinstance(raw, dict):
        if len(raw) != 1:
            if not raw:
                raise SpecError("missing_key", path, "an operator is missing, e.g. {gte: 2}",
                                "il manque un opérateur, par exemple {gte: 2}")
            raise SpecError("ambiguous_node", path,
                            f"one operator expected, got {len(raw)}: {', '.join(map(str, raw))}",
                            f"un seul opérateur attendu, {len(raw)} reçus : "
                            f"{', '.join(map(str, raw))}")
        name, value = next(iter(raw.items()))
        op = canonical_op(name, f"{path}.{name}", allowed, what_en, what_fr)
        return Comparison(op, read_operand(op, value, f"{path}.{name}", read, name))
    if isinstance(raw, list) and "in" in allowed:
        return Comparison("in", read_operand("in", raw, path, read, "in"))
    if "is" not in allowed:  # pragma: no cover - every kind accepts is
        raise wrong_type(path, "object", raw)
    return Comparison("is", read(raw, path))
