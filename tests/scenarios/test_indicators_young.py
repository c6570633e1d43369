"""jeune — born on or after 1 January of year A − 29, A = the year the current season ends
(the year of D when no season contains D)."""

from __future__ import annotations

from tests.factories.venue import Venue, compute


def test_jeune(store, tmp_path):
    v = Venue()
    v.season("S2007", "2007-09-01", "2008-08-31")
    v.contact("J1", birth_date="1979-01-01")
    v.contact("J2", birth_date="1978-12-31")
    v.contact("J3")  # birth date unknown
    v.contact("J4", birth_date="1990-05-05")
    v.contact("J5", birth_date="1979-12-31")
    v.contact("J6", birth_date="1980-01-01")
    v.load(store, tmp_path)

    # season 2007/2008 on D = 2007-12-01: A = 2008 (not the year of D): born ≥ 1979-01-01
    r = compute(store, "2007-12-01")
    assert {c: r.pair(c, "jeune") for c in ("J1", "J2", "J3", "J4", "J5", "J6")} == {
        "J1": (True, 1), "J2": (False, 0), "J3": (None, 0), "J4": (True, 1),
        "J5": (True, 1), "J6": (True, 1)}
    assert (r.row("J1", "jeune").label("fr"), r.row("J2", "jeune").label("en")) == (
        "Oui", "No")

    # no season contains 2009-01-10: A = 2009, born ≥ 1980-01-01
    r = compute(store, "2009-01-10")
    assert {c: r.pair(c, "jeune") for c in ("J1", "J2", "J3", "J4", "J5", "J6")} == {
        "J1": (False, 0), "J2": (False, 0), "J3": (None, 0), "J4": (True, 1),
        "J5": (False, 0), "J6": (True, 1)}
