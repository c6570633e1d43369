"""Compile the standard indicators to Ibis expressions (``spec/indicators.md``).

Pure: it reads unbound tables (the base tables, the per-organisation context ``_ind_ctx``,
the materialised steps ``_ind_orders``, ``_ind_late``, ``_ind_past``, ``_ind_values``) and
gives the SQL of each step (``compile_sql``): one row per (organisation, contact) with, for
each enabled indicator, its value (``compile_values``), then its level (``compile_levels``).
Decision 0005 says why it is cut this way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.indicators.facts import found_contacts_table
from habitue.indicators.sources import (
    context_table,
    entity_table,
    thresholds_table,
    touched_table,
)

BANDED = ("pmg", "pmg_n", "engagement_social", "influence_sociale")
POPULATION_CODES = ("pmg", "pmg_n")  # banded per population
CHANNEL_RANK = {"OTHERS": 1, "INTERNET": 2, "B2B": 3}


class Inputs:
    """The relations every indicator may read. Dates come from the context ``ctx`` (one row
    per organisation), joined where a rule needs them."""

    def __init__(self, orders: ir.Table, lines: ir.Table, subset: bool = False,
                 lookup: bool = False) -> None:
        self.orders = orders
        self.subset = subset
        self.lookup = lookup  # the few touched contacts looked up by index (decision 0009)
        self.ctx = context_table()
        self.contacts = found_contacts_table() if lookup else entity_table("contacts")
        self.shares = entity_table("social_shares")
        self.visits = entity_table("share_visits")
        self.lines = lines  # narrow lines_as_of: each line once, with its flags

    def with_ctx(self, t: ir.Table, *cols: str) -> ir.Table:
        """``t`` with the context columns ``cols`` of its organisation."""
        c = self.ctx.select(c_org=self.ctx.organisation_id, **{f"c_{n}": self.ctx[n]
                                                              for n in cols})
        return t.inner_join(c, t.organisation_id == c.c_org)


# -- what each indicator aggregates over a contact's lines, by the contact's role -------------
# A contact's lines are aggregated once per role (holder, buyer) for every indicator at once:
# two passes over the lines instead of one per indicator. Each entry: code -> {role: {column:
# aggregate of the lines ``t``}}; the column named like the code is the indicator's value.

def _spend(season: str) -> Callable[[ir.Table], ir.Value]:
    return lambda t: t.amount.sum(where=t.revenue & t[season])


def _subscribed(season: str) -> Callable[[ir.Table], ir.Value]:
    return lambda t: (t.countable & t.is_subscription & t[season]).any()


def _revenue_lines(season: str) -> Callable[[ir.Table], ir.Value]:
    return lambda t: t.organisation_id.count(where=t.revenue & t[season])


LINE_AGGREGATES: dict[str, dict[str, dict[str, Callable[[ir.Table], ir.Value]]]] = {
    "produit_enfant": {"buyer": {"produit_enfant": lambda t: (t.in_current & t.is_child).any()}},
    "adherent": {"holder": {"adherent": lambda t: t.is_membership.any()}},
    "pmg": {"buyer": {"pmg": _spend("in_previous"),
                      "pmg__revenue_lines": _revenue_lines("in_previous")},
            "holder": {"pmg__subscriber": _subscribed("in_previous")}},
    "pmg_n": {"buyer": {"pmg_n": _spend("in_current"),
                        "pmg_n__revenue_lines": _revenue_lines("in_current")},
              "holder": {"pmg_n__subscriber": _subscribed("in_current")}},
    "recence": {"holder": {"recence": lambda t: t.event_date.max(where=t.countable)}},
    "abonne": {"holder": {"abonne": _subscribed("in_current")}},
    "anciennete": {"holder": {"anciennete__lines": lambda t: t.order_date.min()}},
}


def _line_aggregates(i: Inputs, codes: Sequence[str], role: str) -> ir.Table | None:
    """(organisation, contact) -> the aggregates of ``codes`` over the contact's lines in
    ``role``; None when no code needs that role."""
    t = i.lines
    aggs = {name: agg(t) for code in codes
            for name, agg in LINE_AGGREGATES.get(code, {}).get(role, {}).items()}
    if not aggs:
        return None
    return t.group_by(organisation_id=t.organisation_id,
                      contact_id=t[f"{role}_id"]).aggregate(**aggs)


def filiere_vente(i: Inputs) -> ir.Table:
    countable = i.lines.filter(i.lines.countable)
    with_line = countable.select(l_org=countable.organisation_id, l_order=countable.order_id)
    o = i.with_ctx(i.orders, "months_12", "months_36")
    o = o.filter(o.order_date > o.c_months_36)
    o = o.semi_join(with_line, [o.organisation_id == with_line.l_org,
                                o.order_id == with_line.l_order])
    recent = ibis.ifelse(o.order_date > o.c_months_12, 1, 0)
    per_channel = o.group_by(organisation_id=o.organisation_id, contact_id=o.buyer_id,
                             channel=o.channel).aggregate(n12=recent.sum(), n36=o.count())
    totals = per_channel.group_by(t_org=per_channel.organisation_id,
                                  t_contact=per_channel.contact_id).aggregate(
        any12=per_channel.n12.sum())
    j = per_channel.inner_join(totals, [per_channel.organisation_id == totals.t_org,
                                        per_channel.contact_id == totals.t_contact])
    n = ibis.ifelse(j.any12 > 0, j.n12, j.n36)
    rank = ibis.cases(*((j.channel == ch, r) for ch, r in CHANNEL_RANK.items()), else_=0)
    j = j.select("organisation_id", "contact_id", n=n, rank=rank).filter(ibis._.n > 0)
    best = j.group_by("organisation_id", "contact_id").aggregate(
        key=(j.n * 10 + j.rank).max())
    return best.select("organisation_id", "contact_id",
                       value=(best.key // 10).cast("int32"), channel_rank=best.key % 10)


def anciennete_orders(i: Inputs) -> ir.Table:
    """The first order date of each contact as buyer or payer (its lines as holder come with
    the holder aggregates)."""
    o = i.orders
    paid_by_other = o.filter(o.payer_id != o.buyer_id)  # the payer defaults to the buyer
    firsts = ibis.union(
        o.select(organisation_id=o.organisation_id, contact_id=o.buyer_id, d=o.order_date),
        paid_by_other.select(organisation_id=paid_by_other.organisation_id,
                             contact_id=paid_by_other.payer_id, d=paid_by_other.order_date),
        distinct=False,
    )
    return _per_contact(firsts, "contact_id", value=firsts.d.min())


def _shares_in_window(i: Inputs) -> ir.Table:
    s = i.with_ctx(i.shares, "months_12", "end_ts")
    s = s.filter((s.shared_at.date() > s.c_months_12) & (s.shared_at < s.c_end_ts))
    if i.subset:
        touched = touched_table()
        s = s.semi_join(touched, [s.contact_id == touched.contact_id,
                                  s.organisation_id == touched.organisation_id])
    return s


def engagement_social(i: Inputs) -> ir.Table:
    s = _shares_in_window(i)
    shared = s.order_id.coalesce("#share:" + s.share_id)
    return _per_contact(s, "contact_id", value=shared.nunique().cast("int32"))


def influence_sociale(i: Inputs) -> ir.Table:
    s = _shares_in_window(i)
    v = i.with_ctx(i.visits, "end_ts")
    v = v.filter(v.visited_at < v.c_end_ts)
    v = v.select(v_org=v.organisation_id, v_share=v.share_id, v_id=v.visit_id)
    j = s.inner_join(v, [s.organisation_id == v.v_org, s.share_id == v.v_share])
    return _per_contact(j, "contact_id", value=j.v_id.count().cast("int32"))


def _per_contact(t: ir.Table, who: str, **aggs) -> ir.Table:
    return t.group_by(organisation_id=t.organisation_id, contact_id=t[who]).aggregate(**aggs)


def assiduite(i: Inputs) -> ir.Table:
    """Distinct performances of the current season a contact holds countable lines for (the
    few such lines are counted apart: a distinct count in the holder pass costs more)."""
    t = i.lines
    t = t.filter(t.countable & t.in_current & t.performance_id.notnull())
    return _per_contact(t, "holder_id", value=t.performance_id.nunique())


# indicators computed apart from the two passes, one relation each: (org, contact,
# value[, extra columns])
OTHER_COMPILERS: dict[str, Callable[[Inputs], ir.Table]] = {
    "assiduite": assiduite,
    "filiere_vente": filiere_vente, "anciennete": anciennete_orders,
    "engagement_social": engagement_social, "influence_sociale": influence_sociale,
}


# -- levels ---------------------------------------------------------------------------------

def band_level(value: ir.Value, cume: ir.Value) -> ir.Value:
    """The band rule: 0 for 0, 1 for the lowest 50 %, 3 above 80 %, 2 between."""
    return ibis.cases(
        (value.isnull() | (value <= 0), 0),
        (cume <= 0.5, 1),
        (cume > 0.8, 3),
        else_=2,
    )


def with_thresholds(g: ir.Table, code: str, population: ir.Value | None) -> ir.Table:
    """``g`` with ``<code>__band``: the band level read from the stored thresholds of the last
    batch (the per-contact path: the same level the batch gives to the same value)."""
    th = thresholds_table()
    th = th.filter(th.indicator == code).select(
        th_org=th.organisation_id, th_pop=th.population, th_l1=th.level_1_max,
        th_l2=th.level_2_max)
    g = g.mutate(_pop=population if population is not None else ibis.literal("all"))
    j = g.left_join(th, [g.organisation_id == th.th_org, g._pop == th.th_pop])
    value = j[code]
    band = ibis.cases(
        (value.isnull() | (value <= 0), 0),
        (j.th_l1.notnull() & (value <= j.th_l1), 1),
        (j.th_l2.notnull() & (value <= j.th_l2), 2),
        else_=3,
    )
    return j.select(*g.columns, **{f"{code}__band": band}).drop("_pop")


def level_expr(code: str, value: ir.Value, g: ir.Table) -> ir.Value:
    """The level of ``value``; ``g`` (the grid) carries the context dates and, for banded
    indicators, ``<code>__band`` (stored thresholds) or ``<code>__cume`` (this batch)."""
    if code == "assiduite":
        return ibis.cases((value <= 0, 0), (value == 1, 1), (value <= 5, 2), else_=3)
    if code in ("produit_enfant", "adherent", "abonne", "jeune"):
        return ibis.ifelse(value.fill_null(False), 1, 0)
    if code == "recence":
        return ibis.cases(
            (value.isnull(), 0), (value <= g.years_3, 1), (value <= g.years_1, 2),
            (value < g.as_of, 3), else_=4,
        )
    if code == "anciennete":
        return ibis.cases(
            (value.isnull(), 0), (value > g.months_12, 1), (value > g.years_4, 2), else_=3,
        )
    if code == "filiere_vente":
        return g["filiere_vente__channel_rank"].fill_null(0)
    if code in BANDED:
        if f"{code}__band" in g.columns:
            return g[f"{code}__band"].fill_null(0)
        return band_level(value, g[f"{code}__cume"])
    raise KeyError(code)


DATE_COLUMNS = ("as_of", "months_12", "years_1", "years_3", "years_4")


def _join_per_contact(grid: ir.Table, t: ir.Table, prefix: str | None = None) -> ir.Table:
    """``grid`` left-joined with ``t`` (organisation_id, contact_id, columns...) on the contact;
    ``t``'s columns arrive as ``<prefix>__<column>`` (as they are without a prefix)."""
    cols = [c for c in t.columns if c not in ("organisation_id", "contact_id")]
    names = {c: f"{prefix}__{c}" if prefix else c for c in cols}
    r = t.select(_j_org=t.organisation_id, _j_contact=t.contact_id,
                 **{names[c]: t[c] for c in cols})
    j = grid.left_join(r, [grid.organisation_id == r._j_org, grid.contact_id == r._j_contact])
    return j.drop("_j_org", "_j_contact")


