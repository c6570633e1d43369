"""Contacts through the API: search, one contact, its indicators, create and update, on both
stores, and who sees what (a contact is seen through the organisations of its institution)."""

from __future__ import annotations

import pytest

from tests.api.api_data import add_nice, code, field
from tests.api.conftest import API


@pytest.fixture
def venue(example_workspace, tmp_path, clock):
    add_nice(example_workspace, tmp_path, clock())
    return example_workspace


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["contact_id"] for c in response.json()["items"]]


# -- search ---------------------------------------------------------------------------------

def test_search_by_name_email_and_id_whatever_the_case(venue, client_for):
    viewer = client_for("viewer", ["THEATRE"])
    assert ids(viewer.get(f"{API}/contacts", params={"q": "martin"})) == ["C001", "C003"]
    assert ids(viewer.get(f"{API}/contacts", params={"q": "CLAIRE mart"})) == ["C001"]
    assert ids(viewer.get(f"{API}/contacts", params={"q": "paul.durand@"})) == ["C002"]
    assert ids(viewer.get(f"{API}/contacts", params={"q": "S001"})) == ["S001"]
    assert ids(viewer.get(f"{API}/contacts", params={"q": "macé"})) == ["S001"]
    assert ids(viewer.get(f"{API}/contacts", params={"q": "nobody"})) == []
    # the wildcards of LIKE are letters like any other (PostgreSQL searches with LIKE)
    assert ids(viewer.get(f"{API}/contacts", params={"q": "paul_durand"})) == []
    assert ids(viewer.get(f"{API}/contacts", params={"q": "%"})) == []
    assert ids(viewer.get(f"{API}/contacts", params={"q": "paul.durand@example"})) == ["C002"]


# names as venues receive them: accented, in capitals, with ligatures, one stored decomposed
# (e + combining acute, as some Mac software writes it), one with an accented id
ACCENTED_CONTACTS = (
    "contact_id,institution_id,first_name,last_name,email\n"
    "A001,LYON,Hélène,Lœvenbruck,h.loevenbruck@example.org\n"
    "A002,LYON,HELENE,STRASSER,\n"
    "A003,LYON,He\u0301lo\u0308ise,Østergård,\n"
    "A004,LYON,Jürgen,Großmann,jurgen@exämple.org\n"
    "É42,LYON,Zoé,Ça,\n"
)


def test_search_whatever_the_accents_ligatures_and_case(venue, client_for, tmp_path, clock):
    folder = tmp_path / "accents"
    folder.mkdir()
    (folder / "contacts.csv").write_text(ACCENTED_CONTACTS, encoding="utf-8")
    assert venue.import_path(folder, now=clock()).status == "succeeded"
    viewer = client_for("viewer", ["THEATRE"])
    search = lambda q: ids(viewer.get(f"{API}/contacts", params={"q": q}))
    # sorted by last name as text: Lœvenbruck before STRASSER
    for q in ("helene", "Hélène", "HÉLÈNE", "hèlêne", "HELENE"):
        assert search(q) == ["A001", "A002"], q
    for q in ("loevenbruck", "LŒVENBRUCK", "lœvenbruck", "Loevenbrück"):
        assert search(q) == ["A001"], q
    assert search("hélène lœv") == ["A001"]
    # stored decomposed, found composed and plain; letters Unicode does not decompose
    for q in ("heloise", "Héloïse", "He\u0301lo\u0308ise", "ostergard", "ØSTERGÅRD"):
        assert search(q) == ["A003"], q
    for q in ("grossmann", "großmann", "GROSSMANN", "jurgen@examp", "JÜRGEN@EXÄMPLE"):
        assert search(q) == ["A004"], q
    assert search("strasse") == ["A002"] and search("straße") == ["A002"]
    assert search("ecole mace") == ["S001"] and search("ÉCOLE") == ["S001"]
    # the id is matched as typed, never folded
    assert search("É42") == ["É42"] and search("e42") == [] and search("a001") == []
    assert search("zoe ca") == ["É42"]
    # LIKE's wildcards and its escape stay letters, accented or not
    for q in ("h_l_ne", "hél%", "%", "_", "\\", "h\\%"):
        assert search(q) == [], q
    # a word of nothing but a combining accent finds nothing (not everything)
    assert search("\u0301") == []


