"""Computing indicators: a full batch as of a date, for all or some organisations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from habitue.domain.calendar import season_context
from habitue.indicators.compiler import Inputs, compile_indicators
from habitue.indicators.facts import (
    LINES_TABLE,
    ORDERS_TABLE,
    Window,
    lines_as_of,
    materialised,
    orders_as_of,
)
from habitue.reporting import SILENT, Reporter
from habitue.storage import indicator_store as ist
from habitue.storage.bulk import SqlRunner, configure_duckdb
from habitue.storage.store import Store, native


@dataclass(frozen=True)
class ComputeSummary:
    batch_id: int | None
    as_of: date
    organisations: int
    contacts: int
    values: int
    level_changes: int


def compute_indicators(store: Store, *, as_of: date, organisation: str | None = None,
                       cadence: str = "full", now: datetime, memory_limit: str = "3GB",
                       reporter: Reporter = SILENT) -> ComputeSummary:
    """Compute every enabled indicator of every (organisation, contact) as of ``as_of``."""
    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        if store.kind == "duckdb":
            configure_duckdb(runner.conn, memory_limit)
        orgs = ist.load_organisations(runner, [organisation] if organisation else None)
        if not orgs:
            return ComputeSummary(None, as_of, 0, 0, 0, 0)
        seasons = ist.load_seasons(runner)
        by_codes: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
        for org_id, inst in orgs:
            by_codes[tuple(ist.enabled_codes(runner, inst))].append((org_id, inst))
        window = Window(as_of)
        batch_id = ist.next_batch_id(runner)
        contacts = values = changes = 0
        for codes, group in by_codes.items():
            org_ids = [o for o, _ in group]
            ist.write_context(runner, [(season_context(o, seasons, as_of), inst)
                                       for o, inst in group])
            reporter.step("collecting the facts", 0, None)
            orders = orders_as_of(window, org_ids)
            ist.materialise(runner, orders, ORDERS_TABLE)
            lines = lines_as_of(window, materialised(orders, ORDERS_TABLE))
            ist.materialise(runner, lines, LINES_TABLE)
            reporter.step("computing indicators", 0, None)
            inputs = Inputs(window, materialised(orders, ORDERS_TABLE),
                            materialised(lines, LINES_TABLE))
            expr = compile_indicators(inputs, codes)
            out = ist.store_batch(runner, expr, codes=codes, as_of=as_of, batch_id=batch_id,
                                  cadence=cadence, started_at=now, organisations=org_ids)
            contacts += out["contacts"]
            values += out["values"]
            changes += out["level_changes"]
            runner.drop(ORDERS_TABLE, LINES_TABLE, "_ind_ctx")
        return ComputeSummary(batch_id, as_of, len(orgs), contacts, values, changes)
