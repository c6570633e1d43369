"""Saved segments through the API: CRUD, count, preview, overlap, export, unsaved counts,
definition errors with the rule's path, and who sees and changes what."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.api_data import add_nice, code, field
from tests.api.conftest import API

LYON_POSTCODES = {"rules": [{"field": "postal_code", "starts_with": "6900"}]}
EMAIL_OK = {"rules": [{"consent": "email"}]}
SUBSCRIBERS = {"rules": [{"indicator": "abonne", "level": "Oui"}]}


@pytest.fixture
def venue(example_workspace, tmp_path, clock):
    add_nice(example_workspace, tmp_path, clock())
    return example_workspace


def create(client, key, definition, organisation="THEATRE", **extra):
    return client.post(f"{API}/segments", json={"key": key, "organisation_id": organisation,
                                                "definition": definition, **extra})


def test_create_read_and_list(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    r = create(marketing, "email-ok", EMAIL_OK, name="E-mail OK")
    assert r.status_code == 201, r.text
    seg = r.json()
    assert (seg["key"], seg["organisation_id"], seg["name"]) == ("email-ok", "THEATRE",
                                                                 "E-mail OK")
    assert seg["definition"]["rules"][0]["consent"] == "email"
    assert seg["definition"]["rules"][0]["id"] == "n1"
    assert seg["created_by"] == marketing.login and seg["sizes"] == []
    assert seg["sentence"] == "Accepte les e-mails"
    en = marketing.get(f"{API}/segments/email-ok?lang=en").json()
    assert en["sentence"] == "Opted in to email"
    assert [s["key"] for s in marketing.get(f"{API}/segments").json()] == ["email-ok"]
    # a YAML text is a definition too
    r = create(marketing, "lyon", "rules:\n  - {field: postal_code, starts_with: '6900'}\n")
    assert r.status_code == 201, r.text


def test_the_organisation_defaults_to_the_only_one_seen(venue, client_for):
    r = client_for("marketing", ["THEATRE"]).post(f"{API}/segments", json={
        "key": "mine", "definition": EMAIL_OK})
    assert r.status_code == 201 and r.json()["organisation_id"] == "THEATRE"
    r = client_for("admin").post(f"{API}/segments", json={"key": "x", "definition": EMAIL_OK})
    assert r.status_code == 422 and field(r) == "body.organisation_id"
    r = create(client_for("admin"), "x", EMAIL_OK, organisation="NOPE")
    assert r.status_code == 422 and field(r) == "body.organisation_id"


def test_a_bad_definition_names_the_rule(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    r = create(marketing, "bad", {"rules": [{"any": [{"indicator": "pmgg", "level": 1}]}]})
    assert r.status_code == 422
    assert code(r) == "unknown_indicator"
    assert field(r) == "body.definition.rules[0].any[0].indicator"
    assert "vouliez-vous dire « pmg »" in r.json()["error"]["message"]  # HABITUE_LANG: fr
    r = marketing.post(f"{API}/segments?lang=en", json={
        "key": "bad", "definition": {"rules": [{"indicator": "pmgg", "level": 1}]}})
    assert "did you mean 'pmg'" in r.json()["error"]["message"]
    r = create(marketing, "bad", {"rules": []})
    assert r.status_code == 422 and code(r) == "empty_group" and field(r) == (
        "body.definition.rules")
    r = create(marketing, "bad", "rules: [")
    assert r.status_code == 422 and code(r) == "wrong_type"
    r = create(marketing, "bad key!", EMAIL_OK)
    assert r.status_code == 422 and field(r) == "body.key"
    assert marketing.get(f"{API}/segments/bad").status_code == 404


def test_keys_are_unique(venue, client_for):
    assert create(client_for("marketing", ["THEATRE"]), "s", EMAIL_OK).status_code == 201
    r = create(client_for("marketing", ["FEST"]), "s", EMAIL_OK, organisation="FEST")
    assert r.status_code == 409 and code(r) == "conflict" and field(r) == "body.key"


def test_count_preview_and_overlap(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    create(marketing, "email-ok", EMAIL_OK)
    create(marketing, "subscribers", SUBSCRIBERS)
    r = marketing.get(f"{API}/segments/email-ok/count")
    assert r.status_code == 200
    assert r.json() == {"key": "email-ok", "organisation_id": "THEATRE", "as_of": "2026-01-15",
                        "count": 3, "sentence": None}
    assert marketing.get(f"{API}/segments/subscribers/count").json()["count"] == 1
    p = marketing.get(f"{API}/segments/email-ok/preview?limit=2&lang=en").json()
    assert p["count"] == 3 and len(p["rows"]) == 2
    assert p["columns"][:5] == ["contact_id", "first_name", "last_name", "structure_name",
                                "email"]
    assert [row["contact_id"] for row in p["rows"]] == ["C001", "C002"]
    assert p["rows"][0]["abonne:label"] == "Yes"
    o = marketing.get(f"{API}/segments/email-ok/overlap?other=subscribers").json()
    assert (o["a_only"], o["both"], o["b_only"]) == (2, 1, 0)
    r = marketing.get(f"{API}/segments/email-ok/overlap?other=nope")
    assert r.status_code == 404 and field(r) == "query.other"


def test_count_an_unsaved_definition(venue, client_for):
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.post(f"{API}/segments/count", json={
        "definition": {"rules": [{"consent": "email"}, {"field": "kind", "is": "STRUCTURE"}]},
        "lang": "en"})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 1 and r.json()["organisation_id"] == "THEATRE"
    assert "pted in to email" in r.json()["sentence"]
    r = viewer.post(f"{API}/segments/count", json={
        "definition": {"rules": [{"field": "postcode", "is": "69"}]}})
    assert r.status_code == 422 and code(r) == "unknown_field"
    assert field(r) == "body.definition.rules[0].field"
    r = viewer.post(f"{API}/segments/count", json={"organisation_id": "FEST",
                                                   "definition": EMAIL_OK})
    assert r.status_code == 403


def test_update_and_delete(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    create(marketing, "s", EMAIL_OK)
    r = marketing.put(f"{API}/segments/s", json={"definition": LYON_POSTCODES,
                                                 "name": "Lyonnais"})
    assert r.status_code == 200 and r.json()["name"] == "Lyonnais"
    assert marketing.get(f"{API}/segments/s/count").json()["count"] == 4
    r = marketing.put(f"{API}/segments/s", json={"definition": {"rules": [{"consent": "fax"}]}})
    assert r.status_code == 422 and field(r) == "body.definition.rules[0].consent"
    create(marketing, "user", {"rules": [{"segment": "s"}]})
    r = marketing.delete(f"{API}/segments/s")
    assert r.status_code == 409 and "used by user" in r.json()["error"]["message"]
    assert marketing.delete(f"{API}/segments/user").status_code == 204
    assert marketing.delete(f"{API}/segments/s").status_code == 204
    assert marketing.get(f"{API}/segments/s").status_code == 404
    assert [e.action for e in venue.audit.query(actor=marketing.login).entries] == [
        "segment.delete", "segment.delete", "segment.create", "segment.update",
        "segment.create"]


def test_who_sees_and_changes_segments(venue, client_for):
    create(client_for("marketing", ["THEATRE"]), "theatre-only", EMAIL_OK)
    viewer = client_for("viewer", ["THEATRE"])
    assert viewer.get(f"{API}/segments/theatre-only").status_code == 200
    assert viewer.get(f"{API}/segments/theatre-only/count").status_code == 200
    for r in (viewer.put(f"{API}/segments/theatre-only", json={"name": "x"}),
              viewer.delete(f"{API}/segments/theatre-only"),
              viewer.get(f"{API}/segments/theatre-only/export"),
              create(viewer, "v", EMAIL_OK)):
        assert r.status_code == 403 and code(r) == "forbidden"
    other = client_for("marketing", ["OPERA"])
    assert other.get(f"{API}/segments").json() == []
    for r in (other.get(f"{API}/segments/theatre-only"),
              other.get(f"{API}/segments/theatre-only/count"),
              other.get(f"{API}/segments/theatre-only/export"),
              other.put(f"{API}/segments/theatre-only", json={"name": "x"}),
              other.delete(f"{API}/segments/theatre-only")):
        assert r.status_code == 404 and field(r) == "path.key"
    r = other.get(f"{API}/segments?organisation=THEATRE")
    assert r.status_code == 403
    assert create(other, "t", EMAIL_OK, organisation="THEATRE").status_code == 403


def test_export_csv_with_columns_and_purpose(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    create(marketing, "lyon", LYON_POSTCODES)
    r = marketing.get(f"{API}/segments/lyon/export",
                      params={"columns": "contact_id,email,abonne:label", "lang": "en"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["x-habitue-members"] == "4" and r.headers["x-habitue-exported"] == "4"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["contact_id", "email", "abonne:label"]
    assert rows[1] == ["C001", "claire.martin@example.org", "Yes"]
    r = marketing.get(f"{API}/segments/lyon/export", params={"purpose": "email"})
    assert r.headers["x-habitue-exported"] == "3"
    assert r.headers["x-habitue-left-out"] == '{"no_opt_in":1,"unusable_address":0}'
    r = marketing.get(f"{API}/segments/lyon/export", params={"format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    r = marketing.get(f"{API}/segments/lyon/export", params={"columns": "contact_id,nope"})
    assert r.status_code == 422 and field(r) == "query.columns"
    r = marketing.get(f"{API}/segments/lyon/export", params={"format": "pdf"})
    assert r.status_code == 422 and field(r) == "query.format"
    exports = venue.audit.query(action="segment.export").entries
    assert len(exports) == 3 and exports[0].actor == marketing.login
    assert exports[-1].detail["exported"] == 4


def test_a_wrong_method_is_405_with_the_methods_of_the_path(venue, client_for):
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.request("OPTIONS", f"{API}/segments/count")
    assert r.status_code == 405 and code(r) == "method_not_allowed"
    assert r.headers["allow"] == "POST"
    r = viewer.request("PATCH", f"{API}/segments/any-key")
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, GET, PUT"
