from __future__ import annotations

from datetime import date

import pytest

from habitue.domain.calendar import Season, minus_months, minus_years, season_context


@pytest.mark.parametrize(("d", "months", "expected"), [
    (date(2026, 3, 14), 12, date(2025, 3, 14)),
    (date(2024, 2, 29), 12, date(2023, 2, 28)),
    (date(2024, 3, 31), 1, date(2024, 2, 29)),
    (date(2026, 1, 31), 36, date(2023, 1, 31)),
    (date(2026, 1, 15), 13, date(2024, 12, 15)),
])
def test_minus_months_is_a_calendar_offset(d, months, expected):
    assert minus_months(d, months) == expected


def test_minus_years_clamps_29_february():
    assert minus_years(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert minus_years(date(2028, 2, 29), 1) == date(2027, 2, 28)


SEASONS = [
    Season("O", "S23", date(2023, 9, 1), date(2024, 8, 31)),
    Season("O", "S24", date(2024, 9, 1), date(2025, 6, 30)),
    Season("O", "S25", date(2025, 9, 1), date(2026, 8, 31)),
    Season("X", "X25", date(2025, 1, 1), date(2025, 12, 31)),
]


def test_current_and_previous_season():
    ctx = season_context("O", SEASONS, date(2025, 9, 1))
    assert ctx.current.season_id == "S25"
    assert ctx.previous.season_id == "S24"
    assert ctx.young_year == 2026
    assert ctx.young_born_from == date(1997, 1, 1)


def test_between_seasons_there_is_no_current_season():
    ctx = season_context("O", SEASONS, date(2025, 7, 15))
    assert ctx.current is None
    assert ctx.previous.season_id == "S24"
    assert ctx.young_year == 2025


def test_last_day_of_a_season_is_in_it():
    ctx = season_context("O", SEASONS, date(2026, 8, 31))
    assert ctx.current.season_id == "S25"
    assert season_context("O", SEASONS, date(2026, 9, 1)).current is None


def test_no_season_at_all():
    ctx = season_context("Z", SEASONS, date(2025, 1, 1))
    assert ctx.current is None and ctx.previous is None
