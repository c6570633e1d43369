"""The steps of a running import, as the imports page shows them in each language."""

from __future__ import annotations

from habitue.web.templating import _step_label


def test_an_import_step_reads_in_french_and_in_english():
    assert _step_label("fr", "merging order_lines.csv") == "Intégration de order_lines.csv"
    assert _step_label("en", "reading contacts.csv") == "Reading contacts.csv"
    assert _step_label("fr", "refreshing real-time indicators") == \
        "Mise à jour des indicateurs en temps réel"
    assert _step_label("en", "something new") == "something new"  # shown as reported
