"""The indicator catalogue and the per-institution settings through the API."""

from __future__ import annotations

import pytest

from tests.api.api_data import add_nice, code, field
from tests.api.conftest import API


@pytest.fixture
def venue(example_workspace, tmp_path, clock):
    add_nice(example_workspace, tmp_path, clock())
    return example_workspace


def test_the_catalogue(venue, client_for):
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.get(f"{API}/indicators")
    assert r.status_code == 200
    codes = [i["code"] for i in r.json()]
    assert codes[:3] == ["assiduite", "produit_enfant", "adherent"] and len(codes) == 12
    abonne = viewer.get(f"{API}/indicators/abonne").json()
    assert abonne == {"code": "abonne", "name_fr": "Abonné", "name_en": "Subscriber",
                      "value_type": "boolean", "default": False,
                      "levels": [{"level": 0, "label_fr": "Non", "label_en": "No"},
                                 {"level": 1, "label_fr": "Oui", "label_en": "Yes"}],
                      "cadences": ["realtime", "season"]}
    r = viewer.get(f"{API}/indicators/nope")
    assert r.status_code == 404 and field(r) == "path.code"


def test_settings_of_the_institutions_one_sees(venue, client_for):
    r = client_for("viewer", ["THEATRE"]).get(f"{API}/indicators/settings")
    assert r.status_code == 200
    assert [(s["institution_id"], s["organisations"]) for s in r.json()] == [
        ("LYON", ["THEATRE"])]
    assert all(r.json()[0]["enabled"].values()) and len(r.json()[0]["enabled"]) == 12
    everything = client_for("admin").get(f"{API}/indicators/settings").json()
    assert [(s["institution_id"], s["organisations"]) for s in everything] == [
        ("LYON", ["OPERA", "THEATRE"]), ("NICE", ["FEST"])]


def test_an_administrator_disables_and_enables_an_indicator(venue, client_for):
    admin = client_for("admin")
    r = admin.put(f"{API}/indicators/jeune/settings",
                  json={"institution_id": "LYON", "enabled": False})
    assert r.status_code == 200, r.text
    assert r.json()["enabled"]["jeune"] is False and r.json()["enabled"]["abonne"] is True
    assert venue.indicator_settings()["NICE"]["jeune"] is True
    theatre = client_for("viewer", ["THEATRE"])
    assert not any(i["indicator"] == "jeune" for i in theatre.get(
        f"{API}/contacts/C002/indicators").json())
    r = admin.put(f"{API}/indicators/jeune/settings",
                  json={"institution_id": "LYON", "enabled": True})
    assert r.json()["enabled"]["jeune"] is True
    assert [e.target for e in venue.audit.query(actor=admin.login).entries
            if e.action.startswith("indicator.")] == ["jeune", "jeune"]


def test_who_may_change_the_settings(venue, client_for):
    body = {"institution_id": "LYON", "enabled": False}
    for client in (client_for("viewer", ["THEATRE"]), client_for("marketing", ["THEATRE"])):
        r = client.put(f"{API}/indicators/pmg/settings", json=body)
        assert r.status_code == 403 and code(r) == "forbidden"
    # an administrator of THEATRE only: the setting would change OPERA's too
    r = client_for("admin", ["THEATRE"]).put(f"{API}/indicators/pmg/settings", json=body)
    assert r.status_code == 403
    r = client_for("admin", ["THEATRE", "OPERA"]).put(f"{API}/indicators/pmg/settings",
                                                     json=body)
    assert r.status_code == 200
    # an institution it does not see is unknown to it
    r = client_for("admin", ["FEST"]).put(f"{API}/indicators/pmg/settings", json=body)
    assert r.status_code == 422 and field(r) == "body.institution_id"
    r = client_for("admin").put(f"{API}/indicators/pmg/settings",
                                json={"institution_id": "LYON"})
    assert r.status_code == 422 and field(r) == "body.enabled"
    r = client_for("admin").put(f"{API}/indicators/nope/settings", json=body)
    assert r.status_code == 404
