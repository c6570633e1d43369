"""The unbound tables the segment compiler reads agree with the stores' schema, and the scope
and windows follow the calendar rules of the indicators."""

from __future__ import annotations

from datetime import date

from habitue.domain.calendar import Season
from habitue.segments import Scope
from habitue.segments.definition import Window
from habitue.segments.predicates import shift
from habitue.segments.tables import contacts_table, indicators_table
from habitue.storage import schema


def test_contact_indicators_columns_match_the_store():
    assert set(indicators_table().columns) == {c.name for c in schema.contact_indicators.c}


def test_contacts_columns_match_the_store():
    # what segments never read: the import run, the contact search's folded text
    store = {c.name for c in schema.contacts.c} - {"import_run_id", "search_text"}
    assert set(contacts_table().columns) == store


def test_scope_finds_the_current_and_previous_seasons():
    seasons = [Season("ORG", "S24", date(2024, 9, 1), date(2025, 8, 31)),
               Season("ORG", "S25", date(2025, 9, 1), date(2026, 8, 31)),
               Season("OTHER", "X", date(2025, 1, 1), date(2026, 12, 31))]
    s = Scope.on("ORG", "INST", date(2026, 1, 15), seasons)
    assert (s.current_season_id, s.previous_season_id) == ("S25", "S24")
    assert s.season_id("current") == "S25" and s.season_id("S24") == "S24"
    assert s.end_ts.isoformat() == "2026-01-16T00:00:00"
    between = Scope.on("ORG", "INST", date(2026, 9, 10), seasons[:2])
    assert (between.current_season_id, between.previous_season_id) == (None, "S25")


def test_windows_use_calendar_offsets():
    d = date(2024, 2, 29)
    assert shift(d, Window(1, "years"), -1) == date(2023, 2, 28)
    assert shift(d, Window(12, "months"), +1) == date(2025, 2, 28)
    assert shift(date(2026, 3, 31), Window(1, "months"), -1) == date(2026, 2, 28)
    assert shift(d, Window(2, "weeks"), -1) == date(2024, 2, 15)
    assert shift(d, Window(1, "days"), +1) == date(2024, 3, 1)