def _value(grid: ir.Table, code: str) -> ir.Value:
    """The value of ``code`` on the grid, its default where nothing was computed."""
    if code == "jeune":
        return ibis.ifelse(grid.birth_date.isnull(), ibis.null().cast("boolean"),
                           grid.birth_date >= grid.young_born_from)
    if code == "anciennete":
        raw = ibis.least(grid["anciennete__value"], grid["anciennete__lines"])
    elif code in OTHER_COMPILERS:
        raw = grid[f"{code}__value"]
    else:
        raw = grid[code]
    default = INDICATOR_BY_CODE[code].default
    return raw if default is None else raw.fill_null(default)


def _population(grid: ir.Table, code: str) -> ir.Value:
    """PMG's population: structures, subscribers of that season, everyone else; only for
    contacts with revenue lines in the season."""
    population = ibis.cases(
        (grid.kind == "STRUCTURE", "collectivite"),
        (grid[f"{code}__subscriber"].fill_null(False), "abonne"),
        else_="autre",
    )
    return ibis.ifelse(grid[f"{code}__revenue_lines"].fill_null(0) > 0, population,
                       ibis.null().cast("string"))


def _cume(grid: ir.Table, code: str, by_population: bool) -> ir.Table:
    """The band rule's cume_dist for each distinct value > 0 of the organisation (and
    population): the share of the partition's values > 0 that are lower or equal. Computed on
    the distinct values (a few thousand) rather than by sorting every contact."""
    positive = grid.filter(grid[code] > 0)
    keys = {"c_org": positive.organisation_id}
    if by_population:
        keys["c_pop"] = positive[f"{code}_population"]
    counts = positive.group_by(**keys, c_value=positive[code]).aggregate(c_n=ibis._.count())
    partition = [counts[k] for k in keys]
    below = counts.c_n.sum().over(ibis.cumulative_window(group_by=partition,
                                                         order_by=counts.c_value))
    total = counts.c_n.sum().over(group_by=partition)
    return counts.select(*keys, "c_value", c_cume=below / total)


