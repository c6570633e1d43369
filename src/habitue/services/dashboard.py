"""The dashboard of the web interface: for the organisations a principal sees, the contacts by
level of every enabled indicator, the latest imports and indicator refreshes, and the sizes of
the saved segments over the last batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from habitue.domain.access import Principal
from habitue.indicators.catalogue import INDICATORS
from habitue.storage import dashboard_queries as dq
from habitue.storage import import_queries as iq

if TYPE_CHECKING:
    from habitue.services.workspace import Workspace


@dataclass(frozen=True)
class LevelCounts:
    """One indicator: its levels (in order) and, per organisation where it is enabled, the
    number of contacts at each level."""

    code: str
    levels: tuple[int, ...]
    counts: dict[str, list[int]]


@dataclass(frozen=True)
class Dashboard:
    organisations: list[dict]
    """The organisations shown (id, name, institution), in id order."""
    contacts: dict[str, int]
    """Contacts with indicators per organisation."""
    indicators: list[LevelCounts]
    imports: list[dict] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)


def build_dashboard(ws: Workspace, principal: Principal, *, organisation: str | None = None,
                    recent: int = 5, segments: int = 6, points: int = 12) -> Dashboard:
    """What ``principal`` sees on the dashboard (``organisation``: only that one)."""
    if organisation is not None:
        principal.require_read(organisation)
    orgs = [o for o in ws.organisations() if principal.sees(o["organisation_id"])
            and organisation in (None, o["organisation_id"])]
    ids = [o["organisation_id"] for o in orgs]
    enabled = ws.indicator_settings()
    with ws.store.connect() as conn:
        counts = dq.level_counts(conn, ids)
        batches = dq.recent_batches(conn, recent)
        sizes = dq.segment_size_history(conn, ids, segments=segments, points=points)
        runs = iq.list_runs(conn, limit=recent)
    charts = []
    for ind in INDICATORS:
        per_org = {o["organisation_id"]: [counts.get(o["organisation_id"], {})
                                          .get(ind.code, {}).get(lv.level, 0)
                                          for lv in ind.levels]
                   for o in orgs
                   if enabled.get(o["institution_id"], {}).get(ind.code, True)}
        if per_org:
            charts.append(LevelCounts(ind.code, tuple(lv.level for lv in ind.levels), per_org))
    return Dashboard(
        organisations=[{k: o[k] for k in ("organisation_id", "name", "institution_id")}
                       for o in orgs],
        contacts={i: counts.get(i, {}).get("", {}).get(0, 0) for i in ids},
        indicators=charts, imports=runs, batches=batches, segments=sizes)
