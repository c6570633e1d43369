"""When refreshes are due: pure rules, stepped by a clock in tests.

Daily and weekly refreshes fire at a local time of each organisation's time zone; a season
refresh fires on the first day of each of its seasons. ``due_refreshes`` lists those whose
fire time falls in a window ``(since, until]`` of instants, so a runner that calls it with the
previous and the current tick never misses nor repeats one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from habitue.domain.calendar import Season


@dataclass(frozen=True)
class ScheduleConfig:
    daily_at: time = time(2, 0)
    weekly_day: int = 0  # Monday
    weekly_at: time = time(3, 0)
    season_at: time = time(1, 0)


@dataclass(frozen=True)
class DueRefresh:
    fire_at: datetime  # aware
    cadence: str
    organisation_id: str
    as_of: date

    @property
    def key(self) -> str:
        """Identifies one firing, so that two runners never both run it."""
        return f"{self.cadence}:{self.organisation_id}:{self.as_of.isoformat()}"


def due_refreshes(since: datetime, until: datetime, organisations: Iterable[tuple[str, str]],
                  seasons: Iterable[Season], config: ScheduleConfig = ScheduleConfig()
                  ) -> list[DueRefresh]:
    """Refreshes firing in ``(since, until]`` (aware datetimes), in firing order.
    ``organisations`` are (organisation_id, IANA time zone) pairs."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must be aware datetimes")
    starts: dict[str, set[date]] = {}
    for s in seasons:
        starts.setdefault(s.organisation_id, set()).add(s.start_date)
    due: list[DueRefresh] = []
    for org_id, tz_name in organisations:
        tz = ZoneInfo(tz_name)
        day = since.astimezone(tz).date()
        last = until.astimezone(tz).date()
        while day <= last:
            plans = [("daily", config.daily_at)]
            if day.weekday() == config.weekly_day:
                plans.append(("weekly", config.weekly_at))
            if day in starts.get(org_id, ()):
                plans.append(("season", config.season_at))
            for cadence, at in plans:
                fire = datetime.combine(day, at, tzinfo=tz)
                if since < fire <= until:
                    due.append(DueRefresh(fire, cadence, org_id, day))
            day += timedelta(days=1)
    return sorted(due, key=lambda d: (d.fire_at, d.organisation_id, d.cadence))
