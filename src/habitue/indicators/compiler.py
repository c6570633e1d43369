"""Compile the standard indicators to one Ibis expression (``spec/indicators.md``).

Pure: it reads unbound tables (the base tables, the materialised facts ``_ind_orders`` and
``_ind_lines``, the per-organisation context ``_ind_ctx``) and returns one row per
(organisation, contact) with, for each enabled indicator, its value and its level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.indicators.sources import (
    context_table,
    entity_table,
    thresholds_table,
    touched_table,
)

BANDED = ("pmg", "pmg_n", "engagement_social", "influence_sociale")
CHANNEL_RANK = {"OTHERS": 1, "INTERNET": 2, "B2B": 3}


class Inputs:
    """The relations every indicator may read. Dates come from the context ``ctx`` (one row
    per organisation), joined where a rule needs them."""

    def __init__(self, orders: ir.Table, lines: ir.Table, subset: bool = False) -> None:
        self.orders = orders
        self.lines = lines
        self.subset = subset
        self.ctx = context_table()
        self.contacts = entity_table("contacts")
        self.shares = entity_table("social_shares")
        self.visits = entity_table("share_visits")

    def with_ctx(self, t: ir.Table, *cols: str) -> ir.Table:
        """``t`` with the context columns ``cols`` of its organisation."""
        c = self.ctx.select(c_org=self.ctx.organisation_id, **{f"c_{n}": self.ctx[n]
                                                              for n in cols})
        return t.inner_join(c, t.organisation_id == c.c_org)

    def lines_in(self, season_col: str) -> ir.Table:
        """Lines of the organisation's current or previous season (``season_col`` of ctx)."""
        c = self.ctx.select(c_org=self.ctx.organisation_id, c_season=self.ctx[season_col])
        j = self.lines.inner_join(
            c, [self.lines.organisation_id == c.c_org, self.lines.season_id == c.c_season]
        )
        return j.select(*self.lines.columns)


def _per_contact(t: ir.Table, who: str, **aggs) -> ir.Table:
    return t.group_by(organisation_id=t.organisation_id, contact_id=t[who]).aggregate(**aggs)


# -- one function per indicator: (org, contact, value) for the contacts that have one ---------

def assiduite(i: Inputs) -> ir.Table:
    t = i.lines_in("current_season_id")
    t = t.filter(t.countable & t.performance_id.notnull())
    return _per_contact(t, "holder_id", value=t.performance_id.nunique())


def produit_enfant(i: Inputs) -> ir.Table:
    t = i.lines_in("current_season_id")
    t = t.filter(t.audience == "CHILD")
    return _per_contact(t, "buyer_id", value=t.line_id.notnull().any())


def adherent(i: Inputs) -> ir.Table:
    t = i.with_ctx(i.lines, "current_season_id", "as_of")
    d = t.c_as_of
    has_bound = t.valid_from.notnull() | t.valid_to.notnull()
    in_period = has_bound & (t.valid_from.isnull() | (t.valid_from <= d)) & (
        t.valid_to.isnull() | (t.valid_to >= d))
    seasonal = (t.product_season_id == t.c_current_season_id).fill_null(False)
    t = t.filter(t.countable & (t.family == "MEMBERSHIP") & (seasonal | in_period))
    return _per_contact(t, "holder_id", value=t.line_id.notnull().any())


def _spend(i: Inputs, season_col: str) -> ir.Table:
    t = i.lines_in(season_col)
    revenue = t.filter(t.revenue)
    value = _per_contact(revenue, "buyer_id", value=revenue.amount.sum())
    subs = t.filter(t.countable & (t.family == "SUBSCRIPTION"))
    subs = _per_contact(subs, "holder_id", subscriber=subs.line_id.notnull().any())
    subs = subs.select(s_org=subs.organisation_id, s_contact=subs.contact_id,
                       subscriber=subs.subscriber)
    kinds = i.contacts.select(k_inst=i.contacts.institution_id, k_contact=i.contacts.contact_id,
                              kind=i.contacts.kind)
    ctx = i.ctx.select(x_org=i.ctx.organisation_id, x_inst=i.ctx.institution_id)
    j = value.inner_join(ctx, value.organisation_id == ctx.x_org)
    j = j.left_join(kinds, [j.x_inst == kinds.k_inst, j.contact_id == kinds.k_contact])
    j = j.left_join(subs, [j.organisation_id == subs.s_org, j.contact_id == subs.s_contact])
    population = ibis.cases(
        (j.kind == "STRUCTURE", "collectivite"),
        (j.subscriber.fill_null(False), "abonne"),
        else_="autre",
    )
    return j.select("organisation_id", "contact_id", "value", population=population)


