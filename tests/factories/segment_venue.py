"""A small venue for segment tests, with every fact written out so that the members of a rule
can be worked out by hand. D = 2026-01-15 (current season S2025, previous S2024).

    A  individual, email a@example.org (opt-in), phone, full Paris address, points=12;
       3 opera tickets this season (OP1 ×2, one scanned at the door; OP2), ordered 2025-09-15
    B  individual, email "b@example" (opt-in, unusable: no dot after the @), Lyon, points=3;
       1 theatre ticket last season (TH1), ordered 2025-02-01
    C  individual, no email, phone with SMS opt-in, Paris postal code but no street;
       a subscription of S2025 (abonne: Oui) ordered 2025-09-02, an opera ticket REFUNDED
    D  individual, email d@example.org (opted out), post opt-in with a full Paris address;
       no order
    E  structure, email e@example.org (opt-in); F is attached to it
    F  individual, SMS opt-in but no phone; no order
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.factories.venue import Venue

D = date(2026, 1, 15)
CONTACTS = ("A", "B", "C", "D", "E", "F")


def segment_venue() -> Venue:
    v = Venue().seasons(2024, 2025)
    v.contact("A", email="a@example.org", email_opt_in=True, phone="06 01 02 03 04",
              street="1 rue de la Paix", postal_code="75002", city="Paris", country="FR",
              attributes={"points": "12"})
    v.contact("B", email="b@example", email_opt_in=True, postal_code="69001", city="Lyon",
              country="FR", attributes={"points": "3"})
    v.contact("C", phone="06 09 08 07 06", sms_opt_in=True, postal_code="75011", city="Paris")
    v.contact("D", email="d@example.org", email_opt_in=False, post_opt_in=True,
              street="2 avenue Foch", postal_code="75116", city="Paris", country="FR")
    v.contact("E", kind="STRUCTURE", email="e@example.org", email_opt_in=True)
    v.contact("F", parent_contact_id="E", sms_opt_in=True)

    v.show("OP1", at="2025-10-10 20:00", genre="Opéra")
    v.show("OP2", at="2026-03-01 20:00", genre="Opéra")
    v.show("TH1", at="2025-03-01 20:00", genre="Théâtre")
    v.product("SUB", family="SUBSCRIPTION", season="S2025", genre=None)

    v.order("OA1", buyer="A", at="2025-09-15 10:00")
    v.line("LA1", order="OA1", performance="OP1", amount="40.00",
           scanned_at="2025-10-10 19:50")
    v.line("LA2", order="OA1", performance="OP1", amount="40.00")
    v.line("LA3", order="OA1", performance="OP2", amount="45.00")
    v.sale("B", at="2025-02-01 11:00", performance="TH1", amount="25.00", order="OB1")
    v.sale("C", at="2025-09-02 09:00", product="SUB", amount="200.00", order="OC1")
    v.sale("C", at="2025-09-20 09:00", performance="OP1", amount="40.00", order="OC2")
    v.status("LOC2", "REFUNDED", at="2025-09-25 09:00")
    return v


def everyone() -> str:
    return "rules: [{any: [{field: kind, is: INDIVIDUAL}, {field: kind, is: STRUCTURE}]}]"


def load_segment_venue(store, tmp_path: Path) -> Venue:
    from tests.factories.venue import compute

    v = segment_venue()
    v.load(store, tmp_path)
    compute(store, D)
    return v
