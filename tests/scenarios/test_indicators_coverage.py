"""Every (organisation, contact) of an institution gets every indicator, computed from that
organisation's facts only; other institutions are not mixed in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from habitue.indicators.catalogue import INDICATORS
from habitue.services.workspace import Workspace
from tests.factories.venue import Venue, compute

DEFAULTS = {
    "assiduite": (0, 0), "produit_enfant": (False, 0), "adherent": (False, 0),
    "pmg": (Decimal(0), 0), "pmg_n": (Decimal(0), 0), "recence": (None, 0),
    "filiere_vente": (None, 0), "abonne": (False, 0), "anciennete": (None, 0),
    "jeune": (None, 0), "engagement_social": (0, 0), "influence_sociale": (0, 0),
}


def test_every_contact_of_the_institution_in_every_organisation(store, tmp_path):
    v = Venue("ORG", institution="INST")
    v.organisation("ORG2", institution="INST")
    v.organisation("ORG3", institution="OTHER")
    for org in ("ORG", "ORG2", "ORG3"):
        v.seasons(2025, 2025, org=org)
        v.show("PF1", at="2025-10-10 20:00", org=org)
        v.show("PF2", at="2025-10-11 20:00", org=org)
        v.show("PF3", at="2025-10-12 20:00", org=org)
    v.contact("C1")
    v.contact("C2")
    v.contact("C3")  # no facts anywhere
    v.contact("C1", institution="OTHER", birth_date="2000-01-01")  # same id, other institution
    v.contact("X2", institution="OTHER")
    v.sale("C1", at="2025-10-01 10:00", performance="PF1")  # INST's C1, at ORG
    v.sale("C2", at="2025-10-01 10:00", performance="PF1", org="ORG2")
    for perf in ("PF1", "PF2", "PF3"):  # OTHER's C1, at ORG3
        v.sale("C1", at="2025-09-20 10:00", performance=perf, channel="B2B", org="ORG3")
    v.load(store, tmp_path)

    r = compute(store, "2025-12-01")
    assert r.grid() == {("ORG", "C1"), ("ORG", "C2"), ("ORG", "C3"), ("ORG2", "C1"),
                        ("ORG2", "C2"), ("ORG2", "C3"), ("ORG3", "C1"), ("ORG3", "X2")}
    codes = [i.code for i in INDICATORS]
    assert len(codes) == 12
    for org, contact in r.grid():
        assert [x.indicator for x in r.rows
                if (x.organisation_id, x.contact_id) == (org, contact)] == codes
    # contacts without facts in an organisation get the defaults
    for org, contact in (("ORG", "C3"), ("ORG2", "C3"), ("ORG", "C2"), ("ORG2", "C1"),
                         ("ORG3", "X2")):
        assert {code: r.pair(contact, code, org=org) for code in codes} == DEFAULTS, (org,
                                                                                      contact)
    # INST's C1 at ORG: one seat on 2025-10-10, ordered 2025-10-01 on the Internet
    assert {code: r.pair("C1", code) for code in codes} == DEFAULTS | {
        "assiduite": (1, 1), "pmg_n": (Decimal(10), 3),
        "recence": (date(2025, 10, 10), 3), "filiere_vente": (1, 2),
        "anciennete": (date(2025, 10, 1), 1)}
    assert r.pair("C2", "assiduite", org="ORG2") == (1, 1)
    # OTHER's C1 at ORG3: its own facts and birth date only
    assert {code: r.pair("C1", code, org="ORG3") for code in codes} == DEFAULTS | {
        "assiduite": (3, 2), "pmg_n": (Decimal(30), 3),
        "recence": (date(2025, 10, 12), 3), "filiere_vente": (3, 3),
        "anciennete": (date(2025, 9, 20), 1), "jeune": (True, 1)}
    assert [r.row("C3", code).label("fr") for code in codes] == [
        "Inactif", "Non", "Non", "Aucun", "Aucun", "Aucune commande", "Aucune", "Non",
        "Aucune commande", "Non", "Inactif", "Inactif"]


def test_an_indicator_disabled_for_an_institution(store, tmp_path):
    v = Venue("ORG", institution="INST")
    v.organisation("ORG3", institution="OTHER")
    v.contact("C1", birth_date="2000-01-01")
    v.contact("X1", institution="OTHER", birth_date="2000-01-01")
    v.load(store, tmp_path)
    Workspace(store).set_indicator_enabled("jeune", False, institution="INST")

    r = compute(store, "2025-12-01")
    codes = [i.code for i in INDICATORS]
    assert [x.indicator for x in r.rows if x.contact_id == "C1"] == [
        c for c in codes if c != "jeune"]
    assert [x.indicator for x in r.rows if x.contact_id == "X1"] == codes
    assert r.pair("X1", "jeune", org="ORG3") == (True, 1)
