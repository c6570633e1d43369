"""pmg (previous season) and pmg_n (current season): revenue as buyer, ranked by the band rule
within the contact's population (collectivite / abonne / autre) and organisation."""

from __future__ import annotations

from decimal import Decimal

from tests.factories.venue import Venue, compute, population


def _spending_venue() -> Venue:
    # D = 2025-12-01: previous season S2024, current season S2025; products carry the season
    v = Venue().seasons(2024, 2025)
    v.product("T24", season="S2024")
    v.product("T25", season="S2025")
    v.product("SUB24", family="SUBSCRIPTION", season="S2024")
    v.product("SUB25", family="SUBSCRIPTION", season="S2025")
    return v


def test_pmg_values_and_populations(store, tmp_path):
    v = _spending_venue()
    at = "2024-10-01 10:00"
    # B1: only PAID lines are revenue: 30 + 20 + 5 (refunded after D) = 55
    v.order("O1", buyer="B1", at=at)
    v.line("L1a", order="O1", product="T24", amount="30.00")
    v.line("L1b", order="O1", product="T24", amount="20.00")
    v.line("L1c", order="O1", product="T24", amount="50.00", status="REFUNDED")
    v.line("L1d", order="O1", product="T24", amount="40.00", status="CANCELLED")
    v.line("L1e", order="O1", product="T24", amount="25.00", status="RESERVED")
    v.line("L1f", order="O1", product="T24", amount="5.00")
    v.status("L1f", "REFUNDED", at="2025-12-05 10:00")
    v.sale("B1", at="2025-10-01 10:00", product="T25", amount="15.00")
    # B2 buys a subscription for B3: B2 spends 40 but holds none (autre); B3 holds it (abonne)
    v.sale("B2", at=at, product="SUB24", amount="40.00", beneficiary="B3")
    v.sale("B3", at=at, product="T24", amount="10.00")
    # the buyer spends, not the payer
    v.sale("B4", at=at, product="T24", amount="40.00", payer="B5")
    # B6: first status after D: no revenue yet
    v.sale("B6", at="2025-11-01 10:00", product="T25", amount="99.00",
           status_at="2025-12-05 10:00")
    v.contact("B7")
    # B8: a refunded subscription does not make a subscriber
    v.sale("B8", at=at, product="SUB24", amount="100.00", status="REFUNDED")
    v.sale("B8", at=at, product="T24", amount="10.00")
    # B9: a reserved subscription does (countable), without revenue
    v.sale("B9", at=at, product="SUB24", amount="100.00", status="RESERVED")
    v.sale("B9", at=at, product="T24", amount="20.00")
    # B10: a structure is a collectivite even with a subscription
    v.contact("B10", kind="STRUCTURE")
    v.sale("B10", at=at, product="SUB24", amount="30.00")
    # B11: subscriber last season, not this one
    v.sale("B11", at=at, product="SUB24", amount="60.00")
    v.sale("B11", at="2025-10-01 10:00", product="T25", amount="10.00")
    # B12: subscriber this season only
    v.sale("B12", at="2025-10-01 10:00", product="SUB25", amount="70.00")
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    d = Decimal
    pmg = {"B1": d(55), "B2": d(40), "B3": d(10), "B4": d(40), "B5": d(0), "B6": d(0),
           "B7": d(0), "B8": d(10), "B9": d(20), "B10": d(30), "B11": d(60), "B12": d(0)}
    assert {c: r.value(c, "pmg") for c in pmg} == pmg
    pmg_n = {"B1": d(15), "B6": d(0), "B11": d(10), "B12": d(70), "B2": d(0)}
    assert {c: r.value(c, "pmg_n") for c in pmg_n} == pmg_n
    # pmg populations: autre {B8 10, B2 40, B4 40, B1 55}: cume 0.25, 0.75, 0.75, 1
    #                  abonne {B3 10, B9 20, B11 60}: 1/3, 2/3, 1; collectivite {B10}: 1
    assert {c: population(store, c, "pmg") for c in ("B1", "B2", "B3", "B8", "B9", "B10",
                                                       "B11")} == {
        "B1": "autre", "B2": "autre", "B3": "abonne", "B8": "autre", "B9": "abonne",
        "B10": "collectivite", "B11": "abonne"}
    assert {c: r.level(c, "pmg") for c in pmg} == {
        "B1": 3, "B2": 2, "B3": 1, "B4": 2, "B5": 0, "B6": 0, "B7": 0, "B8": 1, "B9": 2,
        "B10": 3, "B11": 3, "B12": 0}
    # pmg_n: autre {B11 10, B1 15}: 0.5, 1; abonne {B12 70}: 1
    assert population(store, "B11", "pmg_n") == "autre"
    assert population(store, "B12", "pmg_n") == "abonne"
    assert {c: r.level(c, "pmg_n") for c in pmg_n} == {
        "B1": 3, "B6": 0, "B11": 1, "B12": 3, "B2": 0}
    labels = {lv: r.row(c, "pmg").label("fr") + "/" + r.row(c, "pmg").label("en")
              for c, lv in (("B7", 0), ("B8", 1), ("B2", 2), ("B1", 3))}
    assert labels == {0: "Aucun/None", 1: "Petit/Small", 2: "Moyen/Medium", 3: "Grand/Big"}