def test_search_pages_and_counts_the_matches(venue, client_for):
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.get(f"{API}/contacts", params={"page_size": 2})
    assert r.json()["total"] == 4 and r.json()["page"] == 1 and r.json()["page_size"] == 2
    # sorted by last name (or structure name), then first name, as text (an accented capital
    # after z): Durand, Martin Claire, Martin Léa, École Jean Macé
    assert ids(r) == ["C002", "C001"]
    assert ids(viewer.get(f"{API}/contacts", params={"page_size": 2, "page": 2})) == [
        "C003", "S001"]
    past = viewer.get(f"{API}/contacts", params={"page_size": 2, "page": 3})
    assert past.json()["total"] == 4 and ids(past) == []
    first = r.json()["items"][0]
    assert first == {"institution_id": "LYON", "contact_id": "C002", "kind": "INDIVIDUAL",
                     "title": "M.", "first_name": "Paul", "last_name": "Durand",
                     "structure_name": None, "email": "paul.durand@example.org",
                     "phone": None, "postal_code": "69007", "city": "Lyon",
                     "parent_contact_id": None}


def test_search_filters(venue, admin_client):
    get = lambda **p: ids(admin_client.get(f"{API}/contacts", params=p))
    assert get(kind="STRUCTURE") == ["S001"]
    assert get(postal_code="69007") == ["C002", "S001"]
    assert get(postal_code="6900") == ["C002", "C001", "C003", "S001"]
    assert get(postal_code="06") == ["C001", "N001"]  # Homonyme, Niçoise (NICE)
    assert get(organisation="FEST") == ["C001", "N001"]
    assert get(organisation="OPERA", q="claire") == ["C001"]
    r = admin_client.get(f"{API}/contacts", params={"organisation": "NOPE"})
    assert r.status_code == 404 and field(r) == "query.organisation"
    r = admin_client.get(f"{API}/contacts", params={"page_size": 500})
    assert r.status_code == 422 and code(r) == "invalid" and field(r) == "query.page_size"


def test_a_user_sees_only_the_contacts_of_its_institutions(venue, client_for):
    theatre = client_for("viewer", ["THEATRE"])
    fest = client_for("viewer", ["FEST"])
    assert ids(theatre.get(f"{API}/contacts", params={"q": "nadia"})) == []
    assert ids(fest.get(f"{API}/contacts")) == ["C001", "N001"]
    # the organisations of one institution share its contacts
    assert ids(client_for("viewer", ["OPERA"]).get(f"{API}/contacts")) == [
        "C002", "C001", "C003", "S001"]
    r = theatre.get(f"{API}/contacts", params={"organisation": "FEST"})
    assert r.status_code == 403 and code(r) == "forbidden"
    assert ids(client_for("admin").get(f"{API}/contacts", params={"q": "claire"})) == [
        "C001", "C001"]


# -- one contact ---------------------------------------------------------------------------

def test_a_contact_with_consents_attributes_and_family_links(venue, client_for):
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.get(f"{API}/contacts/C001")
    assert r.status_code == 200, r.text
    c = r.json()
    assert (c["institution_id"], c["first_name"], c["last_name"]) == ("LYON", "Claire", "Martin")
    assert c["birth_date"] == "1983-02-11" and c["created_at"] == "2019-03-14T10:12:00"
    assert c["consents"] == {"email": "opt_in", "sms": "opt_out", "post": "opt_in"}
    assert c["attributes"] == {"loyalty_card": "GOLD"}
    assert c["parent"] is None
    assert [k["contact_id"] for k in c["children"]] == ["C003"]
    assert c["organisations"] == ["THEATRE"]
    child = viewer.get(f"{API}/contacts/C003").json()
    assert child["parent"]["contact_id"] == "C001" and child["parent"]["first_name"] == "Claire"
    assert child["children"] == [] and child["attributes"] == {}


