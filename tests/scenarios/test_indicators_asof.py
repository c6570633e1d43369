"""As-of semantics (spec/indicators.md, Vocabulary): facts dated on D count, later facts and
status changes are ignored, ties on status_at, and calendar days in the organisation's zone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.factories.venue import Venue, compute


def test_facts_dated_on_d_count_and_later_ones_are_ignored(store, tmp_path):
    v = Venue().seasons(2024, 2025)  # current season on D: S2025 (2025-09-01 … 2026-08-31)
    v.show("PF1", at="2025-12-10 20:00")
    v.show("PF2", at="2026-01-15 15:00", audience="CHILD")
    # C1: an order at 23:59 on D counts as of D
    v.sale("C1", at="2025-11-30 23:59", performance="PF1")
    # C2: an order created the day after D does not exist as of D
    v.sale("C2", at="2025-12-01 00:00", performance="PF2")
    # C3: paid, then refunded the day after D
    v.sale("C3", at="2025-10-01 10:00", performance="PF1", line="L3")
    v.status("L3", "REFUNDED", at="2025-12-01 09:00")
    # C4: order before D whose line's first status is dated after D
    v.sale("C4", at="2025-11-20 10:00", performance="PF2", status="RESERVED",
           status_at="2025-12-01 10:00")
    # C5: reserved (countable, no revenue), paid the day after D
    v.sale("C5", at="2025-10-01 10:00", performance="PF1", amount="25.00", status="RESERVED",
           line="L5")
    v.status("L5", "PAID", at="2025-12-01 08:00")
    # C6: cancelled at 23:59 on D: the change counts as of D
    v.sale("C6", at="2025-10-01 10:00", performance="PF1", line="L6")
    v.status("L6", "CANCELLED", at="2025-11-30 23:59")
    v.load(store, tmp_path)

    r = compute(store, "2025-11-30")
    assert r.pair("C1", "assiduite") == (1, 1)
    assert r.pair("C1", "anciennete") == (date(2025, 11, 30), 1)
    assert r.pair("C1", "recence") == (date(2025, 12, 10), 4)  # performance after D: future
    # C2's order does not exist yet: not even the "whatever the status" rules see it
    assert r.pair("C2", "assiduite") == (0, 0)
    assert r.pair("C2", "produit_enfant") == (False, 0)
    assert r.pair("C2", "anciennete") == (None, 0)
    assert r.pair("C2", "filiere_vente") == (None, 0)
    # C3 still paid as of D
    assert r.pair("C3", "assiduite") == (1, 1)
    assert r.value("C3", "pmg_n") == Decimal("10.00")
    # C4: no status as of D: neither countable nor revenue…
    assert r.pair("C4", "assiduite") == (0, 0)
    assert r.pair("C4", "recence") == (None, 0)
    assert r.pair("C4", "pmg_n") == (Decimal(0), 0)
    assert r.pair("C4", "filiere_vente") == (None, 0)  # its only order has no countable line
    # … but it counts where the rule says "whatever the status"
    assert r.pair("C4", "produit_enfant") == (True, 1)
    assert r.pair("C4", "anciennete") == (date(2025, 11, 20), 1)
    # C5: reserved is countable, not revenue
    assert r.pair("C5", "assiduite") == (1, 1)
    assert r.pair("C5", "pmg_n") == (Decimal(0), 0)
    # C6: cancelled on D
    assert r.pair("C6", "assiduite") == (0, 0)

    r = compute(store, "2025-12-01")
    assert r.pair("C2", "assiduite") == (1, 1)
    assert r.pair("C2", "produit_enfant") == (True, 1)
    assert r.pair("C2", "anciennete") == (date(2025, 12, 1), 1)
    assert r.pair("C3", "assiduite") == (0, 0)  # refunded on the new D
    assert r.pair("C3", "pmg_n") == (Decimal(0), 0)
    assert r.pair("C3", "recence") == (None, 0)
    assert r.pair("C4", "assiduite") == (1, 1)  # reserved as of the new D
    assert r.pair("C4", "recence") == (date(2026, 1, 15), 4)
    assert r.pair("C4", "filiere_vente") == (1, 2)  # one INTERNET order with a countable line
    assert r.value("C5", "pmg_n") == Decimal("25.00")
    assert r.pair("C6", "assiduite") == (0, 0)


def test_same_status_at_in_one_file_the_row_written_last_wins(store, tmp_path):
    v = Venue().seasons(2025, 2025)
    v.show("PF1", at="2025-12-10 20:00")
    # C7: PAID then REFUNDED, same instant, in that order in the file: REFUNDED wins
    v.sale("C7", at="2025-10-05 10:00", performance="PF1", status_at="2025-10-05 10:00",
           line="L7")
    v.status("L7", "REFUNDED", at="2025-10-05 10:00")
    # C8: REFUNDED then PAID at the same instant: PAID wins
    v.sale("C8", at="2025-10-05 10:00", performance="PF1", status="REFUNDED",
           status_at="2025-10-05 10:00", line="L8")
    v.status("L8", "PAID", at="2025-10-05 10:00")
    v.load(store, tmp_path)

    r = compute(store, "2025-11-30")
    assert r.pair("C7", "assiduite") == (0, 0)
    assert r.pair("C7", "pmg_n") == (Decimal(0), 0)
    assert r.pair("C8", "assiduite") == (1, 1)
    assert r.value("C8", "pmg_n") == Decimal("10.00")


def test_same_status_at_in_a_later_import_wins(store, tmp_path):
    v = Venue().seasons(2025, 2025)
    v.show("PF1", at="2025-12-10 20:00")
    v.sale("C1", at="2025-10-05 10:00", performance="PF1", line="L1")  # PAID at creation
    v.sale("C2", at="2025-10-05 10:00", performance="PF1", line="L2")
    v.status("L2", "REFUNDED", at="2025-10-06 10:00")
    v.load(store, tmp_path)
    r = compute(store, "2025-11-30")
    assert (r.value("C1", "assiduite"), r.value("C2", "assiduite")) == (1, 0)

    # a second import of the lines appends, at instants that already hold a status:
    v.status("L1", "REFUNDED", at="2025-10-05 10:00")  # same instant as its PAID
    v.status("L2", "PAID", at="2025-10-06 10:00")  # same instant as its REFUNDED
    v.load(store, tmp_path, name="second", only=("order_lines",))
    r = compute(store, "2025-11-30")
    assert r.pair("C1", "assiduite") == (0, 0)
    assert r.pair("C2", "assiduite") == (1, 1)
    assert r.value("C2", "pmg_n") == Decimal("10.00")


def test_calendar_days_are_those_of_the_organisation_time_zone(store, tmp_path):
    # D = 2027-11-22: D − 12 months = D − 1 year = 2026-11-22
    v = Venue()  # Europe/Paris (UTC+1 in November)
    v.organisation("MTL", timezone="America/Montreal")  # UTC−5 in November
    v.product("T")
    v.product("T", org="MTL")
    # TZ1: 2026-11-22T23:30Z is 2026-11-23 00:30 in Paris, inside (D − 12 months, D]; two older
    # OTHERS orders are outside it. Preferred: INTERNET with 1 order (were the order dated
    # 2026-11-22, the 36-month fallback would prefer OTHERS with 2).
    v.sale("TZ1", at="2026-11-22T23:30:00Z", product="T", channel="INTERNET")
    v.sale("TZ1", at="2025-06-01 10:00", product="T", channel="OTHERS")
    v.sale("TZ1", at="2025-06-02 10:00", product="T", channel="OTHERS")
    # TZ2: first order on 2026-11-23 (Paris) > D − 12 months: Nouveau
    v.sale("TZ2", at="2026-11-22T23:30:00Z", product="T")
    # TZ3: a performance at 2026-11-22T23:30Z is on 2026-11-23: a < value < D
    v.performance("PFZ", at="2026-11-22T23:30:00Z", product="T")
    v.sale("TZ3", at="2026-10-01 10:00", performance="PFZ")
    # TZ4: another offset: 2026-11-22T19:00-05:00 = 2026-11-23 01:00 in Paris
    v.sale("TZ4", at="2026-11-22T19:00:00-05:00", product="T")
    # TZ5: no offset: read in Paris, 2026-11-22 = D − 12 months: Récent
    v.sale("TZ5", at="2026-11-22 23:30", product="T")
    # TZ6 at MTL: 2026-11-23T03:00Z is 2026-11-22 22:00 in Montreal (04:00 on the 23rd in
    # Paris): an order for a performance, both at that instant
    v.performance("PFM", at="2026-11-23T03:00:00Z", product="T", org="MTL")
    v.sale("TZ6", at="2026-11-23T03:00:00Z", performance="PFM", org="MTL")
    # TZ7: refunded at 2027-11-22T23:30Z = 2027-11-23 00:30 in Paris, after D
    v.performance("PFL", at="2027-12-01 20:00", product="T")
    v.sale("TZ7", at="2027-10-01 10:00", performance="PFL", line="L7")
    v.status("L7", "REFUNDED", at="2027-11-22T23:30:00Z")
    # TZ8: 22:59Z on D is 23:59 in Paris: on D. TZ9: 23:00Z on D is the next day in Paris
    v.sale("TZ8", at="2027-11-22T22:59:00Z", product="T")
    v.sale("TZ9", at="2027-11-22T23:00:00Z", product="T")
    # TZ10: summer time (UTC+2): 2027-06-30T22:30Z is 2027-07-01 00:30 in Paris
    v.sale("TZ10", at="2027-06-30T22:30:00Z", product="T")
    # TZ11: a share at 2026-11-22T23:30Z is on 2026-11-23, inside (D − 12 months, D]; of its
    # visits, 22:30Z on D is 23:30 on D (counts), 23:30Z on D is the next day (ignored)
    v.share("SH11", contact="TZ11", at="2026-11-22T23:30:00Z")
    v.visit("V11a", share="SH11", at="2027-11-22T22:30:00Z")
    v.visit("V11b", share="SH11", at="2027-11-22T23:30:00Z")
    # TZ12: a share at 2026-11-22T22:30Z is 23:30 on D − 12 months: outside
    v.share("SH12", contact="TZ12", at="2026-11-22T22:30:00Z")
    v.visit("V12", share="SH12", at="2027-01-01 10:00")
    v.load(store, tmp_path)

    r = compute(store, "2027-11-22")
    assert r.pair("TZ1", "filiere_vente") == (1, 2)
    assert r.pair("TZ2", "anciennete") == (date(2026, 11, 23), 1)
    assert r.pair("TZ3", "recence") == (date(2026, 11, 23), 3)
    assert r.pair("TZ4", "anciennete") == (date(2026, 11, 23), 1)
    assert r.pair("TZ5", "anciennete") == (date(2026, 11, 22), 2)
    assert r.pair("TZ6", "anciennete", org="MTL") == (date(2026, 11, 22), 2)  # = D − 12 m
    assert r.pair("TZ6", "recence", org="MTL") == (date(2026, 11, 22), 2)  # = D − 1 year
    assert r.pair("TZ6", "anciennete") == (None, 0)  # no facts in the Paris organisation
    assert r.pair("TZ7", "recence") == (date(2027, 12, 1), 4)  # still paid as of D
    assert r.pair("TZ8", "anciennete") == (date(2027, 11, 22), 1)
    assert r.pair("TZ9", "anciennete") == (None, 0)
    assert r.value("TZ10", "anciennete") == date(2027, 7, 1)
    assert r.pair("TZ11", "engagement_social") == (1, 3)  # the only sharer: c = 1
    assert r.pair("TZ11", "influence_sociale") == (1, 3)
    assert r.pair("TZ12", "engagement_social") == (0, 0)
    assert r.pair("TZ12", "influence_sociale") == (0, 0)
