"""Every page renders in French and English, with what each role may see and do."""

from __future__ import annotations

import json
import re

import pytest

from tests.web.conftest import AS_OF, NOW

PAGES = ["/", "/contacts", "/contacts?q=martin", "/contacts/LYON/C001", "/lists", "/imports",
         "/settings", "/settings/users"]


def text_of(html: str) -> str:
    """The page's visible text, roughly (tags removed, spaces collapsed)."""
    html = re.sub(r"<(script|svg)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang, words", [
    ("fr", ["Tableau de bord", "Contacts par niveau", "Imports récents"]),
    ("en", ["Dashboard", "Contacts by level", "Recent imports"]),
])
def test_every_page_renders_in_both_languages(make_client, lang, words):
    client = make_client("admin", lang=lang)
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert f'<html lang="{lang}">' in r.text
    dashboard = text_of(client.get("/").text)
    for w in words:
        assert w in dashboard


def test_dashboard_charts_one_per_enabled_indicator(make_client, web_ws):
    client = make_client("marie")
    html = client.get("/").text
    assert html.count('data-chart="chart-') == 12
    options = re.search(r'<script type="application/json" id="chart-abonne">(.*?)</script>',
                        html, flags=re.DOTALL).group(1)
    assert '"Oui"' in options and '"Non"' in options  # French labels by default
    web_ws.set_indicator_enabled("abonne", False, "LYON")
    html = client.get("/").text
    assert 'id="chart-abonne"' not in html and html.count('data-chart="chart-') == 11


def test_dashboard_counts_contacts_by_level_per_organisation(make_client):
    html = make_client("marie").get("/").text
    options = json.loads(re.search(
        r'<script type="application/json" id="chart-abonne">(.*?)</script>', html,
        flags=re.DOTALL).group(1))
    assert options["xAxis"]["data"] == ["Non", "Oui"]
    assert {s["name"]: s["data"] for s in options["series"]} == {
        "Opéra de Lyon": [4, 0], "Théâtre des Célestins": [3, 1]}
    viewer = make_client("victor").get("/").text  # THEATRE only: bars coloured by level
    options = json.loads(re.search(
        r'<script type="application/json" id="chart-abonne">(.*?)</script>', viewer,
        flags=re.DOTALL).group(1))
    assert [d["value"] for d in options["series"][0]["data"]] == [3, 1]


def test_dashboard_shows_segment_sizes_over_time(make_client, web_ws):
    web_ws.create_segment("abonnes", {"rules": [{"indicator": "abonne", "level": "Oui"}]},
                          now=NOW, organisation="THEATRE", name="Abonnés du théâtre")
    web_ws.compute(as_of=AS_OF, now=NOW)  # a batch records the size of every saved segment
    html = make_client("marie").get("/").text
    assert 'id="chart-segments"' in html and "Abonnés du théâtre" in html
    assert "Abonnés du théâtre" not in make_client("felix").get("/").text


def test_dashboard_counts_contacts_of_the_organisations_seen(make_client):
    # LYON has 4 contacts, each with indicators in THEATRE and OPERA; FESTIVAL 1
    marie = text_of(make_client("marie", lang="en").get("/").text)
    assert "Théâtre des Célestins — 4 contacts" in marie
    assert "Festival" not in marie
    admin = text_of(make_client("admin", lang="en").get("/").text)
    assert "Festival d'ailleurs — 1 contacts" in admin or "Festival d&#39;ailleurs" in admin


def test_search_by_name_email_and_id(make_client):
    client = make_client("marie", lang="en")
    assert "2 contacts found" in text_of(client.get("/contacts?q=martin").text)
    r = text_of(client.get("/contacts?q=paul.durand@example").text)
    assert "1 contact found" in r and "Paul Durand" in r
    assert "S001" in text_of(client.get("/contacts?q=S001").text)
    r = text_of(client.get("/contacts?kind=STRUCTURE").text)
    assert "École Jean Macé" in r and "Claire" not in r


def test_search_whatever_the_accents_and_the_case(make_client):
    client = make_client("marie", lang="en")
    r = text_of(client.get("/contacts?q=LEA").text)
    assert "1 contact found" in r and "Léa Martin" in r
    r = text_of(client.get("/contacts?q=ecole+MACÈ").text)
    assert "1 contact found" in r and "École Jean Macé" in r


def test_search_answers_htmx_with_the_results_only(make_client):
    r = make_client("marie").get("/contacts?q=martin",
                                 headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in r.text and 'data-testid="contact-results"' in r.text
    assert "app;dur=" in r.headers["server-timing"]


def test_contact_card_shows_pictograms_with_labels_of_the_busiest_organisation(make_client):
    html = make_client("marie").get("/contacts/LYON/C001").text
    labels = dict(re.findall(
        r'data-indicator="(\w+)" data-level="\d+">.*?data-testid="pictogram-label">([^<]+)<',
        html, flags=re.DOTALL))
    assert labels["abonne"] == "Oui"  # THEATRE: subscriber this season
    assert labels["pmg_n"] == "Grand"
    assert labels["influence_sociale"] == "Influenceur clé"
    assert 'class="pictogram tone-3" data-indicator="abonne"' in html
    en = make_client("marie", lang="en").get("/contacts/LYON/C001?org=OPERA").text
    assert 'data-indicator="abonne" data-level="0"' in en
    assert 'data-testid="pictogram-label">No<' in en


def test_contact_card_identity_consents_links_and_timeline(make_client):
    client = make_client("marie", lang="en")
    card = client.get("/contacts/LYON/C001").text
    assert 'hx-get="/contacts/LYON/C001/timeline?page=1" hx-trigger="load"' in card
    page = text_of(client.get("/contacts/LYON/C001?tpage=1").text)  # inline, without JS
    assert "claire.martin@example.org" in page
    assert "Email yes SMS no Post yes" in page
    assert "Léa Martin" in page  # C003 is attached to C001
    assert "Order O-1001" in page and "Order O-1002" in page
    assert "Scanned at the door" in page
    child = text_of(make_client("marie", lang="en").get("/contacts/LYON/C003").text)
    assert "Attached to Mme Claire Martin" in child


def test_timeline_pages_through_htmx(make_client):
    client = make_client("marie", lang="en")
    r = client.get("/contacts/LYON/C001/timeline?page=1", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and 'data-kind="order"' in r.text
    r = client.get("/contacts/LYON/C001/timeline?page=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?tpage=1")


def test_explain_fragment_says_why(make_client):
    r = make_client("marie", lang="en").get("/contacts/LYON/C001/explain/abonne?org=THEATRE",
                                            headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "subscription" in r.text and "Yes" in r.text


def test_unknown_contact_is_a_404_page(make_client):
    client = make_client("marie")
    assert client.get("/contacts/LYON/NOPE").status_code == 404
    assert client.get("/contacts/LYON/C001/explain/nope?org=THEATRE").status_code == 404
