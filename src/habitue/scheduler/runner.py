"""Running what the schedule says is due: each firing claimed once, then refreshed.

``run_due`` is what ``habitue serve`` calls every minute (through APScheduler) with the
previous and the current tick; tests call it with a stepped clock.
"""

from __future__ import annotations

from datetime import datetime

from habitue.scheduler.schedule import DueRefresh, ScheduleConfig, due_refreshes
from habitue.services.workspace import Workspace


def run_due(workspace: Workspace, since: datetime, until: datetime,
            config: ScheduleConfig = ScheduleConfig()) -> list[DueRefresh]:
    """Run the refreshes firing in ``(since, until]``; returns those this runner ran (a
    firing already claimed by another runner is skipped)."""
    orgs = [(o["organisation_id"], o["timezone"]) for o in workspace.organisations()]
    ran = []
    for due in due_refreshes(since, until, orgs, workspace.seasons(), config):
        fired_at = due.fire_at.replace(tzinfo=None)
        if not workspace.claim_run(due.key, now=fired_at):
            continue
        summary = workspace.refresh(cadence=due.cadence, as_of=due.as_of, now=fired_at,
                                    organisation=due.organisation_id)
        workspace.finish_run(due.key, now=fired_at, batch_id=summary.batch_id)
        ran.append(due)
    return ran