def _with_cume(grid: ir.Table, cume: ir.Table, code: str, by_population: bool) -> ir.Table:
    """``grid`` with ``<code>__cume`` from ``_cume``'s table (None for values <= 0)."""
    on = [grid.organisation_id == cume.c_org, grid[code] == cume.c_value]
    if by_population:
        on.append(grid[f"{code}_population"] == cume.c_pop)
    j = grid.left_join(cume, on)
    return j.select(*grid.columns, **{f"{code}__cume": j.c_cume})


def compile_values(inputs: Inputs, codes: Sequence[str]) -> ir.Table:
    """One row per (organisation, contact) of every institution in ``_ind_ctx``, with
    ``<code>`` for each code (its default where nothing was computed), PMG's populations and
    what the levels need (``compile_levels``)."""
    ctx = inputs.ctx
    contacts = inputs.contacts
    if inputs.subset:
        # the touched contacts first, then their rows (looked up, not scanned for)
        touched = touched_table()
        who = touched.inner_join(ctx, touched.organisation_id == ctx.organisation_id)
        grid = who.inner_join(contacts, [who.contact_id == contacts.contact_id,
                                         who.institution_id == contacts.institution_id])
    else:
        grid = contacts.inner_join(ctx, contacts.institution_id == ctx.institution_id)
    grid = grid.select(
        organisation_id=grid.organisation_id, contact_id=grid.contact_id,
        institution_id=grid.institution_id, birth_date=grid.birth_date, kind=grid.kind,
        young_born_from=grid.young_born_from, **{c: grid[c] for c in DATE_COLUMNS},
    )
    for role in ("holder", "buyer"):
        aggs = _line_aggregates(inputs, codes, role)
        if aggs is not None:
            grid = _join_per_contact(grid, aggs)
    for code in codes:
        if code in OTHER_COMPILERS:
            grid = _join_per_contact(grid, OTHER_COMPILERS[code](inputs), code)

    values = {code: _value(grid, code) for code in codes}
    populations = {f"{code}_population": _population(grid, code) for code in codes
                   if code in POPULATION_CODES}
    return grid.select("organisation_id", "contact_id", "institution_id",
                       *DATE_COLUMNS,
                       *(["filiere_vente__channel_rank"] if "filiere_vente" in codes else []),
                       **values, **populations)


