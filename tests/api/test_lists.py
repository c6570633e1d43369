"""Marketing lists through the API: freeze a segment, read, export, delete; scoped to the
segment's organisation."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.api_data import add_nice, code, field
from tests.api.conftest import API

LYON_POSTCODES = {"rules": [{"field": "postal_code", "starts_with": "6900"}]}


@pytest.fixture
def venue(example_workspace, tmp_path, clock):
    add_nice(example_workspace, tmp_path, clock())
    return example_workspace


@pytest.fixture
def marketing(venue, client_for):
    client = client_for("marketing", ["THEATRE"])
    r = client.post(f"{API}/segments", json={"key": "lyon", "definition": LYON_POSTCODES})
    assert r.status_code == 201, r.text
    return client


def test_freeze_read_and_list(marketing, client_for):
    r = marketing.post(f"{API}/lists", json={"segment_key": "lyon", "name": "Lyon janvier"})
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["list_id"], m["name"], m["organisation_id"], m["institution_id"]) == (
        1, "Lyon janvier", "THEATRE", "LYON")
    assert (m["segment_key"], m["as_of"], m["member_count"]) == ("lyon", "2026-01-15", 4)
    assert m["definition"]["rules"][0]["field"] == "postal_code"
    assert m["created_by"] == marketing.login
    viewer = client_for("viewer", ["THEATRE"])
    assert viewer.get(f"{API}/lists/1").json() == m
    assert [x["list_id"] for x in viewer.get(f"{API}/lists").json()] == [1]
    assert [x["list_id"] for x in viewer.get(f"{API}/lists?organisation=THEATRE").json()] == [1]
    r = marketing.post(f"{API}/lists", json={"segment_key": "lyon", "name": "Avant",
                                             "as_of": "2025-01-01"})
    assert r.json()["as_of"] == "2025-01-01"


def test_a_list_does_not_follow_its_segment(marketing):
    marketing.post(f"{API}/lists", json={"segment_key": "lyon", "name": "Gel"})
    marketing.put(f"{API}/segments/lyon", json={"definition": {
        "rules": [{"field": "kind", "is": "STRUCTURE"}]}})
    assert marketing.get(f"{API}/segments/lyon/count").json()["count"] == 1
    r = marketing.get(f"{API}/lists/1/export", params={"columns": "contact_id"})
    assert r.status_code == 200, r.text
    assert r.headers["x-habitue-members"] == "4"
    assert [row[0] for row in csv.reader(io.StringIO(r.text))] == [
        "contact_id", "C001", "C002", "C003", "S001"]


def test_export_is_audited_and_delete(marketing, venue):
    marketing.post(f"{API}/lists", json={"segment_key": "lyon", "name": "Gel"})
    r = marketing.get(f"{API}/lists/1/export", params={"format": "xlsx", "purpose": "email"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert r.headers["x-habitue-exported"] == "3"
    [entry] = venue.audit.query(action="list.export").entries
    assert (entry.actor, entry.target, entry.organisation_id) == (marketing.login, "1",
                                                                  "THEATRE")
    assert entry.detail["purpose"] == "email" and entry.detail["exported"] == 3
    assert marketing.delete(f"{API}/lists/1").status_code == 204
    r = marketing.get(f"{API}/lists/1")
    assert r.status_code == 404 and field(r) == "path.list_id"


def test_errors(marketing):
    r = marketing.post(f"{API}/lists", json={"segment_key": "nope", "name": "x"})
    assert r.status_code == 404 and field(r) == "body.segment_key"
    r = marketing.post(f"{API}/lists", json={"segment_key": "lyon", "name": " "})
    assert r.status_code == 422 and field(r) == "body.name"
    r = marketing.post(f"{API}/lists", json={"segment_key": "lyon"})
    assert r.status_code == 422 and code(r) == "invalid" and field(r) == "body.name"
    assert marketing.get(f"{API}/lists/abc").status_code == 422
    marketing.post(f"{API}/lists", json={"segment_key": "lyon", "name": "x"})
    r = marketing.get(f"{API}/lists/1/export", params={"columns": "bogus"})
    assert r.status_code == 422 and field(r) == "query.columns"


def test_who_sees_and_changes_lists(marketing, client_for):
    marketing.post(f"{API}/lists", json={"segment_key": "lyon", "name": "Gel"})
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.post(f"{API}/lists", json={"segment_key": "lyon", "name": "v"})
    assert r.status_code == 403 and code(r) == "forbidden"
    assert viewer.delete(f"{API}/lists/1").status_code == 403
    r = viewer.get(f"{API}/lists/1/export")  # an export takes data out: not for viewers
    assert r.status_code == 403 and code(r) == "forbidden"
    opera = client_for("marketing", ["OPERA"])
    assert opera.get(f"{API}/lists").json() == []
    for r in (opera.get(f"{API}/lists/1"), opera.get(f"{API}/lists/1/export"),
              opera.delete(f"{API}/lists/1")):
        assert r.status_code == 404 and field(r) == "path.list_id"
    r = opera.post(f"{API}/lists", json={"segment_key": "lyon", "name": "o"})
    assert r.status_code == 404 and field(r) == "body.segment_key"
    assert opera.get(f"{API}/lists?organisation=THEATRE").status_code == 403
