"""Why a contact has an indicator's value and level: the facts counted, the season or window
used, and for banded indicators the thresholds of the batch (``habitue explain``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from habitue.domain.calendar import SeasonContext, season_context
from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.indicators.facts import LINES_TABLE, ORDERS_TABLE, Window
from habitue.services.indicators import _run_steps, codes_for
from habitue.storage import indicator_store as ist
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import Store, native

POPULATION_COLUMN = {"pmg": "pmg_population", "pmg_n": "pmg_n_population"}


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


def _q(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def _facts_sql(code: str, c: str, ctx: SeasonContext, w: dict, inst: str) -> str | None:
    cur = _q(ctx.current.season_id) if ctx.current else "NULL"
    prev = _q(ctx.previous.season_id) if ctx.previous else "NULL"
    lines = f"SELECT * FROM {LINES_TABLE} WHERE "
    if code == "assiduite":
        return (f"SELECT performance_id, min(perf_date) AS date, count(*) AS lines FROM "
                f"({lines}holder_id = {_q(c)} AND countable AND performance_id IS NOT NULL "
                f"AND season_id = {cur}) x GROUP BY performance_id ORDER BY 2, 1")
    if code == "produit_enfant":
        return (f"SELECT order_id, line_id, status FROM ({lines}buyer_id = {_q(c)} "
                f"AND season_id = {cur} AND audience = 'CHILD') x ORDER BY 1, 2")
    if code == "adherent":
        return (f"SELECT order_id, line_id, product_season_id AS season, valid_from, valid_to "
                f"FROM ({lines}holder_id = {_q(c)} AND countable AND family = 'MEMBERSHIP') x "
                f"ORDER BY 1, 2")
    if code in ("pmg", "pmg_n"):
        season = prev if code == "pmg" else cur
        return (f"SELECT order_id, line_id, amount FROM ({lines}buyer_id = {_q(c)} "
                f"AND revenue AND season_id = {season}) x ORDER BY 1, 2")
    if code == "recence":
        return (f"SELECT performance_id, perf_date AS date, perf_kind AS kind FROM "
                f"({lines}holder_id = {_q(c)} AND countable AND perf_kind IN "
                f"('EVENT', 'COMPETITION')) x ORDER BY perf_date DESC, performance_id LIMIT 5")
    if code == "filiere_vente":
        return (f"SELECT o.order_id, o.order_date AS date, o.channel FROM {ORDERS_TABLE} o "
                f"WHERE o.buyer_id = {_q(c)} AND o.order_date > DATE '{w['months_36']}' "
                f"AND EXISTS (SELECT 1 FROM {LINES_TABLE} l WHERE l.order_id = o.order_id "
                f"AND l.organisation_id = o.organisation_id AND l.countable) ORDER BY 2 DESC")
    if code == "abonne":
        return (f"SELECT order_id, line_id FROM ({lines}holder_id = {_q(c)} AND countable "
                f"AND family = 'SUBSCRIPTION' AND season_id = {cur}) x ORDER BY 1, 2")
    if code == "anciennete":
        return (f"SELECT order_id, min(order_date) AS date FROM (SELECT order_id, order_date "
                f"FROM {ORDERS_TABLE} WHERE buyer_id = {_q(c)} OR payer_id = {_q(c)} "
                f"UNION ALL SELECT order_id, order_date FROM {LINES_TABLE} "
                f"WHERE holder_id = {_q(c)}) x GROUP BY order_id ORDER BY 2, 1 LIMIT 1")
    if code in ("engagement_social", "influence_sociale"):
        return (f"SELECT s.share_id, s.order_id, CAST(s.shared_at AS DATE) AS date, "
                f"(SELECT count(*) FROM share_visits v WHERE v.organisation_id = "
                f"s.organisation_id AND v.share_id = s.share_id AND v.visited_at < "
                f"TIMESTAMP '{w['end_ts']}') AS visits FROM social_shares s "
                f"WHERE s.organisation_id = {_q(ctx.organisation_id)} AND s.contact_id = "
                f"{_q(c)} AND CAST(s.shared_at AS DATE) > DATE '{w['months_12']}' "
                f"AND s.shared_at < TIMESTAMP '{w['end_ts']}' ORDER BY 3, 1")
    # jeune: the birth date
    return (f"SELECT birth_date FROM contacts WHERE institution_id = {_q(inst)} "
            f"AND contact_id = {_q(c)}")


def explain(store: Store, *, contact: str, code: str,
            organisation: str | None = None) -> list[Explanation]:
    """One explanation per organisation (or the one given) where the contact has values."""
    if code not in INDICATOR_BY_CODE:
        raise ValueError(f"unknown indicator {code!r}; known: {', '.join(INDICATOR_BY_CODE)}")
    out: list[Explanation] = []
    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        org_filter = f" AND organisation_id = {_q(organisation)}" if organisation else ""
        pop_col = POPULATION_COLUMN.get(code, "NULL")
        rows = runner.fetchall(
            f"SELECT organisation_id, institution_id, {code}, {code}_level, as_of, {pop_col} "
            f"FROM contact_indicators WHERE contact_id = {_q(contact)}{org_filter} "
            "ORDER BY organisation_id")
        if not rows:
            raise ValueError(f"no stored indicators for contact {contact!r}"
                             + (f" in organisation {organisation!r}" if organisation else "")
                             + ": run `habitue compute` first, or check the ids")
        seasons = ist.load_seasons(runner)
        batches = runner.fetchall(
            "SELECT thresholds FROM indicator_batches ORDER BY batch_id DESC")
        for org, inst, value, level, as_of, population in rows:
            as_of = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))
            ctx = season_context(org, seasons, as_of)
            window = Window(as_of).as_row()
            ist.write_context(runner, [(ctx, inst)], window)
            runner.recreate_temp("_ind_touched", f"SELECT {_q(org)} AS organisation_id, "
                                                 f"{_q(contact)} AS contact_id")
            _run_steps(runner, codes_for("full"), subset=True)
            sql = _facts_sql(code, contact, ctx, window, inst)
            facts = []
            if sql:
                cols_rows = runner.conn.execute(sql)
                names = [d[0] for d in cols_rows.description]
                facts = [dict(zip(names, r, strict=True)) for r in cols_rows.fetchall()]
            out.append(Explanation(org, contact, code, value, level if level is not None else 0,
                                   as_of, ctx, window, facts, population,
                                   _thresholds(batches, org, code, population)))
            runner.drop(ORDERS_TABLE, LINES_TABLE, "_ind_ctx", "_ind_touched")
    return out


def _thresholds(batches: list[tuple], org: str, code: str, population: str | None):
    for (raw,) in batches:
        data = json.loads(raw) if isinstance(raw, str) else (raw or {})
        by_pop = data.get(org, {}).get(code)
        if by_pop:
            return by_pop.get(population or "all")
    return None
