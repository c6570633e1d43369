"""Why a contact has an indicator's value and level: the facts counted, the season or window
used, and for banded indicators the thresholds of the batch (``habitue explain``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from habitue.domain.calendar import SeasonContext, season_context
from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.indicators.facts import FACT_TABLES, LINES_TABLE, Window
from habitue.services.indicators import _run_steps, codes_for
from habitue.storage import explain_queries as eq
from habitue.storage import indicator_store as ist
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import Store, native



@dataclass
class Explanation:
    organisation_id: str
    contact_id: str
    indicator: str
    value: object
    level: int
    as_of: date
    context: SeasonContext
    window: dict
    facts: list[dict] = field(default_factory=list)
    population: str | None = None
    thresholds: dict | None = None


def explain(store: Store, *, contact: str, code: str,
            organisation: str | None = None) -> list[Explanation]:
    """One explanation per organisation (or the one given) where the contact has values."""
    if code not in INDICATOR_BY_CODE:
        raise ValueError(f"unknown indicator {code!r}; known: {', '.join(INDICATOR_BY_CODE)}")
    out: list[Explanation] = []
    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        rows = eq.stored_rows(runner, code, contact, organisation)
        if not rows:
            raise ValueError(f"no stored indicators for contact {contact!r}"
                             + (f" in organisation {organisation!r}" if organisation else "")
                             + ": run `habitue compute` first, or check the ids")
        seasons = ist.load_seasons(runner)
        batches = eq.thresholds_newest_first(runner)
        for org, inst, value, level, as_of, population in rows:
            as_of = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))
            ctx = season_context(org, seasons, as_of)
            window = Window(as_of).as_row()
            ist.write_context(runner, [(ctx, inst)], window)
            eq.write_touched_pair(runner, org, contact)
            _run_steps(runner, codes_for("full"), subset=True, with_lines=True, lookup=True)
            facts = eq.facts(runner, code, contact, ctx, window, inst)
            out.append(Explanation(org, contact, code, value, level if level is not None else 0,
                                   as_of, ctx, window, facts, population,
                                   _thresholds(batches, org, code, population)))
            runner.drop(*FACT_TABLES, LINES_TABLE, "_ind_ctx", "_ind_touched")
    return out


def _thresholds(batches: list[tuple], org: str, code: str, population: str | None):
    for (raw,) in batches:
        data = json.loads(raw) if isinstance(raw, str) else (raw or {})
        by_pop = data.get(org, {}).get(code)
        if by_pop:
            return by_pop.get(population or "all")
    return None
