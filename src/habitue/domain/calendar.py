"""Calendar rules of the indicators: offsets, seasons of an organisation as of a date."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


def minus_months(d: date, months: int) -> date:
    """The same day ``months`` earlier; a day the target month lacks becomes its last day
    (2024-03-31 − 1 month = 2024-02-29; 2024-02-29 − 12 months = 2023-02-28)."""
    total = d.year * 12 + (d.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def minus_years(d: date, years: int) -> date:
    return minus_months(d, 12 * years)


@dataclass(frozen=True)
class Season:
    organisation_id: str
    season_id: str
    start_date: date
    end_date: date  # inclusive

    def contains(self, d: date) -> bool:
        return self.start_date <= d <= self.end_date


@dataclass(frozen=True)
class SeasonContext:
    """What an organisation's indicators need to know about its seasons on ``as_of``."""

    organisation_id: str
    as_of: date
    current: Season | None
    previous: Season | None

    @property
    def young_year(self) -> int:
        """A of the Jeune rule: the year the current season ends (else the year of D)."""
        return self.current.end_date.year if self.current else self.as_of.year

    @property
    def young_born_from(self) -> date:
        return date(self.young_year - 29, 1, 1)


def season_context(organisation_id: str, seasons: Iterable[Season], as_of: date) -> SeasonContext:
    """The current season contains ``as_of``; the previous one is the latest that ended
    before the current one started (or before ``as_of`` when none contains it)."""
    own = sorted((s for s in seasons if s.organisation_id == organisation_id),
                 key=lambda s: s.start_date)
    current = next((s for s in own if s.contains(as_of)), None)
    limit = current.start_date if current else as_of
    ended = [s for s in own if s.end_date < limit]
    previous = max(ended, key=lambda s: s.end_date) if ended else None
    return SeasonContext(organisation_id, as_of, current, previous)
