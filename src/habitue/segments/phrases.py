"""French and English words for rules: numbers, money, dates, windows and comparisons.

French numbers group thousands with U+202F (narrow no-break space) and use a decimal comma;
English (en_GB) uses ``,`` and ``.``. Dates are written out (``1er mars 2026``, ``1 March 2026``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from habitue.segments.definition import Comparison, Window

NNBSP = "\u202f"
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
# unit -> (fr singular, fr plural, feminine, en singular, en plural)
UNITS = {"days": ("jour", "jours", False, "day", "days"),
         "weeks": ("semaine", "semaines", True, "week", "weeks"),
         "months": ("mois", "mois", False, "month", "months"),
         "years": ("année", "années", True, "year", "years")}


@dataclass(frozen=True)
class Names:
    """Display names by key (segments, seasons, products, performances); a key without a name
    is shown as is."""

    segments: Mapping[str, str] = field(default_factory=dict)
    seasons: Mapping[str, str] = field(default_factory=dict)
    products: Mapping[str, str] = field(default_factory=dict)
    performances: Mapping[str, str] = field(default_factory=dict)


def colon(lang: str) -> str:
    """French puts a (no-break) space before a colon."""
    return "\u00a0: " if lang == "fr" else ": "


def quote(text: str, lang: str) -> str:
    return f"«\u00a0{text}\u00a0»" if lang == "fr" else f"“{text}”"


def or_list(items: list[str], lang: str, word: str | None = None) -> str:
    """``a, b ou c`` / ``a, b or c``."""
    word = word or ("ou" if lang == "fr" else "or")
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def number(value: int | Decimal, lang: str) -> str:
    value = Decimal(value)
    integral = value == value.to_integral_value()
    text = f"{value:,.0f}" if integral else f"{value:,.2f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def money(value: Decimal, lang: str, currency: str = "EUR") -> str:
    symbol = CURRENCY_SYMBOLS.get(currency)
    amount = number(value, lang)
    if lang == "fr":
        return f"{amount}\u00a0{symbol or currency}"
    return f"{symbol}{amount}" if symbol else f"{currency} {amount}"


def day(d: date, lang: str) -> str:
    if lang == "fr":
        return f"{'1er' if d.day == 1 else d.day} {MONTHS_FR[d.month - 1]} {d.year}"
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def window(w: Window, direction: str, lang: str) -> str:
    """``dans les 12 derniers mois`` / ``in the last 12 months``; ``next``: ``prochains``."""
    sing, plur, fem, en_sing, en_plur = UNITS[w.unit]
    if lang == "fr":
        if direction == "last":
            adj = ("dernière" if fem else "dernier") if w.count == 1 else \
                ("dernières" if fem else "derniers")
        else:
            adj = ("prochaine" if fem else "prochain") if w.count == 1 else \
                ("prochaines" if fem else "prochains")
        if w.count == 1:
            return f"dans {'la' if fem else 'le'} {adj} {sing}"
        return f"dans les {w.count} {adj} {plur}"
    word = "last" if direction == "last" else "next"
    return f"in the {word} {en_sing}" if w.count == 1 else f"in the {word} {w.count} {en_plur}"


def date_phrase(c: Comparison, lang: str, *, feminine: bool = False) -> str:
    """A date comparison: ``avant le 1er mars 2026``, ``in the last 12 months``…"""
    fr = lang == "fr"
    v = c.value
    if c.op in ("last", "next"):
        return window(v, c.op, lang)
    if c.op == "known":
        if fr:
            return ("renseignée" if feminine else "renseigné") if v else \
                ("non renseignée" if feminine else "non renseigné")
        return "known" if v else "unknown"
    if c.op == "between":
        a, b = day(v[0], lang), day(v[1], lang)
        return f"du {a} au {b}" if fr else f"from {a} to {b}"
    if c.op == "in":
        days = [day(d, lang) for d in v]
        return f"le {or_list(days, lang)}" if fr else f"on {or_list(days, lang)}"
    d = day(v, lang)
    return {
        "is": (f"le {d}", f"on {d}"),
        "gt": (f"après le {d}", f"after {d}"),
        "gte": (f"le {d} ou après", f"on or after {d}"),
        "lt": (f"avant le {d}", f"before {d}"),
        "lte": (f"le {d} ou avant", f"on or before {d}"),
    }[c.op][0 if fr else 1]


def amount_phrase(c: Comparison, lang: str, fmt, *, fewer: bool = False,
                  feminine: bool = False) -> str:
    """A comparison of a quantity: ``au moins 2``, ``between 1 and 3``; ``fmt`` writes one
    value (a number, money, an age). ``fewer``: English says "fewer than" for counts."""
    fr = lang == "fr"
    v = c.value
    if c.op == "known":
        if fr:
            return ("connue" if feminine else "connu") if v else \
                ("inconnue" if feminine else "inconnu")
        return "known" if v else "unknown"
    if c.op == "between":
        return f"entre {fmt(v[0])} et {fmt(v[1])}" if fr else \
            f"between {fmt(v[0])} and {fmt(v[1])}"
    if c.op == "in":
        return or_list([fmt(x) for x in v], lang)
    x = fmt(v)
    return {
        "is": (f"exactement {x}", f"exactly {x}"),
        "gt": (f"plus de {x}", f"more than {x}"),
        "gte": (f"au moins {x}", f"at least {x}"),
        "lt": (f"moins de {x}", f"{'fewer' if fewer else 'less'} than {x}"),
        "lte": (f"au plus {x}", f"at most {x}"),
    }[c.op][0 if fr else 1]


def plural_count(c: Comparison) -> int:
    """The number a noun after the comparison agrees with (the upper bound of a range)."""
    if c.op == "between":
        return c.value[1]
    return c.value if isinstance(c.value, int) else 2


def is_plural(n: int, lang: str) -> bool:
    """French: 0 and 1 are singular; English: only 1 is."""
    return n >= 2 if lang == "fr" else n != 1


def text_phrase(c: Comparison, lang: str, *, feminine: bool = False, fmt=None) -> str:
    """A text comparison: ``Paris``, ``Paris ou Lyon``, ``commençant par 75``, ``renseigné``."""
    fmt = fmt or (lambda v: v)
    if c.op == "known":
        return date_phrase(c, lang, feminine=feminine)
    if c.op == "starts_with":
        return f"commençant par {c.value}" if lang == "fr" else f"starting with {c.value}"
    if c.op == "in":
        return or_list([fmt(v) for v in c.value], lang)
    return fmt(c.value)