def test_a_contact_of_another_institution_is_not_found(venue, client_for):
    theatre = client_for("viewer", ["THEATRE"])
    r = theatre.get(f"{API}/contacts/N001")
    assert r.status_code == 404 and code(r) == "not_found" and field(r) == "path.contact_id"
    assert theatre.get(f"{API}/contacts/N001?institution=NICE").status_code == 404
    # FEST sees NICE's C001, not LYON's
    fest = client_for("viewer", ["FEST"]).get(f"{API}/contacts/C001").json()
    assert (fest["last_name"], fest["institution_id"]) == ("Homonyme", "NICE")


def test_an_id_of_two_institutions_needs_the_institution(venue, admin_client):
    r = admin_client.get(f"{API}/contacts/C001")
    assert r.status_code == 409 and code(r) == "conflict" and field(r) == "query.institution"
    assert admin_client.get(f"{API}/contacts/C001?institution=NICE").json()["last_name"] == (
        "Homonyme")


# -- indicators ----------------------------------------------------------------------------

def _by_code(response) -> dict:
    assert response.status_code == 200, response.text
    return {(i["organisation_id"], i["indicator"]): i for i in response.json()}


def test_the_indicators_of_a_contact_in_the_organisations_one_sees(venue, client_for):
    theatre = client_for("viewer", ["THEATRE"])
    got = _by_code(theatre.get(f"{API}/contacts/C001/indicators?lang=en"))
    assert {org for org, _ in got} == {"THEATRE"}
    assert got["THEATRE", "abonne"] == {"organisation_id": "THEATRE", "indicator": "abonne",
                                        "value": True, "level": 1, "label": "Yes"}
    fr = _by_code(theatre.get(f"{API}/contacts/C001/indicators?lang=fr"))
    assert fr["THEATRE", "abonne"]["label"] == "Oui"
    both = _by_code(client_for("viewer", ["THEATRE", "OPERA"]).get(
        f"{API}/contacts/C001/indicators"))
    assert {org for org, _ in both} == {"THEATRE", "OPERA"}
    r = theatre.get(f"{API}/contacts/C001/indicators?organisation=OPERA")
    assert r.status_code == 403 and code(r) == "forbidden"


def test_disabled_indicators_are_left_out(venue, client_for):
    venue.set_indicator_enabled("jeune", False, "LYON")
    got = _by_code(client_for("viewer", ["THEATRE"]).get(f"{API}/contacts/C002/indicators"))
    assert ("THEATRE", "jeune") not in got and ("THEATRE", "abonne") in got
    assert len(got) == 11


# -- writes --------------------------------------------------------------------------------

def test_marketing_creates_a_contact_checked_by_the_import_rules(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    r = marketing.post(f"{API}/contacts", json={
        "contact_id": "C100", "first_name": "Inès", "last_name": "Nouvelle",
        "email": "ines@example.org", "email_opt_in": True, "birth_date": "2001-05-06",
        "country": "fr", "parent_contact_id": "C001", "attributes": {"points": "12"}})
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["institution_id"], c["country"], c["birth_date"]) == ("LYON", "FR", "2001-05-06")
    assert c["consents"] == {"email": "opt_in", "sms": "unknown", "post": "unknown"}
    assert c["attributes"] == {"points": "12"} and c["parent"]["contact_id"] == "C001"
    assert "C100" in ids(marketing.get(f"{API}/contacts", params={"q": "inès"}))
    # its real-time indicators were computed with the write
    got = _by_code(marketing.get(f"{API}/contacts/C100/indicators?lang=en"))
    assert got["THEATRE", "jeune"]["label"] == "Yes"