def compile_levels(values: ir.Table, codes: Sequence[str], subset: bool) -> ir.Table:
    """The values of ``compile_values`` (materialised: ``values``) with their levels: banded
    ones by the rule over this batch, or with ``subset`` by the stored thresholds."""
    grid = values
    banded = [code for code in codes if code in BANDED]
    if subset:
        for code in banded:
            population = grid[f"{code}_population"] if code in POPULATION_CODES else None
            grid = with_thresholds(grid, code, population)
    else:
        for code in banded:
            grid = _with_cume(grid, _cume(values, code, code in POPULATION_CODES), code,
                              code in POPULATION_CODES)
    columns: dict[str, ir.Value] = {}
    for code in codes:
        columns[code] = grid[code]
        columns[f"{code}_level"] = level_expr(code, grid[code], grid)
        if code in POPULATION_CODES:
            columns[f"{code}_population"] = grid[f"{code}_population"]
    return grid.select("organisation_id", "contact_id", "institution_id", **columns)


@dataclass(frozen=True)
class CompiledSteps:
    """The SQL of one computation for a dialect. ``facts`` are run in order, each into the
    temporary table it names (each step's size is known to the planner before the next): the
    orders as of D, the lines whose status comes from their history, and the values (which
    compute the lines inline, once); ``values`` then gives the values with their levels.
    ``lines`` materialises the lines for ``explain`` (the values do not read it). The same text serves every reference
    date, so callers may cache it."""

    facts: tuple[tuple[str, str], ...]
    lines: str
    values: str


