"""Current and previous season, and the season of a line (spec/indicators.md, Vocabulary)."""

from __future__ import annotations

from decimal import Decimal

from tests.factories.venue import Venue, compute


def test_current_and_previous_season_including_between_seasons(store, tmp_path):
    v = Venue()
    # three seasons with summer gaps, described out of order
    v.season("G3", "2025-09-01", "2026-06-30")
    v.season("G1", "2023-09-01", "2024-06-30")
    v.season("G2", "2024-09-01", "2025-06-30")
    for s in ("G1", "G2", "G3"):
        v.product(f"T{s}", season=s)
    # everything bought up front: line seasons come from the products
    v.order("O1", buyer="C1", at="2023-08-15 10:00")
    v.line("L1", order="O1", product="TG1", amount="10.00")
    v.line("L2", order="O1", product="TG2", amount="20.00")
    v.line("L3", order="O1", product="TG3", amount="40.00")
    v.load(store, tmp_path)

    # before every season: neither a current nor a previous season
    r = compute(store, "2023-08-20")
    assert (r.pair("C1", "pmg_n"), r.pair("C1", "pmg")) == ((Decimal(0), 0), (Decimal(0), 0))
    # last day of G2 (end dates are inclusive): current G2, previous G1
    r = compute(store, "2025-06-30")
    assert (r.value("C1", "pmg_n"), r.value("C1", "pmg")) == (Decimal(20), Decimal(10))
    # between G2 and G3: no current season; previous = latest ended before D = G2
    r = compute(store, "2025-07-15")
    assert r.pair("C1", "pmg_n") == (Decimal(0), 0)
    assert r.pair("C1", "pmg") == (Decimal(20), 3)  # the only spender: c = 1 > 0.8
    # first day of G3: current G3, previous G2 (the latest ended before G3 started)
    r = compute(store, "2025-09-01")
    assert (r.value("C1", "pmg_n"), r.value("C1", "pmg")) == (Decimal(40), Decimal(20))


def test_season_of_a_line(store, tmp_path):
    # D = 2025-12-01: current S2025 (2025-09-01 … 2026-08-31), previous S2024
    v = Venue().seasons(2024, 2025)
    v.product("T")  # no season
    v.product("T24", season="S2024")
    v.product("T25", season="S2025")
    # the performance's explicit season wins over its date and over the product's season
    v.performance("PA", at="2025-03-01 20:00", season="S2025", product="T24")
    v.sale("C1", at="2025-02-01 10:00", performance="PA")
    v.performance("PB", at="2025-10-10 20:00", season="S2024", product="T25")
    v.sale("C2", at="2025-10-01 10:00", performance="PB")
    # else the season containing the performance date, over the product's season
    v.performance("PC", at="2025-10-10 20:00", product="T24")
    v.sale("C3", at="2024-10-01 10:00", performance="PC")
    # a performance dated outside every season: the product's season
    v.performance("PD", at="2027-01-10 20:00", product="T25")
    v.sale("C4", at="2024-10-01 10:00", performance="PD")
    # no performance: the product's season, over the order date
    v.sale("C5", at="2025-10-01 10:00", product="T24")
    # no performance, product without season: the season containing the order date
    v.sale("C6", at="2025-10-01 10:00", product="T")
    v.sale("C7", at="2024-10-01 10:00", product="T")
    # performance outside every season and product without season: the order date
    v.performance("PE", at="2027-01-10 20:00", product="T")
    v.sale("C8", at="2025-10-01 10:00", performance="PE")
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    ten, zero = Decimal(10), Decimal(0)
    expected = {  # contact: (pmg_n = current season, pmg = previous season, assiduite)
        "C1": (ten, zero, 1), "C2": (zero, ten, 0), "C3": (ten, zero, 1), "C4": (ten, zero, 1),
        "C5": (zero, ten, 0), "C6": (ten, zero, 0), "C7": (zero, ten, 0), "C8": (ten, zero, 1),
    }
    actual = {c: (r.value(c, "pmg_n"), r.value(c, "pmg"), r.value(c, "assiduite"))
              for c in expected}
    assert actual == expected
