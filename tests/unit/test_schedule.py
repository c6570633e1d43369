from __future__ import annotations

from datetime import UTC, date, datetime, time

from habitue.domain.calendar import Season
from habitue.scheduler.schedule import ScheduleConfig, due_refreshes

ORGS = [("PARIS", "Europe/Paris"), ("MTL", "America/Montreal")]
SEASONS = [Season("PARIS", "S25", date(2025, 9, 1), date(2026, 8, 31)),
           Season("PARIS", "S26", date(2026, 9, 1), date(2027, 8, 31))]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_refresh_fires_at_two_local_time_once():
    # 02:00 in Paris (summer, UTC+2) is 00:00 UTC
    due = due_refreshes(utc(2026, 6, 9, 23, 0), utc(2026, 6, 10, 0, 0), ORGS, SEASONS)
    assert [(d.cadence, d.organisation_id, d.as_of) for d in due] == [
        ("daily", "PARIS", date(2026, 6, 10))]
    # the next window starts where this one ended: nothing again
    assert due_refreshes(utc(2026, 6, 10, 0, 0), utc(2026, 6, 10, 1, 0), ORGS, SEASONS) == []


def test_weekly_refresh_on_monday_and_season_on_its_first_day():
    # Monday 2026-08-31 and Tuesday 2026-09-01 (first day of S26), Paris only
    due = due_refreshes(utc(2026, 8, 30, 12), utc(2026, 9, 1, 12), ORGS[:1], SEASONS)
    assert [(d.cadence, d.as_of.isoformat()) for d in due] == [
        ("daily", "2026-08-31"), ("weekly", "2026-08-31"),
        ("season", "2026-09-01"), ("daily", "2026-09-01")]


def test_each_organisation_in_its_own_time_zone():
    # 02:00 in Montreal (UTC-4 in June) is 06:00 UTC
    due = due_refreshes(utc(2026, 6, 10, 5, 59), utc(2026, 6, 10, 6, 0), ORGS, SEASONS)
    assert [(d.organisation_id, d.fire_at.astimezone(UTC).hour) for d in due] == [("MTL", 6)]


def test_configured_times():
    config = ScheduleConfig(daily_at=time(5, 30), weekly_day=6)
    due = due_refreshes(utc(2026, 6, 13, 0), utc(2026, 6, 15, 0), ORGS[:1], SEASONS, config)
    assert [(d.cadence, d.as_of.isoformat(), d.fire_at.hour) for d in due] == [
        ("daily", "2026-06-13", 5), ("weekly", "2026-06-14", 3), ("daily", "2026-06-14", 5)]
