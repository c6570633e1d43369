"""The facts as of D: orders and lines with their status, season, holder, buyer and payer.

Pure Ibis expressions over unbound tables; the storage layer materialises them once per batch
(``_ind_orders``, ``_ind_lines``) so that every indicator reads the same facts. Every date comes
from the context table ``_ind_ctx`` (one row per organisation), never from a literal: the
compiled SQL is the same for every reference date and is compiled once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import ibis
import ibis.expr.types as ir

from habitue.domain.calendar import minus_months, minus_years
from habitue.indicators.sources import (
    context_table,
    entity_table,
    statuses_table,
    touched_table,
)

ORDERS_TABLE = "_ind_orders"
LINES_TABLE = "_ind_lines"
LATE_TABLE = "_ind_late"
KEYS_TABLE = "_ind_keys"
PAST_TABLE = "_ind_past"
VALUES_TABLE = "_ind_values"
# looked up by index (``lookup``: a few contacts on DuckDB, decision 0009): the lines whose
# beneficiary, the orders whose buyer or payer, the lines whose order has the id of a touched
# contact or order, in any organisation (the exact pairs are matched in the next steps)
FOUND_CONTACTS_TABLE = "_ind_found_contacts"
BENEFICIARY_TABLE = "_ind_beneficiary_lines"
FOUND_ORDERS_TABLE = "_ind_found_orders"
ORDER_LINES_TABLE = "_ind_order_lines"
FACT_TABLES = (FOUND_CONTACTS_TABLE, BENEFICIARY_TABLE, KEYS_TABLE, FOUND_ORDERS_TABLE,
               ORDERS_TABLE, ORDER_LINES_TABLE, LATE_TABLE, PAST_TABLE, VALUES_TABLE)
ORDER_COLUMNS = ("organisation_id", "order_id", "buyer_contact_id", "payer_contact_id",
                 "created_at", "channel")


@dataclass(frozen=True)
class Window:
    """Every date a rule compares with, derived once from the reference date D."""

    as_of: date

    def as_row(self) -> dict:
        return {
            "as_of": self.as_of,
            "end_ts": datetime.combine(self.as_of + timedelta(days=1), time()),
            "months_12": minus_months(self.as_of, 12),
            "months_36": minus_months(self.as_of, 36),
            "years_1": minus_years(self.as_of, 1),
            "years_3": minus_years(self.as_of, 3),
            "years_4": minus_years(self.as_of, 4),
        }


def _season_of(rel: ir.Table, date_col: str, out: str, seasons: ir.Table) -> ir.Table:
    """``rel`` with ``out``: the organisation's season whose dates contain ``date_col``."""
    s = seasons.select(
        s_org=seasons.organisation_id, s_id=seasons.season_id,
        s_start=seasons.start_date, s_end=seasons.end_date,
    )
    joined = rel.left_join(
        s,
        [rel.organisation_id == s.s_org, s.s_start <= rel[date_col], s.s_end >= rel[date_col]],
    )
    return joined.select(*rel.columns, **{out: joined.s_id})


def _ctx_end() -> ir.Table:
    ctx = context_table()
    return ctx.select(c_org=ctx.organisation_id, c_end=ctx.end_ts)


def orders_as_of(subset: bool = False, lookup: bool = False) -> ir.Table:
    """Orders of the organisations of ``_ind_ctx`` created on or before D, with their date,
    payer (defaulting to the buyer) and the season containing their date. With ``subset``,
    only the orders where a contact of ``_ind_touched`` is buyer, payer or beneficiary
    (``touched_orders``), found among the orders looked up (``found_orders``) with
    ``lookup``."""
    orders = entity_table("orders")
    seasons = entity_table("seasons")
    if subset:
        orders = touched_orders(_found_orders_table() if lookup else orders)
    ctx = context_table()
    c = ctx.select(c_org=ctx.organisation_id, c_end=ctx.end_ts, c_as_of=ctx.as_of,
                   c_current=ctx.current_season_id, c_previous=ctx.previous_season_id)
    o = orders.inner_join(c, orders.organisation_id == c.c_org)
    o = o.filter(o.created_at < o.c_end)
    o = o.select(
        "organisation_id", "order_id", "channel",
        buyer_id=o.buyer_contact_id,
        payer_id=o.payer_contact_id.coalesce(o.buyer_contact_id),
        order_date=o.created_at.date(),
        # the organisation's context, which every line of the order needs
        ctx_end_ts=o.c_end, ctx_as_of=o.c_as_of, ctx_current_season_id=o.c_current,
        ctx_previous_season_id=o.c_previous,
    )
    return _season_of(o, "order_date", "order_season_id", seasons)