def pmg(i: Inputs) -> ir.Table:
    return _spend(i, "previous_season_id")


def pmg_n(i: Inputs) -> ir.Table:
    return _spend(i, "current_season_id")


def recence(i: Inputs) -> ir.Table:
    t = i.lines
    t = t.filter(t.countable & t.perf_kind.isin(["EVENT", "COMPETITION"]))
    return _per_contact(t, "holder_id", value=t.perf_date.max())


def filiere_vente(i: Inputs) -> ir.Table:
    countable = i.lines.filter(i.lines.countable)
    with_line = countable.select(l_org=countable.organisation_id,
                                 l_order=countable.order_id).distinct()
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


def abonne(i: Inputs) -> ir.Table:
    t = i.lines_in("current_season_id")
    t = t.filter(t.countable & (t.family == "SUBSCRIPTION"))
    return _per_contact(t, "holder_id", value=t.line_id.notnull().any())


def anciennete(i: Inputs) -> ir.Table:
    o, ln = i.orders, i.lines
    firsts = ibis.union(
        o.select(organisation_id=o.organisation_id, contact_id=o.buyer_id, d=o.order_date),
        o.select(organisation_id=o.organisation_id, contact_id=o.payer_id, d=o.order_date),
        ln.select(organisation_id=ln.organisation_id, contact_id=ln.holder_id, d=ln.order_date),
        distinct=False,
    )
    return _per_contact(firsts, "contact_id", value=firsts.d.min())


def _shares_in_window(i: Inputs) -> ir.Table:
    s = i.with_ctx(i.shares, "months_12", "end_ts")
    s = s.filter((s.shared_at.date() > s.c_months_12) & (s.shared_at < s.c_end_ts))
    if i.subset:
        touched = touched_table()
        s = s.semi_join(touched, [s.organisation_id == touched.organisation_id,
                                  s.contact_id == touched.contact_id])
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


COMPILERS: dict[str, Callable[[Inputs], ir.Table]] = {
    "assiduite": assiduite, "produit_enfant": produit_enfant, "adherent": adherent,
    "pmg": pmg, "pmg_n": pmg_n, "recence": recence, "filiere_vente": filiere_vente,
    "abonne": abonne, "anciennete": anciennete,
    "engagement_social": engagement_social, "influence_sociale": influence_sociale,
}  # jeune reads the contact's birth date on the grid itself


# -- levels ---------------------------------------------------------------------------------

def band_level(value: ir.Value, cume: ir.Value) -> ir.Value:
    """The band rule: 0 for 0, 1 for the lowest 50 %, 3 above 80 %, 2 between."""
    return ibis.cases(
        (value.isnull() | (value <= 0), 0),
        (cume <= 0.5, 1),
        (cume > 0.8, 3),
        else_=2,
    )


def with_bands(t: ir.Table, partition: Sequence[str]) -> ir.Table:
    """``t`` with ``cume``: cume_dist of value among the partition's values > 0."""
    positive = t.filter(t.value > 0)
    positive = positive.mutate(
        cume=ibis.cume_dist().over(group_by=[positive[c] for c in partition],
                                   order_by=positive.value)
    )
    zero = t.filter(~(t.value > 0)).mutate(cume=ibis.null().cast("float64"))
    return ibis.union(positive, zero, distinct=False)


def with_thresholds(t: ir.Table, code: str) -> ir.Table:
    """``t`` with ``band``: the band level read from the stored thresholds of the last batch
    (the per-contact path: the same level the batch gives to the same value)."""
    th = thresholds_table()
    th = th.filter(th.indicator == code).select(
        th_org=th.organisation_id, th_pop=th.population, l1=th.level_1_max, l2=th.level_2_max)
    pop = t.population if "population" in t.columns else ibis.literal("all")
    t = t.mutate(_pop=pop)
    j = t.left_join(th, [t.organisation_id == th.th_org, t._pop == th.th_pop])
    band = ibis.cases(
        (j.value.isnull() | (j.value <= 0), 0),
        (j.l1.notnull() & (j.value <= j.l1), 1),
        (j.l2.notnull() & (j.value <= j.l2), 2),
        else_=3,
    )
    return j.select(*t.columns, band=band).drop("_pop")


