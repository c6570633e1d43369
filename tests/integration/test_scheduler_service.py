"""The scheduler of ``habitue serve``: ticks run what fell due since the previous tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from habitue.scheduler.schedule import ScheduleConfig
from habitue.scheduler.service import RefreshScheduler
from habitue.services.workspace import Workspace
from tests.factories.files import minimal_venue


def test_ticks_catch_up_and_never_repeat(store, tmp_path):
    ws = Workspace(store)
    ws.import_path(minimal_venue(tmp_path / "v"), now=datetime(2025, 12, 1, 12))
    clock = [datetime(2025, 12, 1, 0, 30, tzinfo=UTC)]  # 01:30 in Paris, a Monday
    scheduler = RefreshScheduler(ws, ScheduleConfig(), clock=lambda: clock[0])
    clock[0] += timedelta(hours=3)  # a late tick: 04:30 in Paris
    ran = [(d.cadence, d.as_of.isoformat()) for d in scheduler.tick()]
    assert ran == [("daily", "2025-12-01"), ("weekly", "2025-12-01")]
    assert scheduler.tick() == []  # nothing new since the last tick
    values = {r.indicator: r.value for r in ws.indicator_rows(contact="C1")}
    assert values["filiere_vente"] == 1 and values["pmg_n"] == 45


def test_start_registers_one_job_and_stop_removes_it(store):
    scheduler = RefreshScheduler(Workspace(store), ScheduleConfig(), interval_seconds=3600)
    scheduler.start()
    try:
        jobs = scheduler._scheduler.get_jobs()
        assert [j.id for j in jobs] == ["habitue-refreshes"]
    finally:
        scheduler.stop()
    assert scheduler._scheduler is None
