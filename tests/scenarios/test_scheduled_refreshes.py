"""Stepping a clock through a season change: the scheduler's refreshes move PMG to the new
season's figures on the first day of the season, and PMG - N stays stale until Monday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from habitue.scheduler.runner import run_due
from habitue.services.workspace import Workspace
from tests.factories.files import write_csv

NOW = datetime(2026, 8, 1, 12, 0)


def _venue(directory: Path) -> Path:
    write_csv(directory, "organisations", ["ORG,Théâtre,INST,Europe/Paris,EUR"])
    write_csv(directory, "seasons", ["ORG,S2025,2025/2026,2025-09-01,2026-08-31",
                                     "ORG,S2026,2026/2027,2026-09-01,2027-08-31"])
    write_csv(directory, "contacts", ["C1,INST,INDIVIDUAL,,Claire,Martin,,1980-01-01,true",
                                      "C2,INST,INDIVIDUAL,,Paul,Durand,,1980-01-01,true"])
    write_csv(directory, "products", ["ORG,P25,Cyrano,TICKET,ALL,theatre,S2025,,",
                                      "ORG,P26,Tosca,TICKET,ALL,opera,S2026,,"])
    write_csv(directory, "orders", ["ORG,O1,C1,,2026-03-01 10:00,INTERNET",
                                    "ORG,O2,C2,,2026-03-02 10:00,INTERNET",
                                    "ORG,O3,C1,,2026-06-01 10:00,INTERNET"])
    write_csv(directory, "order_lines", ["ORG,O1,L1,P25,,,100.00,PAID,,",
                                         "ORG,O2,L2,P25,,,40.00,PAID,,",
                                         "ORG,O3,L3,P26,,,70.00,PAID,,"])
    return directory


def _values(ws: Workspace, contact: str) -> dict:
    return {r.indicator: r.value for r in ws.indicator_rows(contact=contact)}


def test_season_change_and_weekly_refresh(store, tmp_path: Path):
    ws = Workspace(store)
    assert ws.import_path(_venue(tmp_path / "v"), now=NOW).status == "succeeded"
    # full computation on Sunday 2026-08-30 (season 2025/2026 is current)
    ws.compute(as_of=NOW.date().replace(month=8, day=30), now=NOW)
    before = _values(ws, "C1")
    assert before["pmg"] == 0  # no previous season with revenue
    assert before["pmg_n"] == 100  # 2025/2026

    # the clock steps hour by hour from Sunday noon to Wednesday noon (Paris time is UTC+2)
    clock = datetime(2026, 8, 30, 10, tzinfo=UTC)
    fired = []
    while clock < datetime(2026, 9, 2, 10, tzinfo=UTC):
        nxt = clock + timedelta(hours=1)
        fired += [(d.cadence, d.as_of.isoformat()) for d in run_due(ws, clock, nxt)]
        if nxt == datetime(2026, 8, 31, 2, tzinfo=UTC):  # Monday 04:00 in Paris
            # the weekly refresh (03:00) has run: PMG - N is 2025/2026 as of Monday
            assert _values(ws, "C1")["pmg_n"] == 100
        if nxt == datetime(2026, 9, 1, 0, tzinfo=UTC):  # Tuesday 02:00 in Paris
            after = _values(ws, "C1")
            assert after["pmg"] == 100  # 2025/2026 is now the previous season
            assert after["pmg_n"] == 100  # stale until the next Monday, by design
        clock = nxt
    assert fired == [("daily", "2026-08-31"), ("weekly", "2026-08-31"),
                     ("season", "2026-09-01"), ("daily", "2026-09-01"),
                     ("daily", "2026-09-02")]
    # a second runner over the same hours finds every firing claimed
    assert run_due(ws, datetime(2026, 8, 30, 10, tzinfo=UTC),
                   datetime(2026, 9, 2, 10, tzinfo=UTC)) == []
    # a full computation (or the next weekly refresh) brings PMG - N to 2026/2027
    ws.refresh(cadence="weekly", as_of=datetime(2026, 9, 7).date(), now=NOW)
    assert _values(ws, "C1")["pmg_n"] == 70