def touched_order_keys_table() -> ir.Table:
    """The materialised ``touched_order_keys`` (its size known to the planner: a few rows,
    often none, which it then looks up in the orders rather than the other way round)."""
    return ibis.table({"k_org": "string", "k_order": "string"}, name=KEYS_TABLE)


def touched_order_keys(lookup: bool = False) -> ir.Table:
    """(organisation, order) of every order where a touched contact is the beneficiary of a
    line (the orders where it is buyer or payer are found with their rows:
    ``touched_orders``); with ``lookup``, among the lines looked up by
    ``beneficiary_lines``."""
    touched = touched_table()
    lines = (ibis.table({"organisation_id": "string", "order_id": "string",
                         "beneficiary_contact_id": "string"}, name=BENEFICIARY_TABLE)
             if lookup else entity_table("order_lines"))
    hit = lines.semi_join(touched, [lines.beneficiary_contact_id == touched.contact_id,
                                    lines.organisation_id == touched.organisation_id])
    return hit.select(k_org=hit.organisation_id, k_order=hit.order_id)


def touched_orders(orders: ir.Table) -> ir.Table:
    """The ``orders`` where a touched contact is buyer, payer or (``_ind_keys``) the
    beneficiary of a line. Each part is a semi-join on a small table, so the rows come out of
    the scan that finds them: on DuckDB (no index) the orders are scanned once per part and
    never again to fetch the rows of keys found elsewhere. (In the per-contact joins the
    selective key comes first: DuckDB filters the scan by a join's keys in that order, and the
    organisation, the same on every row of a venue, then costs nothing: 13 ms instead of
    24 ms for the payers of 2.8M orders.)"""
    touched = touched_table()
    keys = touched_order_keys_table()
    parts = [orders.semi_join(touched, [orders[col] == touched.contact_id,
                                        orders.organisation_id == touched.organisation_id]
                              ).select(*ORDER_COLUMNS)
             for col in ("buyer_contact_id", "payer_contact_id")]
    parts.append(orders.semi_join(keys, [orders.order_id == keys.k_order,
                                         orders.organisation_id == keys.k_org]
                                  ).select(*ORDER_COLUMNS))
    return ibis.union(*parts, distinct=True)


# -- looked up by index (decision 0009) -------------------------------------------------------
# DuckDB answers ``column IN (SELECT ...)`` on one indexed column from its ART index, and
# nothing else: not a semi-join, not a second condition on the organisation. So these steps
# look the ids up alone, each into its own small table, and the exact (organisation, id) pairs
# are matched by the ordinary steps reading those tables instead of the base tables.

CONTACT_COLUMNS = ("institution_id", "contact_id", "birth_date", "kind")  # what the rules read


def found_contacts() -> ir.Table:
    """The contacts that have the id of a touched contact, in any institution."""
    contacts = entity_table("contacts")
    touched = touched_table()
    return contacts.filter(contacts.contact_id.isin(touched.contact_id)).select(
        *CONTACT_COLUMNS)


def found_contacts_table() -> ir.Table:
    return ibis.table(entity_table("contacts").select(*CONTACT_COLUMNS).schema(),
                      name=FOUND_CONTACTS_TABLE)


def beneficiary_lines() -> ir.Table:
    """The lines whose beneficiary has the id of a touched contact, in any organisation."""
    lines = entity_table("order_lines")
    touched = touched_table()
    hit = lines.filter(lines.beneficiary_contact_id.isin(touched.contact_id))
    return hit.select("organisation_id", "order_id", "beneficiary_contact_id")


def found_orders() -> ir.Table:
    """The orders whose buyer or payer has the id of a touched contact, or whose id is that of
    an order of ``_ind_keys``, in any organisation (an order may come twice)."""
    orders = entity_table("orders")
    touched = touched_table()
    keys = touched_order_keys_table()
    parts = [orders.filter(orders.buyer_contact_id.isin(touched.contact_id)),
             orders.filter(orders.payer_contact_id.isin(touched.contact_id)),
             orders.filter(orders.order_id.isin(keys.k_order))]
    return ibis.union(*(p.select(*ORDER_COLUMNS) for p in parts), distinct=False)


