"""recence (latest event or competition held) and anciennete (first order): date bands, and a
29 February as D (calendar offsets)."""

from __future__ import annotations

from datetime import date

from tests.factories.venue import Venue, compute


def test_recence_and_anciennete_levels(store, tmp_path):
    # D = 2025-06-15. recence: a = D − 1 year = 2024-06-15, b = D − 3 years = 2022-06-15.
    # anciennete: D − 12 months = 2024-06-15, D − 4 years = 2021-06-15.
    v = Venue()
    v.product("T")
    bought = "2019-06-01 10:00"  # seats bought well ahead: only performance dates matter

    def seat(contact: str, day: str, kind: str = "EVENT", status: str = "PAID",
             beneficiary: str | None = None) -> None:
        perf = f"PF-{contact}-{day}-{kind}"
        v.performance(perf, at=f"{day} 20:30", product="T", kind=kind)
        v.sale(contact, at=bought, performance=perf, status=status, beneficiary=beneficiary)

    v.contact("R0")
    seat("R1", "2022-06-15")  # = b → 1
    seat("R1b", "2020-01-01")  # < b → 1
    seat("R2", "2022-06-16")  # day after b → 2
    seat("R2b", "2024-06-15")  # = a → 2
    seat("R3", "2024-06-16")  # day after a → 3
    seat("R3b", "2025-06-14")  # day before D → 3
    seat("R4", "2025-06-15")  # = D → 4
    seat("R4b", "2026-01-10")  # future → 4
    seat("RM", "2021-01-01")  # the most recent of several: 2025-01-01 → 3
    seat("RM", "2025-01-01")
    seat("RV", "2025-06-01", kind="VISIT")  # visits are ignored: 2021-01-01 → 1
    seat("RV", "2021-01-01")
    seat("RC", "2025-06-01", kind="COMPETITION")  # competitions count → 3
    seat("RO", "2025-06-01", kind="OTHER")  # neither event nor competition → none
    v.sale("RP", at=bought, product="T")  # no performance → none
    seat("RR", "2025-06-01", status="REFUNDED")  # not countable: 2023-01-01 → 2
    seat("RR", "2024-06-01", status="CANCELLED")
    seat("RR", "2023-01-01", status="RESERVED")
    seat("RB", "2025-06-01", beneficiary="RH")  # the holder: RH → 3, RB → none

    v.contact("N0")
    v.sale("N1", at="2024-06-16 09:00", product="T")  # > D − 12 months → 1
    v.sale("N1b", at="2025-06-15 23:00", product="T")  # on D → 1
    v.sale("N2", at="2024-06-15 09:00", product="T")  # = D − 12 months → 2
    v.sale("N2b", at="2021-06-16 09:00", product="T")  # day after D − 4 years → 2
    v.sale("N3", at="2021-06-15 09:00", product="T")  # = D − 4 years → 3
    v.sale("NX", at="2022-01-01 09:00", product="T", payer="NP")  # payer → 2
    v.sale("NY", at="2020-01-01 09:00", product="T", beneficiary="NH")  # holder → 3
    v.sale("NS", at="2023-01-01 09:00", product="T", status="CANCELLED")  # any status → 2
    v.sale("NE", at="2019-01-01 09:00", product="T", status="REFUNDED")  # earliest → 3
    v.sale("NE", at="2025-01-01 09:00", product="T")
    v.sale("NF", at="2025-06-16 09:00", product="T")  # after D: none
    v.sale("NL", at="2024-01-01 09:00", product="T", status_at="2025-07-01 09:00")  # → 2
    v.load(store, tmp_path)

    r = compute(store, "2025-06-15")
    d = date.fromisoformat
    assert {c: r.pair(c, "recence") for c in (
        "R0", "R1", "R1b", "R2", "R2b", "R3", "R3b", "R4", "R4b", "RM", "RV", "RC", "RO", "RP",
        "RR", "RH", "RB")} == {
        "R0": (None, 0), "R1": (d("2022-06-15"), 1), "R1b": (d("2020-01-01"), 1),
        "R2": (d("2022-06-16"), 2), "R2b": (d("2024-06-15"), 2), "R3": (d("2024-06-16"), 3),
        "R3b": (d("2025-06-14"), 3), "R4": (d("2025-06-15"), 4), "R4b": (d("2026-01-10"), 4),
        "RM": (d("2025-01-01"), 3), "RV": (d("2021-01-01"), 1), "RC": (d("2025-06-01"), 3),
        "RO": (None, 0), "RP": (None, 0), "RR": (d("2023-01-01"), 2),
        "RH": (d("2025-06-01"), 3), "RB": (None, 0)}
    assert {c: r.pair(c, "anciennete") for c in (
        "N0", "N1", "N1b", "N2", "N2b", "N3", "NX", "NP", "NY", "NH", "NS", "NE", "NF",
        "NL")} == {
        "N0": (None, 0), "N1": (d("2024-06-16"), 1), "N1b": (d("2025-06-15"), 1),
        "N2": (d("2024-06-15"), 2), "N2b": (d("2021-06-16"), 2), "N3": (d("2021-06-15"), 3),
        "NX": (d("2022-01-01"), 2), "NP": (d("2022-01-01"), 2), "NY": (d("2020-01-01"), 3),
        "NH": (d("2020-01-01"), 3), "NS": (d("2023-01-01"), 2), "NE": (d("2019-01-01"), 3),
        "NF": (None, 0), "NL": (d("2024-01-01"), 2)}
    labels = {r.level(c, "recence"): (r.row(c, "recence").label("fr"),
                                      r.row(c, "recence").label("en"))
              for c in ("R0", "R1", "R2", "R3", "R4")}
    assert labels == {0: ("Aucune commande", "No order"),
                      1: ("Il y a plus de 3 ans", "Over 3 years ago"),
                      2: ("Entre 1 et 3 ans", "1 to 3 years ago"),
                      3: ("Il y a moins d'une année", "Within the last year"),
                      4: ("Futur", "Today or future")}
    assert [r.row(c, "anciennete").label("en") for c in ("N0", "N1", "N2", "N3")] == [
        "No order", "New", "Recent", "Long-standing"]


