"""The French catalog's upkeep: ``python -m habitue.web.catalog`` extracts every message of
the templates (``{{ _("…") }}``, ``{% trans %}``) and of the web's Python code
(``translate(lang, "…")``, ``N_("…")``, ``NP_("…", "…")`` for plurals) and adds the new ones to
``locale/fr/LC_MESSAGES/messages.po`` with an empty translation, to be filled in. Messages no
longer used are dropped. ``tests/web/test_i18n.py`` fails while one is untranslated.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

WEB_DIR = Path(__file__).parent
PO_FILE = WEB_DIR / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
METHOD_MAP = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "translate": (2,), "N_": None,
            "NP_": (1, 2)}


def extract_messages() -> dict[str | tuple[str, str], list[tuple[str, int]]]:
    """Every message id of the web interface (a pair for a plural message), with where it is
    used."""
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            WEB_DIR, METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS):
        if message:
            found.setdefault(message, []).append((filename, lineno))
    return found


def read_catalog() -> Catalog:
    with PO_FILE.open("rb") as fh:
        return read_po(fh, locale="fr")


def update_catalog() -> list[str]:
    """Add the new messages to the French catalog, drop the unused ones; returns the ids
    still untranslated."""
    old = read_catalog() if PO_FILE.exists() else Catalog(locale="fr")
    new = Catalog(locale="fr", project="Habitué", charset="utf-8", fuzzy=False,
                  creation_date=old.creation_date, revision_date=old.revision_date,
                  copyright_holder="the Habitué authors")
    for msgid, places in sorted(extract_messages().items(), key=lambda kv: str(kv[0])):
        existing = old.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        empty = ("", "") if isinstance(msgid, tuple) else ""
        string = existing.string if existing and type(existing.string) is type(empty) \
            else empty
        new.add(msgid, string, locations=sorted(set(places)))
    buf = BytesIO()  # written whole, never half (a failure leaves the file as it was)
    write_po(buf, new, width=100, omit_header=False, sort_output=True)
    PO_FILE.parent.mkdir(parents=True, exist_ok=True)
    PO_FILE.write_bytes(buf.getvalue())
    return [m.id if isinstance(m.id, str) else m.id[0] for m in new
            if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]


if __name__ == "__main__":
    missing = update_catalog()
    for msgid in missing:
        print(f"untranslated: {msgid}")
    sys.exit(1 if missing else 0)
