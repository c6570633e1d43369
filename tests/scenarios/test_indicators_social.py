"""engagement_social (distinct orders shared in (D − 12 months, D]) and influence_sociale
(visits up to D of the links shared in that window), ranked by the band rule."""

from __future__ import annotations

from tests.factories.venue import Venue, compute


def test_engagement_and_influence(store, tmp_path):
    # D = 2025-06-15: window (2024-06-15, 2025-06-15]
    v = Venue()
    v.organisation("ORG2")  # same institution, ranked on its own
    v.product("T")
    v.product("T", org="ORG2")
    for order, buyer in (("OE1a", "E1"), ("OE1b", "E1"), ("OE5", "E5"), ("OE7a", "E7"),
                         ("OE7b", "E7"), ("OE7c", "E7")):
        v.order(order, buyer=buyer, at="2024-12-01 10:00")
        v.line(f"L{order}", order=order, product="T")
    v.contact("E0")
    # E1: one order shared twice, another once: 2 distinct orders
    v.share("SE1a", contact="E1", order="OE1a", network="facebook", at="2025-02-01 10:00")
    v.share("SE1b", contact="E1", order="OE1a", network="x", at="2025-02-02 10:00")
    v.share("SE1c", contact="E1", order="OE1b", at="2025-03-01 10:00")
    # E2: two shares without an order count on their own: 2
    v.share("SE2a", contact="E2", at="2025-02-01 10:00")
    v.share("SE2b", contact="E2", at="2025-03-01 10:00")
    # E3: on D − 12 months (outside) and the day after (inside): 1
    v.share("SE3a", contact="E3", at="2024-06-15 23:00")
    v.share("SE3b", contact="E3", at="2024-06-16 08:00")
    # E4: on D (inside) and the day after D (ignored): 1
    v.share("SE4a", contact="E4", at="2025-06-15 22:00")
    v.share("SE4b", contact="E4", at="2025-06-16 08:00")
    # E5: an order and an orderless share: 2
    v.share("SE5a", contact="E5", order="OE5", at="2025-01-10 10:00")
    v.share("SE5b", contact="E5", at="2025-01-11 10:00")
    # E6: only outside the window: 0
    v.share("SE6a", contact="E6", at="2024-06-15 10:00")
    v.share("SE6b", contact="E6", at="2025-06-16 10:00")
    # E7: three orders: 3
    for n, order in enumerate(("OE7a", "OE7b", "OE7c"), start=1):
        v.share(f"SE7{n}", contact="E7", order=order, at=f"2025-01-0{n} 10:00")
    # I1: 3 visits before D, 1 on D, 2 after D (ignored): 4
    v.share("SI1", contact="I1", at="2025-01-01 10:00")
    v.visits("SI1", 3, at="2025-03-01 10:00")
    v.visits("SI1", 1, at="2025-06-15 23:00")
    v.visits("SI1", 2, at="2025-06-16 08:00")
    # I2: a link shared before the window (its visits in the window ignored) and one inside: 1
    v.share("SI2a", contact="I2", at="2024-06-15 12:00")
    v.visits("SI2a", 5, at="2025-01-01 10:00")
    v.share("SI2b", contact="I2", at="2025-01-01 10:00")
    v.visits("SI2b", 1, at="2025-01-02 10:00")
    # I3: shared after D: 0
    v.share("SI3", contact="I3", at="2025-06-16 10:00")
    v.visits("SI3", 3, at="2025-06-17 10:00")
    # I4: two visits at the same instant are two visits: 2
    v.share("SI4", contact="I4", at="2025-01-01 10:00")
    v.visits("SI4", 2, at="2025-02-01 10:00")
    # I5: two links: 2 + 3 = 5
    v.share("SI5a", contact="I5", at="2025-01-01 10:00")
    v.visits("SI5a", 2, at="2025-02-01 10:00")
    v.share("SI5b", contact="I5", at="2025-02-01 10:00")
    v.visits("SI5b", 3, at="2025-03-01 10:00")
    # ORG2: G_k shares k links (engagement k) and its first link gets 11 − k visits
    for k in range(1, 11):
        for n in range(1, k + 1):
            v.share(f"SG{k}-{n}", contact=f"G{k}", at=f"2025-01-{n:02d} 10:00", org="ORG2")
        v.visits(f"SG{k}-1", 11 - k, at="2025-05-01 10:00", org="ORG2")
    v.load(store, tmp_path)

    r = compute(store, "2025-06-15")
    # ORG engagement, sharers: value 1 × 5 (E3 E4 I1 I2 I4) → c = 0.5 → 1;
    # value 2 × 4 (E1 E2 E5 I5) → c = 0.9 → 3; value 3 (E7) → 1 → 3
    assert {c: r.pair(c, "engagement_social") for c in (
        "E0", "E1", "E2", "E3", "E4", "E5", "E6", "E7", "I1", "I2", "I3", "I4", "I5")} == {
        "E0": (0, 0), "E1": (2, 3), "E2": (2, 3), "E3": (1, 1), "E4": (1, 1), "E5": (2, 3),
        "E6": (0, 0), "E7": (3, 3), "I1": (1, 1), "I2": (1, 1), "I3": (0, 0), "I4": (1, 1),
        "I5": (2, 3)}
    # ORG influence: I2 1 → 0.25 → 1; I4 2 → 0.5 → 1; I1 4 → 0.75 → 2; I5 5 → 1 → 3
    assert {c: r.pair(c, "influence_sociale") for c in (
        "E1", "E6", "I1", "I2", "I3", "I4", "I5")} == {
        "E1": (0, 0), "E6": (0, 0), "I1": (4, 2), "I2": (1, 1), "I3": (0, 0), "I4": (2, 1),
        "I5": (5, 3)}
    # ORG2: engagement k → c = k/10: 1…5 → 1, 6…8 → 2, 9, 10 → 3;
    # influence 11 − k → c = (11 − k)/10: G1, G2 → 3; G3…G5 → 2; G6…G10 → 1
    assert [r.pair(f"G{k}", "engagement_social", org="ORG2") for k in range(1, 11)] == [
        (k, 1 if k <= 5 else 2 if k <= 8 else 3) for k in range(1, 11)]
    assert [r.pair(f"G{k}", "influence_sociale", org="ORG2") for k in range(1, 11)] == [
        (11 - k, 3 if k <= 2 else 2 if k <= 5 else 1) for k in range(1, 11)]
    # organisations are separate: ORG's sharers have nothing in ORG2 and vice versa
    assert r.pair("E7", "engagement_social", org="ORG2") == (0, 0)
    assert r.pair("G10", "engagement_social") == (0, 0)
    labels = [(r.row(c, "engagement_social", org="ORG2").label("fr"),
               r.row(c, "influence_sociale", org="ORG2").label("en"))
              for c in ("G1", "G3", "G7", "G10")]
    assert labels == [("Occasionnel", "Key influencer"), ("Occasionnel", "Influencer"),
                      ("Engagé", "Basic influencer"), ("Ambassadeur", "Basic influencer")]
    assert r.row("E0", "influence_sociale").label("fr") == "Inactif"