def test_29_february_as_d(store, tmp_path):
    # D = 2028-02-29: D − 1 year = D − 12 months = 2027-02-28; D − 3 years = 2025-02-28;
    # D − 36 months = 2025-02-28; D − 4 years = 2024-02-29 (a leap day too)
    v = Venue()
    v.product("T")
    for c, day in (("F1", "2025-02-28"), ("F2", "2025-03-01"), ("F3", "2027-02-28"),
                   ("F4", "2027-03-01"), ("F5", "2028-02-29")):
        v.performance(f"PF{c}", at=f"{day} 20:30", product="T")
        v.sale(c, at="2025-01-01 10:00", performance=f"PF{c}")
    for c, day in (("N1", "2027-03-01"), ("N2", "2027-02-28"), ("N3", "2024-03-01"),
                   ("N4", "2024-02-29")):
        v.sale(c, at=f"{day} 12:00", product="T")
    # W1: two OTHERS orders on D − 12 months (outside) and one INTERNET inside → INTERNET, 1
    v.sale("W1", at="2027-02-28 12:00", product="T", channel="OTHERS")
    v.sale("W1", at="2027-02-28 13:00", product="T", channel="OTHERS")
    v.sale("W1", at="2027-03-01 12:00", product="T", channel="INTERNET")
    # W2: nothing in 12 months; in 36 months only the INTERNET order of 2025-03-01 → 1
    v.sale("W2", at="2025-02-28 12:00", product="T", channel="OTHERS")
    v.sale("W2", at="2025-02-28 13:00", product="T", channel="OTHERS")
    v.sale("W2", at="2025-03-01 12:00", product="T", channel="INTERNET")
    v.load(store, tmp_path)

    r = compute(store, "2028-02-29")
    d = date.fromisoformat
    assert [r.pair(c, "recence") for c in ("F1", "F2", "F3", "F4", "F5")] == [
        (d("2025-02-28"), 1), (d("2025-03-01"), 2), (d("2027-02-28"), 2),
        (d("2027-03-01"), 3), (d("2028-02-29"), 4)]
    assert [r.pair(c, "anciennete") for c in ("N1", "N2", "N3", "N4")] == [
        (d("2027-03-01"), 1), (d("2027-02-28"), 2), (d("2024-03-01"), 2),
        (d("2024-02-29"), 3)]
    assert r.pair("W1", "filiere_vente") == (1, 2)
    assert r.pair("W2", "filiere_vente") == (1, 2)
