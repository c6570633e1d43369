"""Time in the generator: naive local date-times as int64 seconds, organisations' seasons.

All instants are wall-clock times in the organisation's time zone (Europe/Paris), written
without offset, and handled as integer seconds since 1970-01-01 00:00 (no time zone maths).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

DAY = 86_400
HOUR = 3_600
MINUTE = 60
SEASONS_PER_ORGANISATION = 8
# relative demand per season start year (the 2019/2020 season stopped in March 2020, the
# 2020/2021 season barely happened)
SEASON_DEMAND: dict[int, float] = {2019: 0.7, 2020: 0.3, 2021: 0.8}


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - date(1970, 1, 1)).days


def date_from_day(day: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(day))


def add_months(day: date, months: int) -> date:
    """Calendar offset; the 31st becomes the last day of a shorter month."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass(frozen=True)
class Clock:
    """The generation's notion of now: everything is dated on or before ``today``."""

    today: date

    @property
    def today_start(self) -> int:
        return day_number(self.today) * DAY

    @property
    def cap(self) -> int:
        """The last second of ``today``: no fact may be dated later."""
        return self.today_start + DAY - 1

    @property
    def current_season_year(self) -> int:
        return self.today.year if self.today >= date(self.today.year, 9, 1) else self.today.year - 1


@dataclass(frozen=True)
class Season:
    organisation_index: int
    year: int  # the calendar year the season starts in

    @property
    def start(self) -> date:
        return date(self.year, 9, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 8, 31)

    @property
    def start_ts(self) -> int:
        return day_number(self.start) * DAY

    @property
    def end_ts(self) -> int:
        """The first second after the season."""
        return (day_number(self.end) + 1) * DAY

    @property
    def name(self) -> str:
        return f"{self.year}/{self.year + 1}"

    @property
    def demand(self) -> float:
        return SEASON_DEMAND.get(self.year, 1.0)


def season_years(clock: Clock) -> tuple[int, ...]:
    """Start years of the seasons every organisation has, oldest first, the last one current."""
    last = clock.current_season_year
    return tuple(range(last - SEASONS_PER_ORGANISATION + 1, last + 1))


def organisation_id(index: int) -> str:
    return f"ORG{index + 1}"


def season_id(organisation_index: int, year: int) -> str:
    return f"{organisation_id(organisation_index)}-S{year}"


def _spring_forward_days() -> np.ndarray:
    """Last Sunday of March, 1970-2199: the day Europe/Paris skips 02:00-03:00."""
    days = []
    for year in range(1970, 2200):
        last = date(year, 3, 31)
        days.append(day_number(last) - (last.weekday() + 1) % 7)
    return np.array(days, dtype=np.int64)


_SPRING_FORWARD = _spring_forward_days()


def existing_wall_clock(seconds: np.ndarray) -> np.ndarray:
    """Move instants of the skipped hour (02:00-03:00 when summer time starts) to 03:00,
    so that every written local time exists in Europe/Paris. Keeps the order of instants."""
    seconds = np.asarray(seconds, dtype=np.int64)
    day, second = np.divmod(seconds, DAY)
    skipped = (second >= 2 * HOUR) & (second < 3 * HOUR) & np.isin(day, _SPRING_FORWARD)
    if not skipped.any():
        return seconds
    return np.where(skipped, day * DAY + 3 * HOUR, seconds)


def time_of_day(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds after midnight of a purchase: mostly daytime and evening, rarely at night."""
    hours = np.clip(rng.normal(15.0, 3.6, size), 7.0, 23.99)
    night = rng.random(size) < 0.02
    hours = np.where(night, rng.uniform(0.0, 7.0, size), hours)
    return (hours * HOUR).astype(np.int64)