def test_a_bad_value_names_its_field(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    # ``invalid``: the request does not match the schema; ``rejected``: the import rules
    # refuse the value
    cases = [({"country": "France"}, "rejected", "body.country", "ISO 3166"),
             ({"parent_contact_id": "C404"}, "rejected", "body.parent_contact_id",
              "unknown contact"),
             ({"attributes": {"Email": "x"}}, "rejected", "body.attributes.Email", "email"),
             ({"birth_date": "14/03/2026"}, "invalid", "body.birth_date", "date"),
             ({"birth_date": 20260314}, "invalid", "body.birth_date", "as text"),
             ({"email_opt_in": 1}, "invalid", "body.email_opt_in", "bool"),
             ({"kind": "ROBOT"}, "invalid", "body.kind", ""),
             ({"nickname": "x"}, "invalid", "body.nickname", "")]
    for extra, expected, where, words in cases:
        r = marketing.post(f"{API}/contacts", json={"contact_id": "C101", **extra})
        assert r.status_code == 422, (extra, r.text)
        assert code(r) == expected and field(r) == where, (extra, r.json())
        assert words in r.json()["error"]["message"], r.json()
    assert marketing.get(f"{API}/contacts/C101").status_code == 404


def test_creating_an_existing_contact_is_a_conflict(venue, client_for):
    r = client_for("marketing", ["THEATRE"]).post(f"{API}/contacts", json={"contact_id": "C001"})
    assert r.status_code == 409 and field(r) == "body.contact_id"


def test_who_may_create_where(venue, client_for):
    body = {"contact_id": "C200", "last_name": "Quelqu'un"}
    r = client_for("viewer", ["THEATRE"]).post(f"{API}/contacts", json=body)
    assert r.status_code == 403 and code(r) == "forbidden"
    fest = client_for("marketing", ["FEST"])
    r = fest.post(f"{API}/contacts", json={**body, "institution_id": "LYON"})
    assert r.status_code == 403
    r = fest.post(f"{API}/contacts", json=body)  # its only institution
    assert r.status_code == 201 and r.json()["institution_id"] == "NICE"
    r = client_for("admin").post(f"{API}/contacts", json={**body, "contact_id": "C201"})
    assert r.status_code == 422 and field(r) == "body.institution_id"


def test_update_changes_what_is_sent_and_keeps_the_rest(venue, client_for):
    marketing = client_for("marketing", ["OPERA"])
    r = marketing.patch(f"{API}/contacts/C001", json={
        "email": "claire@example.net", "phone": None, "sms_opt_in": True,
        "attributes": {"loyalty_card": None, "points": "3"}})
    assert r.status_code == 200, r.text
    c = r.json()
    assert (c["email"], c["phone"], c["first_name"]) == ("claire@example.net", None, "Claire")
    assert c["consents"]["sms"] == "opt_in"
    assert c["attributes"] == {"points": "3"}
    assert [k["contact_id"] for k in c["children"]] == ["C003"]
    r = marketing.patch(f"{API}/contacts/C001", json={"email_opt_in": "maybe"})
    assert r.status_code == 422 and field(r) == "body.email_opt_in"


def test_update_permissions(venue, client_for):
    r = client_for("viewer", ["THEATRE"]).patch(f"{API}/contacts/C002", json={"city": "Paris"})
    assert r.status_code == 403
    r = client_for("marketing", ["FEST"]).patch(f"{API}/contacts/C002", json={"city": "Paris"})
    assert r.status_code == 404 and field(r) == "path.contact_id"
    assert client_for("viewer", ["THEATRE"]).get(f"{API}/contacts/C002").json()["city"] == "Lyon"


def test_writes_are_audited(venue, client_for):
    marketing = client_for("marketing", ["THEATRE"])
    marketing.patch(f"{API}/contacts/C002", json={"city": "Villeurbanne"})
    entries = venue.audit.query(action="contact.update").entries
    assert [(e.actor, e.target) for e in entries] == [(marketing.login, "C002")]
