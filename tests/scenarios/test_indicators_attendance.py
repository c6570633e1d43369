"""assiduite — distinct performances of the current season held in countable lines."""

from __future__ import annotations

from tests.factories.venue import Venue, compute


def test_assiduite_values_and_levels(store, tmp_path):
    # D = 2025-12-01: current season S2025
    v = Venue().seasons(2024, 2026)
    # PF1…PF3 before D, PF4…PF6 after D (future performances of the same season)
    for n, day in enumerate(("2025-10-05", "2025-11-05", "2025-11-20", "2026-01-05",
                             "2026-03-05", "2026-05-05"), start=1):
        v.show(f"PF{n}", at=f"{day} 20:00")
    v.show("OLD", at="2025-03-05 20:00")  # season S2024
    v.show("NEXT", at="2026-10-05 20:00")  # season S2026
    v.product("SUB", family="SUBSCRIPTION", season="S2025")
    at = "2025-09-15 10:00"
    v.contact("C0")  # no facts: 0 Inactif
    v.sale("C1", at=at, performance="PF1")  # 1 performance: 1 Occasionnel
    for n in (1, 4):
        v.sale("C2", at=at, performance=f"PF{n}")  # 2 performances: 2 Régulier
    for n in range(1, 6):
        v.sale("C5", at=at, performance=f"PF{n}")  # 5: still Régulier
    for n in range(1, 7):
        v.sale("C6", at=at, performance=f"PF{n}")  # 6: 3 Assidu
    # three seats at one performance, two orders: one distinct performance
    v.order("OD", buyer="CD", at=at)
    v.line("LD1", order="OD", performance="PF1")
    v.line("LD2", order="OD", performance="PF1")
    v.sale("CD", at="2025-09-16 10:00", performance="PF1")
    # statuses: PAID PF1 and RESERVED PF4 count; REFUNDED PF2 and CANCELLED PF3 do not
    v.sale("CR", at=at, performance="PF1")
    v.sale("CR", at=at, performance="PF2", status="REFUNDED")
    v.sale("CR", at=at, performance="PF3", status="CANCELLED")
    v.sale("CR", at=at, performance="PF4", status="RESERVED")
    # only future performances of the season: they count (plans to attend)
    v.sale("CF", at=at, performance="PF5")
    v.sale("CF", at=at, performance="PF6")
    # other seasons' performances do not count
    v.sale("CO", at="2025-01-10 10:00", performance="OLD")
    v.sale("CO", at=at, performance="NEXT")
    v.sale("CO", at=at, performance="PF2")
    # the holder counts, not the buyer: CB buys two seats for CH, and one for themself
    v.sale("CB", at=at, performance="PF1", beneficiary="CH")
    v.sale("CB", at=at, performance="PF2", beneficiary="CH")
    v.sale("CB", at=at, performance="PF3")
    # a line without performance (a subscription of the season) is no performance
    v.sale("CS", at=at, product="SUB")
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    assert r.pair("C0", "assiduite") == (0, 0)
    assert r.pair("C1", "assiduite") == (1, 1)
    assert r.pair("C2", "assiduite") == (2, 2)
    assert r.pair("C5", "assiduite") == (5, 2)
    assert r.pair("C6", "assiduite") == (6, 3)
    assert r.pair("CD", "assiduite") == (1, 1)
    assert r.pair("CR", "assiduite") == (2, 2)
    assert r.pair("CF", "assiduite") == (2, 2)
    assert r.pair("CO", "assiduite") == (1, 1)
    assert r.pair("CH", "assiduite") == (2, 2)
    assert r.pair("CB", "assiduite") == (1, 1)
    assert r.pair("CS", "assiduite") == (0, 0)
    labels = [(r.row(c, "assiduite").label("fr"), r.row(c, "assiduite").label("en"))
              for c in ("C0", "C1", "C2", "C6")]
    assert labels == [("Inactif", "Inactive"), ("Occasionnel", "Occasional"),
                      ("Régulier", "Regular"), ("Assidu", "Loyal")]

    # season change: on 2026-09-01 the current season is S2026, where only CO holds a seat
    r = compute(store, "2026-09-01")
    assert r.values("assiduite") == {c: (1 if c == "CO" else 0) for c in r.values("assiduite")}
    assert r.level("C6", "assiduite") == 0