def _found_orders_table() -> ir.Table:
    return ibis.table(entity_table("orders").select(*ORDER_COLUMNS).schema(),
                      name=FOUND_ORDERS_TABLE)


def order_lines_of(orders: ir.Table) -> ir.Table:
    """The lines whose order has the id of an order of ``orders`` (materialised
    ``orders_as_of``), in any organisation."""
    lines = entity_table("order_lines")
    return lines.filter(lines.order_id.isin(orders.order_id))


def _lines_source(lookup: bool) -> ir.Table:
    lines = entity_table("order_lines")
    return ibis.table(lines.schema(), name=ORDER_LINES_TABLE) if lookup else lines


def _lines_of(orders: ir.Table, subset: bool, lookup: bool = False) -> ir.Table:
    """The order lines; with ``subset`` (a few contacts), only those of ``orders`` (found
    among the lines looked up by ``order_lines_of`` with ``lookup``)."""
    lines = _lines_source(lookup)
    if not subset:
        return lines
    return lines.semi_join(orders, [lines.order_id == orders.order_id,
                                    lines.organisation_id == orders.organisation_id]
                           ).select(*lines.columns)


def late_lines(orders: ir.Table, subset: bool = False, lookup: bool = False) -> ir.Table:
    """(organisation, line) of the lines whose latest status is dated after D: their status
    as of D comes from their history (``past_statuses``); every other line's is its latest.
    For a recent D, few lines or none."""
    lines = _lines_of(orders, subset, lookup)
    c = _ctx_end()
    late = lines.inner_join(c, lines.organisation_id == c.c_org)
    late = late.filter(late.last_status_at >= late.c_end)  # NULL: at the order's creation
    return late.select("organisation_id", "line_id")


def past_statuses(late: ir.Table) -> ir.Table:
    """The status as of D of the lines of ``late`` (materialised ``late_lines``): the latest
    row of their history dated before D (none when their first status is later)."""
    statuses = statuses_table()
    st = statuses.semi_join(late, [statuses.organisation_id == late.organisation_id,
                                   statuses.line_id == late.line_id]).select(*statuses.columns)
    c = _ctx_end()
    st = st.inner_join(c, st.organisation_id == c.c_org)
    st = st.filter(st.status_at < st.c_end)
    st = st.mutate(
        _rank=ibis.row_number().over(
            group_by=[st.organisation_id, st.line_id],
            order_by=[ibis.desc(st.status_at), ibis.desc(st.seq)],
        )
    )
    return st.filter(st._rank == 0).select("organisation_id", "line_id", "status")


def past_statuses_table() -> ir.Table:
    return ibis.table({"organisation_id": "string", "line_id": "string", "status": "string"},
                      name=PAST_TABLE)


