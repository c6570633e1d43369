"""Level history: each compute appends the level changes (old, new, as_of); unchanged levels
add nothing."""

from __future__ import annotations

from datetime import date

from tests.factories.venue import Venue, compute, history


def test_level_changes_are_appended(store, tmp_path):
    v = Venue().seasons(2025, 2025)
    v.show("PF1", at="2025-10-03 20:30")
    v.show("PF2", at="2025-12-20 20:30")
    # C1: one seat (30.00) on the Internet; a second order after the first D
    v.sale("C1", at="2025-10-01 10:00", performance="PF1", amount="30.00")
    v.sale("C1", at="2025-11-01 10:00", performance="PF2", amount="30.00")
    # C2: one seat (20.00) at the counter, refunded between the two dates
    v.sale("C2", at="2025-10-02 10:00", performance="PF1", amount="20.00", channel="OTHERS",
           line="L2")
    v.status("L2", "REFUNDED", at="2025-11-01 10:00")
    v.contact("C3")  # nothing ever: level 0 everywhere, never in the history
    v.load(store, tmp_path)

    d1, d2 = date(2025, 10, 15), date(2025, 11, 15)
    compute(store, d1)
    first = history(store)
    # D1: C1 assiduite 1 → 1; pmg_n 30 vs C2's 20: c = 1 → 3, C2 c = 0.5 → 1;
    # recence 2025-10-03 in (D − 1 year, D) → 3; filiere C1 INTERNET → 2, C2 OTHERS → 1;
    # anciennete within 12 months → 1
    assert {(c, i, new) for _, c, i, old, new, _ in first} == {
        ("C1", "assiduite", 1), ("C1", "pmg_n", 3), ("C1", "recence", 3),
        ("C1", "filiere_vente", 2), ("C1", "anciennete", 1),
        ("C2", "assiduite", 1), ("C2", "pmg_n", 1), ("C2", "recence", 3),
        ("C2", "filiere_vente", 1), ("C2", "anciennete", 1)}
    assert {old for *_, old, _, _ in first} <= {None, 0}
    assert {row[5] for row in first} == {d1}

    r = compute(store, d2)
    # D2: C1 holds PF1 and PF2 → 2 (Régulier); recence 2025-12-20 ≥ D → 4; pmg_n 60, still
    # alone → 3; filiere 2 INTERNET orders, still level 2; anciennete still 1.
    # C2 refunded: assiduite 0, pmg_n 0, recence none, no countable order → filiere none;
    # anciennete (any status) unchanged
    assert r.pair("C1", "filiere_vente") == (2, 2)
    assert history(store)[len(first):] == [
        ("ORG", "C1", "assiduite", 1, 2, d2), ("ORG", "C1", "recence", 3, 4, d2),
        ("ORG", "C2", "assiduite", 1, 0, d2), ("ORG", "C2", "filiere_vente", 1, 0, d2),
        ("ORG", "C2", "pmg_n", 1, 0, d2), ("ORG", "C2", "recence", 3, 0, d2)]

    # the same D again: nothing changed, nothing added
    count = len(history(store))
    compute(store, d2)
    assert len(history(store)) == count
