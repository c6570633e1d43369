"""The scheduler inside ``habitue serve``: APScheduler ticks every minute; each tick runs the
refreshes due since the previous one (``run_due``), so a tick that comes late catches up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from habitue.scheduler.runner import run_due
from habitue.scheduler.schedule import ScheduleConfig
from habitue.services.workspace import Workspace

log = logging.getLogger("habitue.scheduler")


class RefreshScheduler:
    def __init__(self, workspace: Workspace, config: ScheduleConfig,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 interval_seconds: int = 60) -> None:
        self.workspace = workspace
        self.config = config
        self.clock = clock
        self.interval_seconds = interval_seconds
        self.last = clock()
        self._scheduler: BackgroundScheduler | None = None

    def tick(self) -> list:
        now = self.clock()
        try:
            ran = run_due(self.workspace, self.last, now, self.config)
        except Exception:  # a failed refresh is logged; the next tick tries the next firing
            log.exception("scheduled refresh failed")
            ran = []
        self.last = now
        for due in ran:
            log.info("refreshed %s of %s as of %s", due.cadence, due.organisation_id, due.as_of)
        return ran

    def start(self) -> None:
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._scheduler.add_job(self.tick, "interval", seconds=self.interval_seconds,
                                id="habitue-refreshes", max_instances=1, coalesce=True)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
