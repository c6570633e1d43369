"""Text folded for the contact search: no accents, no capitals, ligatures spelt out.

"Hélène", "HELENE" and "hélène" all fold to "helene", "Lœvenbruck" to "loevenbruck", "Łódź" to
"lodz", "Straße" to "strasse". The folding is applied twice and both must agree: to the names
in SQL (``folded_sql``), once, when a contact is written (its ``search_text``,
``search_text_sql``: the importer's merge, migration 0011), and to the words typed, in Python
(``fold``), at every search.

An accent is taken off the way Unicode decomposes a letter (é = e + a combining acute), so
every accented letter of every Latin alphabet is covered, and text stored decomposed (as some
Mac software writes it) too: DuckDB's ``strip_accents``; on PostgreSQL ``normalize(…, NFD)``
then the combining accents (U+0300–U+036F) removed. Not ``translate`` with a table of accented
letters: with the 190 letters of the Latin alphabets it was 30 (DuckDB) to 40 (PostgreSQL)
times slower than ``lower`` on 100k contacts, as it compares each character with the whole
table; not the ``unaccent`` extension: not always installed. The letters Unicode does not
decompose (ø, ł, đ, ħ, ı, ŀ) and the ligatures are spelt out by ``replace``.

The engines differ outside the Latin, Greek and Cyrillic alphabets: DuckDB's ``strip_accents``
drops every combining mark (Hebrew points, Indic vowel signs, Japanese voicing marks) and
composes again; PostgreSQL drops U+0300–U+036F only. ``fold`` follows the engine that folded
the stored text, so a name typed exactly as stored is found. One exception: a PostgreSQL
store's rows written by an import merged in DuckDB (``importers.mirror``) hold DuckDB's
folding while the words are folded PostgreSQL's way; the two agree on the Latin, Greek and
Cyrillic alphabets, so only a word of those other scripts typed with its marks may miss such a
row (typed without them, it is found). Both skip the work for a text of ASCII only (most names
and emails), which ``lower`` alone folds.

Changing the folding changes what is stored: it then needs a migration that writes
``search_text`` again (as 0011 does); tests/integration/test_contact_search.py fails until
there is one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# letters no decomposition takes apart, and ligatures: spelt out first (capitals too, so that
# a PostgreSQL database of ctype C, whose lower() knows ASCII only, folds them alike)
SPELT: tuple[tuple[str, str], ...] = (
    ("æ", "ae"), ("Æ", "ae"), ("œ", "oe"), ("Œ", "oe"), ("ß", "ss"), ("ẞ", "ss"),
    ("ø", "o"), ("Ø", "o"), ("ł", "l"), ("Ł", "l"), ("đ", "d"), ("Đ", "d"),
    ("ħ", "h"), ("Ħ", "h"), ("ı", "i"), ("ŀ", "l"), ("Ŀ", "l"),
)
_SPELT_CLASS = "[" + "".join(letter for letter, _ in SPELT) + "]"
_PG_ACCENTS = re.compile("[\u0300-\u036f]+")

# per engine: the text is ASCII only; it holds a letter of SPELT; its accents taken off
_SQL = {
    "duckdb": ("strlen({0}) = length({0})", f"regexp_matches({{0}}, '{_SPELT_CLASS}')",
               "strip_accents({0})"),
    "postgresql": ("octet_length({0}) = char_length({0})", f"{{0}} ~ '{_SPELT_CLASS}'",
                   "regexp_replace(normalize({0}, NFD), '[\\u0300-\\u036f]+', '', 'g')"),
}


def _spelt_sql(expression: str) -> str:
    for letter, spelt in SPELT:
        expression = f"replace({expression}, '{letter}', '{spelt}')"
    return expression


def folded_sql(expression: str, dialect: str) -> str:
    """SQL of ``expression`` (text) folded, for ``dialect`` (``duckdb`` or ``postgresql``);
    NULL stays NULL. Repeat ``expression`` freely: it appears several times."""
    ascii_only, has_spelt, unaccented = _SQL[dialect]
    return (f"CASE WHEN {ascii_only.format(expression)} THEN lower({expression}) "
            f"WHEN {has_spelt.format(expression)} "
            f"THEN lower({unaccented.format(_spelt_sql(expression))}) "
            f"ELSE lower({unaccented.format(expression)}) END")


# what a contact's ``search_text`` holds: these columns, folded, joined by spaces (a word typed
# has no space, so finding it there is finding it in one of them)
SEARCHED_COLUMNS = ("last_name", "first_name", "structure_name", "email")


def search_text_sql(dialect: str, value: Callable[[str], str] = str) -> str:
    """SQL of a contact's ``search_text`` on ``dialect``; ``value(column)`` is the SQL of a
    searched column's value (default: the column itself). NULL columns are left out."""
    return ("concat_ws(' ', " + ", ".join(folded_sql(value(c), dialect)
                                          for c in SEARCHED_COLUMNS) + ")")


def fold(text: str, dialect: str) -> str:
    """``text`` folded as :func:`folded_sql` folds a column on ``dialect``."""
    for letter, spelt in SPELT:
        text = text.replace(letter, spelt)
    decomposed = unicodedata.normalize("NFD", text)
    if dialect == "postgresql":
        text = _PG_ACCENTS.sub("", decomposed)
    else:  # DuckDB's strip_accents
        text = unicodedata.normalize("NFC", "".join(
            c for c in decomposed if not unicodedata.category(c).startswith("M")))
    return text.lower()