def level_expr(code: str, value: ir.Value, extra: dict[str, ir.Value], g: ir.Table) -> ir.Value:
    """The level of ``value``; ``g`` (the grid) carries the context dates."""
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
        return extra["channel_rank"].fill_null(0)
    if code in BANDED:
        if "band" in extra:
            return extra["band"].fill_null(0)
        return band_level(value, extra["cume"])
    raise KeyError(code)


DATE_COLUMNS = ("as_of", "months_12", "years_1", "years_3", "years_4")


def compile_indicators(inputs: Inputs, codes: Sequence[str]) -> ir.Table:
    """One row per (organisation, contact) of every institution in ``_ind_ctx``, with
    ``<code>`` and ``<code>_level`` for each code (defaults where nothing was computed)."""
    ctx = inputs.ctx
    contacts = inputs.contacts
    grid = contacts.inner_join(ctx, contacts.institution_id == ctx.institution_id)
    grid = grid.select(
        organisation_id=grid.organisation_id, contact_id=grid.contact_id,
        institution_id=grid.institution_id, birth_date=grid.birth_date,
        young_born_from=grid.young_born_from, **{c: grid[c] for c in DATE_COLUMNS},
    )
    if inputs.subset:
        touched = touched_table()
        grid = grid.semi_join(touched, [grid.organisation_id == touched.organisation_id,
                                        grid.contact_id == touched.contact_id])
    joined: dict[str, list[str]] = {}
    for code in codes:
        if code == "jeune":
            continue
        values = COMPILERS[code](inputs)
        if code in BANDED and inputs.subset:
            values = with_thresholds(values, code)
        elif code in BANDED:
            partition = ["organisation_id", "population"] if code.startswith("pmg") \
                else ["organisation_id"]
            values = with_bands(values, partition)
        extra_cols = [c for c in values.columns if c not in ("organisation_id", "contact_id")]
        renamed = values.select(
            **{f"{code}__org": values.organisation_id, f"{code}__contact": values.contact_id},
            **{f"{code}__{c}": values[c] for c in extra_cols},
        )
        grid = grid.left_join(renamed, [grid.organisation_id == renamed[f"{code}__org"],
                                        grid.contact_id == renamed[f"{code}__contact"]])
        grid = grid.drop(f"{code}__org", f"{code}__contact")
        joined[code] = extra_cols

    columns: dict[str, ir.Value] = {}
    for code in codes:
        if code == "jeune":
            value = ibis.ifelse(grid.birth_date.isnull(), ibis.null().cast("boolean"),
                                grid.birth_date >= grid.young_born_from)
            extra = {}
        else:
            default = INDICATOR_BY_CODE[code].default
            raw = grid[f"{code}__value"]
            value = raw if default is None else raw.fill_null(default)
            extra = {c: grid[f"{code}__{c}"] for c in joined[code] if c != "value"}
        columns[code] = value
        columns[f"{code}_level"] = level_expr(code, value, extra, grid)
        if "population" in extra:
            columns[f"{code}_population"] = extra["population"]
    return grid.select("organisation_id", "contact_id", "institution_id", **columns)


def compile_sql(dialect: str, codes: tuple[str, ...], subset: bool) -> tuple[str, str, str]:
    """The SQL of the three steps (orders, lines, values) for a dialect: the same text for
    every reference date, so callers may cache it."""
    from habitue.indicators.facts import (
        LINES_TABLE,
        ORDERS_TABLE,
        lines_as_of,
        materialised,
        orders_as_of,
    )

    orders = orders_as_of(subset)
    lines = lines_as_of(materialised(orders, ORDERS_TABLE), subset)
    values = compile_indicators(
        Inputs(materialised(orders, ORDERS_TABLE), materialised(lines, LINES_TABLE), subset),
        codes,
    )
    return tuple(str(ibis.to_sql(e, dialect=dialect)) for e in (orders, lines, values))
