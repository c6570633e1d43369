"""The queries behind ``habitue explain``: the facts a contact's indicator counted, read from
the materialised facts of a per-contact computation (``_ind_orders``, ``_ind_lines``)."""

from __future__ import annotations


from habitue.domain.calendar import SeasonContext
from habitue.indicators.facts import LINES_TABLE, ORDERS_TABLE
from habitue.storage.bulk import SqlRunner
from habitue.storage.schema import POPULATION_COLUMNS


def _q(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def facts_sql(code: str, c: str, ctx: SeasonContext, w: dict, inst: str) -> str | None:
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


def facts(runner: SqlRunner, code: str, contact: str, ctx: SeasonContext, window: dict,
          institution: str) -> list[dict]:
    cursor = runner.conn.execute(facts_sql(code, contact, ctx, window, institution))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def stored_rows(runner: SqlRunner, code: str, contact: str,
                organisation: str | None) -> list[tuple]:
    """(organisation, institution, value, level, as_of, population) of the stored values."""
    org_filter = f" AND organisation_id = {_q(organisation)}" if organisation else ""
    population = POPULATION_COLUMNS.get(code, "NULL")
    return runner.fetchall(
        f"SELECT organisation_id, institution_id, {code}, {code}_level, as_of, {population} "
        f"FROM contact_indicators WHERE contact_id = {_q(contact)}{org_filter} "
        "ORDER BY organisation_id")


def thresholds_newest_first(runner: SqlRunner) -> list[tuple]:
    return runner.fetchall("SELECT thresholds FROM indicator_batches ORDER BY batch_id DESC")


def write_touched_pair(runner: SqlRunner, organisation: str, contact: str) -> None:
    runner.recreate_temp("_ind_touched", f"SELECT {_q(organisation)} AS organisation_id, "
                                         f"{_q(contact)} AS contact_id")


__all__ = ["facts", "facts_sql", "stored_rows", "thresholds_newest_first",
           "write_touched_pair"]
