"""Languages of the web interface: French (the default) and English.

Messages are written in English in the templates and the page code (``_("Contacts")``); the
French catalog ``locale/fr/LC_MESSAGES/messages.po`` translates them. Catalogs are ``.po``
files compiled in memory when first used (no binary ``.mo`` to keep in step). Numbers and dates
are formatted with Babel: ``fr_FR`` (thousands separated by U+202F) and ``en_GB``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
COOKIE = "habitue_lang"


def pick_language(cookie: str | None, query: str | None = None) -> str:
    """The language of a request: ``?lang=`` first, then the cookie, else French."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang`` (English is the source language: identity)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def translate(lang: str, message: str) -> str:
    """Translate one message outside a template (flash messages, chart titles)."""
    return translations(lang).gettext(message)


def format_number(value, lang: str, *, digits: int | None = None) -> str:
    """``12345`` → ``12 345`` (U+202F) in French, ``12,345`` in English; None → ``—``."""
    if value is None:
        return "—"
    if digits is not None:
        fmt = "#,##0." + "0" * digits if digits else "#,##0"
        return babel_numbers.format_decimal(value, format=fmt, locale=LOCALES[lang])
    if isinstance(value, float | Decimal) and value != int(value):
        return babel_numbers.format_decimal(value, format="#,##0.##", locale=LOCALES[lang])
    return babel_numbers.format_decimal(value, locale=LOCALES[lang])


def format_money(value, lang: str, currency: str = "EUR") -> str:
    if value is None:
        return "—"
    return babel_numbers.format_currency(value, currency, locale=LOCALES[lang])


def format_date(value, lang: str, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return babel_dates.format_date(value, format=fmt, locale=LOCALES[lang])


def format_datetime(value, lang: str, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return format_date(value, lang, fmt)
    return babel_dates.format_datetime(value, format=fmt, locale=LOCALES[lang])


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (translated where shown)."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message (both forms) for extraction; translate it with
    :func:`translate_plural`."""
    return singular, plural


def translate_plural(lang: str, message: tuple[str, str], n: int) -> str:
    return translations(lang).ngettext(message[0], message[1], n)