def lines_as_of(orders: ir.Table, subset: bool = False, narrow: bool = False,
                lookup: bool = False) -> ir.Table:
    """Lines of the orders of ``orders`` (materialised ``orders_as_of``), with their status as
    of D (their latest, or from ``_ind_past``; None when their first status is later), holder,
    season (performance's, else product's, else the order date's) and whether it is the
    current or previous one, product and performance facts. ``narrow``: only what the
    indicators read, the product and performance facts turned into flags. (The lines are
    joined to ``orders`` below, which restricts them: a semi-join before it as well left
    PostgreSQL comparing every pair of lines and orders when it misjudged the orders' count.)
    ``lookup``: the lines are those looked up by ``order_lines_of``."""
    lines = _lines_source(lookup)
    products = entity_table("products")
    performances = entity_table("performances")
    seasons = entity_table("seasons")
    st = past_statuses_table()
    st = st.select(st_org=st.organisation_id, st_line=st.line_id, past_status=st.status)

    perf = performances.select(
        "organisation_id", "performance_id", "season_id",
        perf_date=performances.starts_at.date(), perf_kind=performances.kind,
    )
    perf = _season_of(perf, "perf_date", "perf_date_season_id", seasons)
    perf = perf.select(
        p_org=perf.organisation_id, p_id=perf.performance_id, perf_date=perf.perf_date,
        perf_kind=perf.perf_kind,
        perf_season_id=perf.season_id.coalesce(perf.perf_date_season_id),
        event_date=ibis.ifelse(perf.perf_kind.isin(["EVENT", "COMPETITION"]), perf.perf_date,
                               ibis.null().cast("date")),
    )
    # the products' flags are computed once per product (a few thousand), not per line
    ctx = context_table()
    pc = products.inner_join(ctx, products.organisation_id == ctx.organisation_id)
    prod = pc.select(
        pr_org=pc.organisation_id, pr_id=pc.product_id, family=pc.family,
        audience=pc.audience, product_season_id=pc.season_id,
        valid_from=pc.valid_from, valid_to=pc.valid_to,
        is_child=(pc.audience == "CHILD").fill_null(False),
        is_subscription=(pc.family == "SUBSCRIPTION").fill_null(False),
        is_valid_membership=_valid_membership(pc),
    )
    o = orders.select(
        o_org=orders.organisation_id, o_id=orders.order_id, buyer_id=orders.buyer_id,
        payer_id=orders.payer_id, order_date=orders.order_date,
        order_season_id=orders.order_season_id, c_end=orders.ctx_end_ts,
        c_as_of=orders.ctx_as_of, c_current=orders.ctx_current_season_id,
        c_previous=orders.ctx_previous_season_id,
    )
    on = [lines.organisation_id == o.o_org, lines.order_id == o.o_id]
    j = lines.inner_join(o, on[::-1] if subset else on)  # subset: the selective key first
    j = j.left_join(st, [j.organisation_id == st.st_org, j.line_id == st.st_line])
    j = j.left_join(prod, [j.organisation_id == prod.pr_org, j.product_id == prod.pr_id])
    j = j.left_join(perf, [j.organisation_id == perf.p_org, j.performance_id == perf.p_id])
    settled = j.last_status_at.isnull() | (j.last_status_at < j.c_end)
    status = ibis.ifelse(settled, j.last_status, j.past_status)
    season = j.perf_season_id.coalesce(j.product_season_id, j.order_season_id)
    countable = status.isin(["PAID", "RESERVED"]).fill_null(False)
    shared = dict(
        organisation_id=j.organisation_id,
        order_id=j.order_id,
        performance_id=j.performance_id,
        holder_id=j.beneficiary_contact_id.coalesce(j.buyer_id),
        buyer_id=j.buyer_id,
        amount=j.amount,
        countable=countable,
        revenue=(status == "PAID").fill_null(False),
        in_current=(season == j.c_current).fill_null(False),
        in_previous=(season == j.c_previous).fill_null(False),
        order_date=j.order_date,
    )
    if narrow:
        # what the indicator rules ask of a line, as flags: the indicators' passes over the
        # lines read this relation several times, so the fewer its columns, the cheaper
        return j.select(
            **shared,
            is_child=j.is_child.fill_null(False),
            is_subscription=j.is_subscription.fill_null(False),
            is_membership=countable & j.is_valid_membership.fill_null(False),
            event_date=j.event_date,
        )
    return j.select(
        **shared,
        line_id=j.line_id,
        payer_id=j.payer_id,
        status=status,
        season_id=season,
        perf_date=j.perf_date,
        perf_kind=j.perf_kind,
        family=j.family,
        audience=j.audience,
        product_season_id=j.product_season_id,
        valid_from=j.valid_from,
        valid_to=j.valid_to,
    )


def _valid_membership(p: ir.Table) -> ir.Value:
    """A membership product (``p``: products with their organisation's context) valid on D:
    of the current season, or dated around D."""
    d = p.as_of
    has_bound = p.valid_from.notnull() | p.valid_to.notnull()
    in_period = has_bound & (p.valid_from.isnull() | (p.valid_from <= d)) & (
        p.valid_to.isnull() | (p.valid_to >= d))
    seasonal = (p.season_id == p.current_season_id).fill_null(False)
    return ((p.family == "MEMBERSHIP") & (seasonal | in_period)).fill_null(False)


def materialised(expr: ir.Table, name: str) -> ir.Table:
    return ibis.table(expr.schema(), name=name)
