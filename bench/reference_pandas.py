"""The twelve standard indicators in plain pandas: the reference the benchmark runs beside
``habitue compute`` (issue 3: Habitué must beat it).

Written from ``spec/indicators.md`` alone: it imports nothing of ``habitue``, so that
``tests/integration/test_pandas_reference.py`` is a real cross-check of the engine (same value
and level for every organisation, contact and indicator).

    .venv/bin/python bench/reference_pandas.py duckdb:///bench/data/import-1000000.duckdb \\
        --as-of 2026-11-22 [--load-only | --long]

prints the time taken to load the tables and to compute (as JSON); ``bench/bench_compute.py``
runs it beside ``habitue compute``. Importing this module has no side effect.

Choices: money is kept as integer cents (exact sums, so that equal revenues rank equally);
every date-time is the organisation's local wall-clock time (as the store keeps it), so a
fact is "dated on or before D" when it is earlier than D + 1 day at midnight.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

CODES = ("assiduite", "produit_enfant", "adherent", "pmg", "pmg_n", "recence",
         "filiere_vente", "abonne", "anciennete", "jeune", "engagement_social",
         "influence_sociale")
KEY = ["organisation_id", "contact_id"]

# The columns each rule needs, per table of the store.
COLUMNS: dict[str, list[str]] = {
    "organisations": ["organisation_id", "institution_id"],
    "contacts": ["institution_id", "contact_id", "kind", "birth_date"],
    "seasons": ["organisation_id", "season_id", "start_date", "end_date"],
    "products": ["organisation_id", "product_id", "family", "audience", "season_id",
                 "valid_from", "valid_to"],
    "performances": ["organisation_id", "performance_id", "kind", "starts_at", "season_id"],
    "orders": ["organisation_id", "order_id", "buyer_contact_id", "payer_contact_id",
               "created_at", "channel"],
    "order_lines": ["organisation_id", "order_id", "line_id", "product_id", "performance_id",
                    "beneficiary_contact_id", "amount"],
    "order_line_statuses": ["organisation_id", "line_id", "status", "status_at", "seq"],
    "social_shares": ["organisation_id", "share_id", "contact_id", "order_id", "shared_at"],
    "share_visits": ["organisation_id", "visit_id", "share_id", "visited_at"],
}
DATE_COLUMNS = {"birth_date", "start_date", "end_date", "valid_from", "valid_to", "starts_at",
                "created_at", "status_at", "shared_at", "visited_at"}
# Defaults of the open format (data-format.md) for columns a store might leave empty.
DEFAULTS = {
    ("organisations", "institution_id"): "default",
    ("contacts", "institution_id"): "default",
    ("contacts", "kind"): "INDIVIDUAL",
    ("products", "audience"): "ALL",
    ("performances", "kind"): "EVENT",
}
CHANNEL_LEVEL = {"OTHERS": 1, "INTERNET": 2, "B2B": 3}  # also the tie order: B2B first


# -- loading -----------------------------------------------------------------------------------

def load_tables(source: str | Path) -> dict[str, pd.DataFrame]:
    """The store's tables as DataFrames: ``postgresql://…`` through SQLAlchemy and psycopg,
    anything else (``duckdb:///path`` or a plain path) as a DuckDB file opened read-only."""
    source = str(source)
    queries = {name: f"SELECT {', '.join(cols)} FROM {name}" for name, cols in COLUMNS.items()}
    if source.startswith(("postgresql", "postgres:")):
        import sqlalchemy as sa

        url = "postgresql+psycopg://" + source.split("://", 1)[1]
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                frames = {name: pd.read_sql_query(sa.text(q), conn)
                          for name, q in queries.items()}
        finally:
            engine.dispose()
    else:
        import duckdb

        path = source.removeprefix("duckdb:///")
        with duckdb.connect(path, read_only=True) as con:
            frames = {name: con.sql(q).df() for name, q in queries.items()}
    return {name: _tidy(name, df) for name, df in frames.items()}


def _tidy(name: str, df: pd.DataFrame) -> pd.DataFrame:
    for col in df.columns:
        if col in DATE_COLUMNS:
            df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
        elif (name, col) in DEFAULTS:
            df[col] = df[col].fillna(DEFAULTS[(name, col)])
    if name == "order_lines":
        # DuckDB hands DECIMAL over as float, PostgreSQL as Decimal objects
        df["amount"] = (df["amount"].astype("float64") * 100).round().astype("int64")
    return df


# -- the reference date and its windows ----------------------------------------------------------

@dataclass(frozen=True)
class Window:
    as_of: pd.Timestamp      # D, at midnight
    end: pd.Timestamp        # D + 1 day: a fact is dated on or before D when earlier than this
    months_12: pd.Timestamp  # D − 12 months
    months_36: pd.Timestamp
    years_1: pd.Timestamp
    years_3: pd.Timestamp
    years_4: pd.Timestamp

    @classmethod
    def of(cls, as_of: date) -> Window:
        d = pd.Timestamp(as_of)
        # DateOffset keeps the day and clips to the month's end (29 Feb − 1 year = 28 Feb)
        return cls(d, d + pd.Timedelta(days=1), d - pd.DateOffset(months=12),
                   d - pd.DateOffset(months=36), d - pd.DateOffset(years=1),
                   d - pd.DateOffset(years=3), d - pd.DateOffset(years=4))


def season_context(tables: dict[str, pd.DataFrame], w: Window) -> pd.DataFrame:
    """One row per organisation: its institution, current and previous season ids, and the
    first birth date that counts as young."""
    seasons = tables["seasons"]
    rows = []
    for org in tables["organisations"].itertuples(index=False):
        own = seasons[seasons.organisation_id == org.organisation_id]
        current = own[(own.start_date <= w.as_of) & (own.end_date >= w.as_of)]
        current = current.iloc[0] if len(current) else None
        limit = current.start_date if current is not None else w.as_of
        ended = own[own.end_date < limit]
        previous = ended.loc[ended.end_date.idxmax()] if len(ended) else None
        year = current.end_date.year if current is not None else w.as_of.year
        rows.append({
            "organisation_id": org.organisation_id,
            "institution_id": org.institution_id,
            "current_season_id": current.season_id if current is not None else None,
            "previous_season_id": previous.season_id if previous is not None else None,
            "young_born_from": pd.Timestamp(year - 29, 1, 1),
        })
    ctx = pd.DataFrame(rows, columns=["organisation_id", "institution_id", "current_season_id",
                                      "previous_season_id", "young_born_from"])
    ctx["young_born_from"] = ctx["young_born_from"].astype("datetime64[us]")
    return ctx


def season_containing(frame: pd.DataFrame, date_col: str, seasons: pd.DataFrame) -> pd.Series:
    """For each row of ``frame``, the id of its organisation's season whose dates contain
    ``frame[date_col]`` (NaN when none does). Seasons of one organisation do not overlap, so
    the latest season starting on or before the date is the only candidate."""
    left = frame[["organisation_id", date_col]].reset_index(names="_row")
    left = left.dropna(subset=[date_col]).sort_values(date_col)
    right = seasons[["organisation_id", "season_id", "start_date", "end_date"]]
    m = pd.merge_asof(left, right.sort_values("start_date"), left_on=date_col,
                      right_on="start_date", by="organisation_id", direction="backward")
    m["season_id"] = m["season_id"].where(m[date_col] <= m["end_date"])
    return m.set_index("_row")["season_id"].reindex(frame.index)


# -- the facts as of D -------------------------------------------------------------------------

def orders_as_of(tables: dict[str, pd.DataFrame], w: Window) -> pd.DataFrame:
    """Orders created on or before D, with their day, payer (default: the buyer) and the season
    containing their day."""
    o = tables["orders"]
    o = o[o.created_at < w.end].reset_index(drop=True)
    o = o.rename(columns={"buyer_contact_id": "buyer_id"})
    o["payer_id"] = o["payer_contact_id"].fillna(o["buyer_id"])
    o["order_date"] = o["created_at"].dt.normalize()
    o["order_season_id"] = season_containing(o, "order_date", tables["seasons"])
    return o[["organisation_id", "order_id", "buyer_id", "payer_id", "order_date", "channel",
              "order_season_id"]]


def lines_as_of(tables: dict[str, pd.DataFrame], orders: pd.DataFrame,
                w: Window) -> pd.DataFrame:
    """Lines of the orders that exist on D, with their status as of D (NaN when their first
    status is later), holder, product and performance facts, and season."""
    st = tables["order_line_statuses"]
    st = st[st.status_at < w.end].sort_values(["status_at", "seq"])
    st = st.drop_duplicates(["organisation_id", "line_id"], keep="last")
    st = st[["organisation_id", "line_id", "status"]]

    perf = tables["performances"].rename(columns={"kind": "perf_kind"})
    perf["perf_date"] = perf["starts_at"].dt.normalize()
    perf["perf_season_id"] = perf["season_id"].fillna(
        season_containing(perf, "perf_date", tables["seasons"]))
    perf = perf[["organisation_id", "performance_id", "perf_kind", "perf_date",
                 "perf_season_id"]]
    prod = tables["products"].rename(columns={"season_id": "product_season_id"})

    lines = tables["order_lines"].merge(orders, on=["organisation_id", "order_id"])
    lines = lines.merge(st, on=["organisation_id", "line_id"], how="left")
    lines = lines.merge(prod, on=["organisation_id", "product_id"], how="left")
    lines = lines.merge(perf, on=["organisation_id", "performance_id"], how="left")
    lines["holder_id"] = lines["beneficiary_contact_id"].fillna(lines["buyer_id"])
    lines["countable"] = lines["status"].isin(["PAID", "RESERVED"])
    lines["revenue"] = lines["status"].eq("PAID")
    lines["season_id"] = (lines["perf_season_id"].fillna(lines["product_season_id"])
                          .fillna(lines["order_season_id"]))
    return lines


# -- the indicators: each returns (organisation_id, contact_id, value[, …]) for the contacts
#    that have a value; the others get the default -----------------------------------------------

def _per_contact(frame: pd.DataFrame, who: str) -> pd.core.groupby.DataFrameGroupBy:
    return frame.rename(columns={who: "contact_id"}).groupby(KEY)


def _flag(frame: pd.DataFrame, who: str) -> pd.DataFrame:
    out = frame[["organisation_id", who]].drop_duplicates().rename(columns={who: "contact_id"})
    return out.assign(value=True)


def assiduite(lines: pd.DataFrame) -> pd.DataFrame:
    t = lines[lines.in_current & lines.countable & lines.performance_id.notna()]
    return _per_contact(t, "holder_id")["performance_id"].nunique().rename("value").reset_index()


def produit_enfant(lines: pd.DataFrame) -> pd.DataFrame:
    return _flag(lines[lines.in_current & lines.audience.eq("CHILD")], "buyer_id")


def adherent(lines: pd.DataFrame, w: Window) -> pd.DataFrame:
    t = lines[lines.countable & lines.family.eq("MEMBERSHIP")]
    seasonal = t.product_season_id.notna() & t.product_season_id.eq(t.current_season_id)
    bounded = t.valid_from.notna() | t.valid_to.notna()
    in_period = (bounded & (t.valid_from.isna() | (t.valid_from <= w.as_of))
                 & (t.valid_to.isna() | (t.valid_to >= w.as_of)))
    return _flag(t[seasonal | in_period], "holder_id")


def spend(lines: pd.DataFrame, season_col: str) -> pd.DataFrame:
    """PMG's value (revenue as buyer, in cents) and whether the contact is a subscriber
    (holder of a countable subscription line) in the season of ``season_col``."""
    t = lines[lines.season_id.notna() & lines.season_id.eq(lines[season_col])]
    value = _per_contact(t[t.revenue], "buyer_id")["amount"].sum().rename("value")
    subs = _flag(t[t.countable & t.family.eq("SUBSCRIPTION")], "holder_id")
    out = value.reset_index().merge(subs.rename(columns={"value": "subscriber"}), on=KEY,
                                    how="left")
    out["subscriber"] = out["subscriber"].fillna(False).astype(bool)
    return out


def recence(lines: pd.DataFrame) -> pd.DataFrame:
    t = lines[lines.countable & lines.perf_kind.isin(["EVENT", "COMPETITION"])]
    return _per_contact(t, "holder_id")["perf_date"].max().rename("value").reset_index()


def filiere_vente(orders: pd.DataFrame, lines: pd.DataFrame, w: Window) -> pd.DataFrame:
    with_countable = lines.loc[lines.countable, ["organisation_id", "order_id"]].drop_duplicates()
    o = orders[orders.order_date > w.months_36].merge(with_countable,
                                                      on=["organisation_id", "order_id"])
    o = o.rename(columns={"buyer_id": "contact_id"})
    o["recent"] = o["order_date"] > w.months_12
    # the 12-month window when the contact has an order in it, else the 36-month one
    o = o[o["recent"] | ~o.groupby(KEY)["recent"].transform("any")]
    n = o.groupby(KEY + ["channel"]).size().rename("value").reset_index()
    n["channel_level"] = n["channel"].map(CHANNEL_LEVEL)
    best = n.sort_values(["value", "channel_level"]).drop_duplicates(KEY, keep="last")
    return best[KEY + ["value", "channel_level"]]


def abonne(lines: pd.DataFrame) -> pd.DataFrame:
    return _flag(lines[lines.in_current & lines.countable & lines.family.eq("SUBSCRIPTION")],
                 "holder_id")


def anciennete(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    firsts = pd.concat([
        orders[["organisation_id", "buyer_id", "order_date"]].rename(
            columns={"buyer_id": "contact_id"}),
        orders[["organisation_id", "payer_id", "order_date"]].rename(
            columns={"payer_id": "contact_id"}),
        lines[["organisation_id", "holder_id", "order_date"]].rename(
            columns={"holder_id": "contact_id"}),
    ])
    return firsts.groupby(KEY)["order_date"].min().rename("value").reset_index()


def shares_in_window(tables: dict[str, pd.DataFrame], w: Window) -> pd.DataFrame:
    s = tables["social_shares"]
    return s[(s.shared_at < w.end) & (s.shared_at.dt.normalize() > w.months_12)]


def engagement_social(shares: pd.DataFrame) -> pd.DataFrame:
    """Distinct orders shared, plus each share without an order on its own."""
    s = shares.assign(lone=shares.order_id.isna())
    g = s.groupby(["organisation_id", "contact_id"])
    value = g["order_id"].nunique() + g["lone"].sum()
    return value.rename("value").reset_index()


def influence_sociale(shares: pd.DataFrame, tables: dict[str, pd.DataFrame],
                      w: Window) -> pd.DataFrame:
    v = tables["share_visits"]
    v = v[v.visited_at < w.end]
    j = shares[["organisation_id", "share_id", "contact_id"]].merge(
        v[["organisation_id", "share_id"]], on=["organisation_id", "share_id"])
    return j.groupby(KEY).size().rename("value").reset_index()


# -- levels ------------------------------------------------------------------------------------

def band_level(value: pd.Series, groups: list[pd.Series]) -> np.ndarray:
    """The band rule: among the values > 0 of a group, c = cume_dist (rank 'max' / count);
    1 when c ≤ 0.5, 3 when c > 0.8, else 2; 0 for a value of 0."""
    positive = value > 0
    cume = value.where(positive).groupby(groups).rank(method="max", pct=True)
    return np.select([~positive, cume <= 0.5, cume > 0.8], [0, 1, 3], 2)


# -- all of it ---------------------------------------------------------------------------------

def compute_wide(tables: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    """One row per (organisation, contact of its institution) with, for each indicator,
    ``<code>`` (its value; money in cents) and ``<code>_level``."""
    w = Window.of(as_of)
    ctx = season_context(tables, w)
    orders = orders_as_of(tables, w)
    lines = lines_as_of(tables, orders, w)
    current = ctx.set_index("organisation_id")["current_season_id"]
    previous = ctx.set_index("organisation_id")["previous_season_id"]
    lines["current_season_id"] = lines["organisation_id"].map(current)
    lines["previous_season_id"] = lines["organisation_id"].map(previous)
    lines["in_current"] = lines["season_id"].notna() & lines["season_id"].eq(
        lines["current_season_id"])
    shares = shares_in_window(tables, w)

    grid = tables["contacts"].merge(ctx, on="institution_id")
    grid = grid.sort_values(KEY, ignore_index=True)

    def attach(code: str, values: pd.DataFrame, default) -> None:
        nonlocal grid
        values = values.rename(columns={c: f"{code}__{c}" for c in values.columns
                                        if c not in KEY})
        grid = grid.merge(values, on=KEY, how="left")
        grid[code] = grid.pop(f"{code}__value")
        if default is not None:
            grid[code] = grid[code].fillna(default).infer_objects()

    attach("assiduite", assiduite(lines), 0)
    attach("produit_enfant", produit_enfant(lines), False)
    attach("adherent", adherent(lines, w), False)
    attach("pmg", spend(lines, "previous_season_id"), 0)
    attach("pmg_n", spend(lines, "current_season_id"), 0)
    attach("recence", recence(lines), None)
    attach("filiere_vente", filiere_vente(orders, lines, w), None)
    attach("abonne", abonne(lines), False)
    attach("anciennete", anciennete(orders, lines), None)
    attach("engagement_social", engagement_social(shares), 0)
    attach("influence_sociale", influence_sociale(shares, tables, w), 0)
    young = grid["birth_date"] >= grid["young_born_from"]
    grid["jeune"] = young.astype("boolean").where(grid["birth_date"].notna())

    for code in ("assiduite", "pmg", "pmg_n", "engagement_social", "influence_sociale"):
        grid[code] = grid[code].astype("int64")
    grid["filiere_vente"] = grid["filiere_vente"].astype("Int64")
    for code in ("produit_enfant", "adherent", "abonne"):
        grid[code] = grid[code].astype(bool)

    v = grid["assiduite"]
    grid["assiduite_level"] = np.select([v <= 0, v == 1, v <= 5], [0, 1, 2], 3)
    for code in ("produit_enfant", "adherent", "abonne", "jeune"):
        grid[f"{code}_level"] = grid[code].fillna(False).astype(int)
    for code in ("pmg", "pmg_n"):
        structure = grid["kind"].eq("STRUCTURE")
        subscriber = grid[f"{code}__subscriber"].fillna(False).astype(bool)
        grid[f"{code}_population"] = np.where(
            structure, "collectivite", np.where(subscriber, "abonne", "autre"))
        grid[f"{code}_level"] = band_level(
            grid[code], [grid["organisation_id"], grid[f"{code}_population"]])
    for code in ("engagement_social", "influence_sociale"):
        grid[f"{code}_level"] = band_level(grid[code], [grid["organisation_id"]])
    r = grid["recence"]
    grid["recence_level"] = np.select(
        [r.isna(), r <= w.years_3, r <= w.years_1, r < w.as_of], [0, 1, 2, 3], 4)
    a = grid["anciennete"]
    grid["anciennete_level"] = np.select(
        [a.isna(), a > w.months_12, a > w.years_4], [0, 1, 2], 3)
    grid["filiere_vente_level"] = grid["filiere_vente__channel_level"].fillna(0).astype(int)

    columns = KEY + [c for code in CODES for c in (code, f"{code}_level")]
    return grid[columns]


DATE_CODES = ("recence", "anciennete")
MONEY_CODES = ("pmg", "pmg_n")


def to_long(wide: pd.DataFrame) -> pd.DataFrame:
    """(organisation_id, contact_id, indicator, value, level), values as Python objects the
    way Habitué reports them: int, bool, Decimal with 2 places, datetime.date, or None."""
    parts = []
    for code in CODES:
        v = wide[code]
        if code in MONEY_CODES:
            value = pd.Series([Decimal(int(c)).scaleb(-2) for c in v], index=v.index,
                              dtype=object)
        elif code in DATE_CODES:
            value = v.dt.date.astype(object).where(v.notna(), None)
        else:
            value = v.astype(object).where(v.notna(), None)
        parts.append(pd.DataFrame({
            "organisation_id": wide["organisation_id"], "contact_id": wide["contact_id"],
            "indicator": code, "value": value, "level": wide[f"{code}_level"].astype(int),
        }))
    return pd.concat(parts, ignore_index=True)


def compute(tables: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    """Every (organisation, contact, indicator) with its value and level as of ``as_of``."""
    return to_long(compute_wide(tables, as_of))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="duckdb:///path/file.duckdb or postgresql://…")
    parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
    parser.add_argument("--load-only", action="store_true", help="load the tables and stop")
    parser.add_argument("--long", action="store_true",
                        help="also build the long (organisation, contact, indicator) frame")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    started = time.perf_counter()
    tables = load_tables(args.source)
    loaded = time.perf_counter()
    out = {"load_seconds": round(loaded - started, 2),
           "rows": {name: len(df) for name, df in tables.items()}}
    if not args.load_only:
        wide = compute_wide(tables, as_of)
        computed = time.perf_counter()
        out["compute_seconds"] = round(computed - loaded, 2)
        out["contacts_out"] = len(wide)
        if args.long:
            long = to_long(wide)
            out["long_seconds"] = round(time.perf_counter() - computed, 2)
            out["long_rows"] = len(long)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
