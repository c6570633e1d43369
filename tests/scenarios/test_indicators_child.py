"""produit_enfant — bought a CHILD product of the current season, whatever the line's status."""

from __future__ import annotations

from tests.factories.venue import Venue, compute


def test_produit_enfant(store, tmp_path):
    # D = 2025-12-01: current season S2025
    v = Venue().seasons(2024, 2026)
    v.product("K24", audience="CHILD", season="S2024")
    v.product("K25", audience="CHILD", season="S2025")
    v.product("Y25", audience="YOUTH", season="S2025")
    v.show("PK", at="2026-02-10 15:00", audience="CHILD")  # product without season: S2025
    at = "2025-10-01 10:00"
    v.contact("K0")
    v.sale("K1", at=at, product="K25")  # paid
    v.sale("K2", at=at, product="K25", line="L2")  # cancelled later, before D: still true
    v.status("L2", "CANCELLED", at="2025-10-20 10:00")
    v.sale("K3", at=at, product="K25", status="REFUNDED")  # refunded: still true
    v.sale("K4", at="2025-03-01 10:00", product="K24")  # previous season: false
    v.sale("K5", at=at, product="K25", beneficiary="K6")  # the buyer, not the beneficiary
    v.sale("K7", at=at, product="Y25")  # not a child product
    v.sale("K8", at=at, performance="PK")  # season of the line from its performance date
    v.sale("K9", at="2025-12-02 10:00", product="K25")  # ordered after D: no such order
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    expected = {"K0": False, "K1": True, "K2": True, "K3": True, "K4": False, "K5": True,
                "K6": False, "K7": False, "K8": True, "K9": False}
    assert {c: r.value(c, "produit_enfant") for c in expected} == expected
    assert {c: r.level(c, "produit_enfant") for c in expected} == {
        c: int(b) for c, b in expected.items()}
    assert (r.row("K1", "produit_enfant").label("fr"),
            r.row("K1", "produit_enfant").label("en")) == ("Oui", "Yes")
    assert (r.row("K0", "produit_enfant").label("fr"),
            r.row("K0", "produit_enfant").label("en")) == ("Non", "No")

    # per season: on 2026-09-01 (S2026) nobody holds a child product of the season
    r = compute(store, "2026-09-01")
    assert set(r.values("produit_enfant").values()) == {False}
