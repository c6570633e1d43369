"""adherent (membership valid on D) and abonne (subscription of the current season)."""

from __future__ import annotations

from tests.factories.venue import Venue, compute


def test_adherent(store, tmp_path):
    # D = 2025-12-01: current season S2025
    v = Venue().seasons(2024, 2026)

    def membership(contact: str, status: str = "PAID", beneficiary: str | None = None,
                   **product) -> None:
        v.product(f"M-{contact}", family="MEMBERSHIP", **product)
        v.sale(contact, at="2024-11-01 10:00", product=f"M-{contact}", status=status,
               beneficiary=beneficiary)

    v.contact("M0")
    membership("M1", season="S2025")  # seasonal, current season
    membership("M2", season="S2024")  # seasonal, previous season
    membership("M3", valid_from="2025-12-01", valid_to="2026-11-30")  # starts on D
    membership("M4", valid_from="2024-12-02", valid_to="2025-12-01")  # ends on D
    membership("M5", valid_from="2024-12-01", valid_to="2025-11-30")  # ended the day before D
    membership("M6", valid_from="2025-12-02", valid_to="2026-12-01")  # starts the day after D
    membership("M7", valid_to="2026-01-01")  # open start
    membership("M8", valid_from="2020-01-01")  # open end
    membership("M9")  # neither season nor bounds: never valid
    membership("M10", season="S2025", status="REFUNDED")
    membership("M11", season="S2025", status="CANCELLED")
    membership("M12", season="S2025", beneficiary="M13")  # the holder is the member
    membership("M14", season="S2025", status="RESERVED")  # countable
    membership("M15", season="S2024", valid_to="2026-01-01")  # other season, but dated valid
    v.product("T25", season="S2025")  # not a membership
    v.sale("M16", at="2025-10-01 10:00", product="T25")
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    members = {"M1", "M3", "M4", "M7", "M8", "M13", "M14", "M15"}
    contacts = ["M0"] + [f"M{n}" for n in range(1, 17)]
    assert {c: r.pair(c, "adherent") for c in contacts} == {
        c: (c in members, int(c in members)) for c in contacts}

    # one year later (S2026): seasonal S2025 memberships expired; M6 ends on this D; M8 has
    # no end
    r = compute(store, "2026-12-01")
    members = {"M6", "M8"}
    assert {c: r.value(c, "adherent") for c in contacts} == {c: c in members for c in contacts}


def test_abonne(store, tmp_path):
    # D = 2025-12-01: current season S2025
    v = Venue().seasons(2024, 2026)
    v.product("SUB24", family="SUBSCRIPTION", season="S2024")
    v.product("SUB25", family="SUBSCRIPTION", season="S2025")
    v.product("SUBX", family="SUBSCRIPTION")  # no season
    v.product("T25", season="S2025")
    v.performance("P25", at="2025-10-10 20:00", product="SUBX")  # in S2025
    v.performance("P24", at="2025-03-10 20:00", product="SUB25")  # in S2024
    at = "2025-08-15 10:00"  # before the season (order date in S2024)
    v.contact("A0")
    v.sale("A1", at=at, product="SUB25")
    v.sale("A2", at=at, product="SUB24")
    # the line's season comes from its performance first
    v.sale("A3", at=at, performance="P25", product="SUBX")  # performance in S2025: true
    v.sale("A4", at="2025-02-01 10:00", performance="P24", product="SUB25")  # S2024: false
    v.sale("A5", at=at, product="SUB25", status="REFUNDED")
    v.sale("A6", at=at, product="SUB25", status="RESERVED")
    v.sale("A7", at=at, product="SUB25", beneficiary="A8")  # the holder subscribes
    v.sale("A9", at="2025-10-01 10:00", product="SUBX")  # no perf, no season: order date
    v.sale("A10", at="2025-10-01 10:00", product="T25")  # a ticket is no subscription
    v.sale("A11", at=at, product="SUB25", line="L11")  # refunded the day after D
    v.status("L11", "REFUNDED", at="2025-12-02 10:00")
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    subscribers = {"A1", "A3", "A6", "A8", "A9", "A11"}
    contacts = ["A0"] + [f"A{n}" for n in range(1, 12)]
    assert {c: r.pair(c, "abonne") for c in contacts} == {
        c: (c in subscribers, int(c in subscribers)) for c in contacts}
    assert r.row("A1", "abonne").label("fr") == "Oui"

    # next season: nobody holds a S2026 subscription
    r = compute(store, "2026-09-01")
    assert {c: r.value(c, "abonne") for c in contacts} == {c: False for c in contacts}