def test_band_rule_boundaries_ties_populations_and_organisations(store, tmp_path):
    v = _spending_venue()
    v.organisation("ORG2")  # same institution, ranked on its own
    v.seasons(2024, 2025, org="ORG2")
    v.product("T24", season="S2024", org="ORG2")
    at24, at25 = "2024-10-01 10:00", "2025-10-01 10:00"
    # autre: A01…A10 spend 10…100 last season, and 100…10 this season
    for k in range(1, 11):
        v.sale(f"A{k:02d}", at=at24, product="T24", amount=f"{10 * k}.00")
        v.sale(f"A{k:02d}", at=at25, product="T25", amount=f"{10 * (11 - k)}.00")
    # value 0 is not ranked (level 0): refunded, cancelled, paid 0, no facts
    v.sale("Z1", at=at24, product="T24", amount="500.00", status="REFUNDED")
    v.sale("Z2", at=at24, product="T24", amount="700.00", status="CANCELLED")
    v.contact("Z3")
    v.sale("Z4", at=at24, product="T24", amount="0.00")
    # abonne last season: 5, 6, 6, 7, 8; S1 also spends 35 this season (autre in pmg_n)
    for c, amount in (("S1", 5), ("S2", 6), ("S3", 6), ("S4", 7), ("S5", 8)):
        v.sale(c, at=at24, product="SUB24", amount=f"{amount}.00")
    v.sale("S1", at=at25, product="T25", amount="35.00")
    # abonne this season: 50, 100
    v.sale("SN1", at=at25, product="SUB25", amount="100.00")
    v.sale("SN2", at=at25, product="SUB25", amount="50.00")
    # collectivite last season: 1000, 2000 (ST2 with a subscription)
    v.contact("ST1", kind="STRUCTURE")
    v.contact("ST2", kind="STRUCTURE")
    v.sale("ST1", at=at24, product="T24", amount="1000.00")
    v.sale("ST2", at=at24, product="SUB24", amount="2000.00")
    # ORG2: A01 spends 1 and Q2 spends 2
    v.sale("A01", at=at24, product="T24", amount="1.00", org="ORG2")
    v.sale("Q2", at=at24, product="T24", amount="2.00", org="ORG2")
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    # pmg, autre: value 10k has c = k/10: k ≤ 5 → 1 (0.5 included), 6…8 → 2 (0.8 included),
    # 9, 10 → 3
    assert [r.pair(f"A{k:02d}", "pmg") for k in range(1, 11)] == [
        (Decimal(10 * k), 1 if k <= 5 else 2 if k <= 8 else 3) for k in range(1, 11)]
    assert {c: r.pair(c, "pmg") for c in ("Z1", "Z2", "Z3", "Z4", "SN1", "SN2")} == {
        c: (Decimal(0), 0) for c in ("Z1", "Z2", "Z3", "Z4", "SN1", "SN2")}
    # pmg, abonne: 5 → 0.2 → 1; 6, 6 → 0.6 → 2 both (equal values, equal levels);
    # 7 → 0.8 → 2; 8 → 1 → 3
    assert {c: r.level(c, "pmg") for c in ("S1", "S2", "S3", "S4", "S5")} == {
        "S1": 1, "S2": 2, "S3": 2, "S4": 2, "S5": 3}
    # pmg, collectivite: 1000 → 0.5 → 1; 2000 → 1 → 3
    assert (r.level("ST1", "pmg"), r.level("ST2", "pmg")) == (1, 3)
    # pmg_n, autre: 10, 20, 30, 35 (S1), 40, 50, …, 100: n = 11; c ≤ 0.5 up to 40 (5/11),
    # 50 → 6/11, 60 → 7/11, 70 → 8/11 = 0.727 → 2; 80 → 9/11 = 0.818 → 3
    assert {f"A{k:02d}": r.level(f"A{k:02d}", "pmg_n") for k in range(1, 11)} == {
        "A01": 3, "A02": 3, "A03": 3, "A04": 2, "A05": 2, "A06": 2, "A07": 1, "A08": 1,
        "A09": 1, "A10": 1}
    assert r.pair("S1", "pmg_n") == (Decimal(35), 1)
    # pmg_n, abonne: 50 → 0.5 → 1; 100 → 3
    assert (r.level("SN2", "pmg_n"), r.level("SN1", "pmg_n")) == (1, 3)
    assert r.pair("S2", "pmg_n") == (Decimal(0), 0)
    # ORG2 on its own: 1 → 0.5 → 1; 2 → 3; A01's ORG spending is not mixed in
    assert r.pair("A01", "pmg", org="ORG2") == (Decimal(1), 1)
    assert r.pair("Q2", "pmg", org="ORG2") == (Decimal(2), 3)
    assert r.pair("Q2", "pmg") == (Decimal(0), 0)
