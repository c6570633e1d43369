"""Both languages: every message of the web interface has its French translation, with the
same placeholders; numbers and dates follow fr_FR and en_GB."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from habitue.web import catalog, i18n

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _ids(msgid) -> tuple[str, ...]:
    return msgid if isinstance(msgid, tuple) else (msgid,)


def test_every_message_has_a_french_translation():
    po = catalog.read_catalog()
    missing = []
    for msgid, places in catalog.extract_messages().items():
        entry = po.get(_ids(msgid)[0])
        strings = (entry.string if isinstance(entry.string, tuple) else (entry.string,)) \
            if entry else ("",)
        if not all(strings):
            missing.append(f"{_ids(msgid)[0]!r} ({places[0][0]}:{places[0][1]})")
    assert not missing, ("untranslated (run `python -m habitue.web.catalog` and fill the "
                         "msgstr): " + ", ".join(missing))


def test_translations_keep_their_placeholders():
    for entry in catalog.read_catalog():
        if not entry.id:
            continue
        wanted = set(PLACEHOLDER.findall(_ids(entry.id)[-1]))
        for string in (entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            if string:
                assert set(PLACEHOLDER.findall(string)) == wanted, (entry.id, string)


def test_french_typography_spaces_before_double_punctuation():
    for entry in catalog.read_catalog():
        for string in (entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            assert not re.search(r" [?!;]| :", string or ""), (entry.id, string)


def test_catalog_compiles_and_translates():
    assert i18n.translate("fr", "Dashboard") == "Tableau de bord"
    assert i18n.translate("en", "Dashboard") == "Dashboard"
    assert i18n.translations("fr").ngettext("%(num)s visit", "%(num)s visits", 2) \
        == "%(num)s visites"


def test_numbers_and_dates_in_each_language():
    assert i18n.format_number(1234567, "fr") == "1\u202f234\u202f567"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(Decimal("1234.5"), "fr") == "1\u202f234,5"
    assert i18n.format_money(Decimal("1234.50"), "fr") == "1\u202f234,50\u00a0€"
    assert i18n.format_money(Decimal("1234.50"), "en") == "€1,234.50"
    assert i18n.format_date(date(2026, 1, 10), "fr") == "10 janv. 2026"
    assert i18n.format_date(date(2026, 1, 10), "en") == "10 Jan 2026"
    assert i18n.format_number(None, "fr") == "—"


def test_language_choice():
    assert i18n.pick_language(None) == "fr"
    assert i18n.pick_language("en") == "en"
    assert i18n.pick_language("en", "fr") == "fr"
    assert i18n.pick_language("de") == "fr"