def compile_sql(dialect: str, codes: tuple[str, ...], subset: bool,
                lookup: bool = False) -> CompiledSteps:
    """The steps of ``codes`` for every contact, or with ``subset`` for the contacts of
    ``_ind_touched``; with ``lookup`` (and ``subset``) those contacts' facts are looked up
    by index first, in steps of their own (DuckDB, decision 0009)."""
    from habitue.indicators.facts import (
        BENEFICIARY_TABLE,
        FOUND_CONTACTS_TABLE,
        FOUND_ORDERS_TABLE,
        KEYS_TABLE,
        LATE_TABLE,
        ORDER_LINES_TABLE,
        ORDERS_TABLE,
        PAST_TABLE,
        VALUES_TABLE,
        beneficiary_lines,
        found_contacts,
        found_orders,
        late_lines,
        lines_as_of,
        materialised,
        order_lines_of,
        orders_as_of,
        past_statuses,
        touched_order_keys,
    )

    lookup = lookup and subset
    orders = orders_as_of(subset, lookup)
    bound_orders = materialised(orders, ORDERS_TABLE)
    late = late_lines(bound_orders, subset, lookup)
    past = past_statuses(materialised(late, LATE_TABLE))
    lines = lines_as_of(bound_orders, subset, lookup=lookup)
    narrow = lines_as_of(bound_orders, subset, narrow=True, lookup=lookup)
    values = compile_values(Inputs(bound_orders, narrow, subset, lookup), codes)
    levels = compile_levels(materialised(values, VALUES_TABLE), codes, subset)

    def sql(e: ir.Table) -> str:
        return str(ibis.to_sql(e, dialect=dialect))

    keys = ((KEYS_TABLE, sql(touched_order_keys(lookup))),) if subset else ()
    if lookup:
        keys = ((FOUND_CONTACTS_TABLE, sql(found_contacts())),
                (BENEFICIARY_TABLE, sql(beneficiary_lines())), *keys,
                (FOUND_ORDERS_TABLE, sql(found_orders())))
    order_lines = ((ORDER_LINES_TABLE, sql(order_lines_of(bound_orders))),) if lookup else ()
    return CompiledSteps(
        facts=(*keys, (ORDERS_TABLE, sql(orders)), *order_lines, (LATE_TABLE, sql(late)),
               (PAST_TABLE, sql(past)), (VALUES_TABLE, sql(values))),
        lines=sql(lines), values=sql(levels))
