"""The segments pages: the builder's live count, sentence and errors, saving, previewing,
exporting, freezing and deleting, who may do what, and whose segments one sees.

The requests are those the builder's form sends (its fields are ``draft_to_form`` of a draft,
as the browser holds them); every test runs on DuckDB and PostgreSQL (``make_client``)."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from habitue.segments.builder import (
    Draft,
    add_condition,
    draft_to_form,
    empty_draft,
    set_params,
    set_type,
)
from tests.web.conftest import AS_OF, NOW, SECRET_NAME, csrf_of

BUILDER = "/segments/builder"


def two_conditions() -> Draft:
    """Opted in to email, and an individual: C001 and C002 of LYON (C003 never opted in,
    S001 is a structure)."""
    root = set_type(empty_draft(), "n1", "consent")
    root = set_params(root, "n1", channel="email", state="opt_in")
    root, n2 = add_condition(root, "root", "field")
    return set_params(root, n2, field="kind", op="is", value="INDIVIDUAL")


def form(draft: Draft, organisation: str = "THEATRE", **extra: str) -> list[tuple[str, str]]:
    return [("organisation", organisation), *extra.items(), *draft_to_form(draft)]


def grouped(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields as httpx sends them (a name given several times: a list)."""
    out: dict[str, list[str]] = {}
    for name, value in fields:
        out.setdefault(name, []).append(value)
    return out


def htmx(client, path: str, data, **kwargs):
    return client.post(path, data=grouped(data), headers={
        "HX-Request": "true", "X-CSRF-Token": csrf_of(client)}, **kwargs)


def block(pattern: str, page: str, group: int = 0) -> str:
    """The part of ``page`` that ``pattern`` matches (across lines)."""
    return re.search(pattern, page, re.DOTALL).group(group)


def count_of(page: str) -> int | None:
    m = re.search(r'data-count="(\d+)"', page)
    return int(m.group(1)) if m else None


def save(client, draft: Draft, name: str, **extra: str):
    return htmx(client, f"{BUILDER}/save", form(draft, name=name, **extra))


def audit_actions(ws, action: str) -> list:
    return [e for e in ws.audit.query(action=action).entries]


# -- the live count, the sentence, the errors ---------------------------------------------------

def test_the_live_count_and_sentence_of_a_two_condition_tree(make_client):
    marie = make_client("marie", lang="en")
    r = htmx(marie, f"{BUILDER}/status", form(two_conditions()))
    assert r.status_code == 200
    assert count_of(r.text) == 2
    page = html.unescape(r.text)
    assert "Opted in to email, and Contact kind: Individual" in page
    # each rule's own sentence, next to it (out-of-band swaps)
    assert re.search(r'id="say-n2" hx-swap-oob="true">Contact kind: Individual<', page)
    assert re.search(r'id="err-n1"[^>]*hx-swap-oob="true"></p>', page)

    fr = make_client("marie", lang="fr")
    page = html.unescape(htmx(fr, f"{BUILDER}/status", form(two_conditions())).text)
    assert "Accepte les e-mails, et Type de contact\u00a0: Particulier" in page


def test_a_bad_value_is_shown_next_to_its_rule_and_nothing_is_counted(make_client):
    marie = make_client("marie", lang="en")
    root = set_params(two_conditions(), "n2", field="age", op="gte", value="old")
    r = htmx(marie, f"{BUILDER}/status", form(root))
    assert r.status_code == 200 and count_of(r.text) is None
    assert 'data-path="rules[1].gte"' in r.text and 'data-node="n2"' in r.text
    error = re.search(r'id="err-n2"[^>]*>([^<]+)</p>', html.unescape(r.text)).group(1)
    assert "expected a whole number, got 'old'" in error
    assert re.search(r'id="err-n1"[^>]*hx-swap-oob="true"></p>', r.text)  # not the other rule


def test_an_unfinished_rule_says_what_to_choose(make_client):
    victor = make_client("victor", lang="fr")
    root, n3 = add_condition(two_conditions(), "root", "indicator")
    r = htmx(victor, f"{BUILDER}/status", form(root))
    error = re.search(rf'id="err-{n3}"[^>]*>([^<]+)</p>', html.unescape(r.text)).group(1)
    assert error == "choisissez un indicateur"
    assert count_of(r.text) is None


def test_the_buttons_edit_the_tree_and_ask_for_the_status(make_client):
    marie = make_client("marie", lang="en")
    r = htmx(marie, f"{BUILDER}/tree", form(two_conditions(), action="add-group:root"))
    assert r.status_code == 200 and r.headers["HX-Trigger-After-Settle"] == "builder-changed"
    assert 'data-node="n3"' in r.text and 'name="n4.parent" value="n3"' in r.text
    r = htmx(marie, f"{BUILDER}/tree", form(two_conditions(), action="remove:n1"))
    assert 'data-node="n1"' not in r.text and 'data-node="n2"' in r.text
    r = htmx(marie, f"{BUILDER}/tree", form(two_conditions(), action="remove:root"))
    assert r.status_code == 400


def test_picking_another_field_redraws_its_comparison(make_client):
    marie = make_client("marie", lang="en")
    fields = [(k, "age" if k == "n2.field" else v) for k, v in form(two_conditions())]
    r = htmx(marie, f"{BUILDER}/tree", fields)
    ops = block(r'<select id="f-n2-op".*?</select>', r.text)
    assert 'value="between"' in ops and 'value="starts_with"' not in ops
    assert '<input id="f-n2-value" name="n2.value" value=""' in r.text  # "INDIVIDUAL" dropped


def test_the_pickers_offer_the_organisations_own_choices(make_client, web_ws):
    web_ws.create_segment("fest", {"rules": [{"consent": "sms"}]}, now=NOW,
                          organisation="FESTIVAL", name="Festival fans")
    web_ws.create_segment("lyonnais", {"rules": [{"field": "city", "is": "Lyon"}]}, now=NOW,
                          organisation="THEATRE", name="Lyonnais")
    marie = make_client("marie", lang="en")
    root = set_type(empty_draft(), "n1", "segment")
    r = htmx(marie, f"{BUILDER}/tree", form(root))
    segments = block(r'<select id="f-n1-segment".*?</select>', r.text)
    assert "Lyonnais" in segments and "Festival fans" not in segments
    r = htmx(marie, f"{BUILDER}/tree", form(root, key="lyonnais"))  # editing lyonnais
    segments = block(r'<select id="f-n1-segment".*?</select>', r.text)
    assert "Lyonnais" not in segments  # a segment cannot use itself


def test_the_builder_pages_draw_the_saved_rules(make_client, web_ws):
    web_ws.create_segment("regulars", {"rules": [
        {"indicator": "assiduite", "level": {"gte": 1}},
        {"any": [{"field": "city", "is": "Lyon"}, {"consent": "sms"}]}]},
        now=NOW, organisation="THEATRE", name="Regulars")
    marie = make_client("marie", lang="en")
    page = marie.get("/segments/regulars").text
    assert 'name="n1.indicator"' in page and 'name="n2.kind"' in page
    assert re.search(r'<option value="gte" selected>', page)
    assert re.search(r'name="n3.value" value="Lyon"', page)
    assert "Attendance: Occasional or above" in html.unescape(page)  # the status, drawn at once
    new = marie.get("/segments/new").text
    assert 'name="n1.type"' in new and "choose an indicator" in new
    assert marie.get("/segments/nope").status_code == 404


# -- save, preview, export, freeze, delete -------------------------------------------------------

def test_save_creates_then_updates_and_is_audited(make_client, web_ws):
    marie = make_client("marie", lang="en")
    r = save(marie, two_conditions(), "Individuals with email")
    assert r.headers["HX-Redirect"] == "/segments/individuals-with-email?saved=1"
    saved = web_ws.show_segment("individuals-with-email").segment
    assert (saved.organisation_id, saved.created_by) == ("THEATRE", "marie")
    assert saved.definition["rules"] == [
        {"id": "n1", "consent": "email"}, {"id": "n2", "field": "kind", "is": "INDIVIDUAL"}]
    assert "The segment is saved." in marie.get(r.headers["HX-Redirect"]).text

    narrower = set_params(two_conditions(), "n1", state="opt_out")
    r = save(marie, narrower, "Said no to email", key="individuals-with-email")
    assert r.headers["HX-Redirect"] == "/segments/individuals-with-email?saved=1"
    seg = web_ws.show_segment("individuals-with-email").segment
    assert seg.name == "Said no to email" and seg.definition["rules"][0]["state"] == "opt_out"
    assert [e.target for e in audit_actions(web_ws, "segment.create")] == \
        ["individuals-with-email"]
    assert [e.actor for e in audit_actions(web_ws, "segment.update")] == ["marie"]


def test_a_wrong_draft_or_a_taken_key_is_not_saved(make_client, web_ws):
    marie = make_client("marie", lang="en")
    bad = set_params(two_conditions(), "n2", field="age", op="gte", value="old")
    r = save(marie, bad, "Bad")
    assert "HX-Redirect" not in r.headers and 'data-node="n2"' in r.text
    assert save(marie, two_conditions(), "").text.count("Give the segment a name.") == 1
    save(marie, two_conditions(), "Twice")
    r = save(marie, two_conditions(), "Twice")
    assert "HX-Redirect" not in r.headers and "already exists" in r.text
    assert [s.segment.key for s in web_ws.list_segments()] == ["twice"]


def test_preview_lists_the_first_members_with_their_indicators(make_client):
    marie = make_client("marie", lang="en")
    r = htmx(marie, f"{BUILDER}/preview", form(two_conditions()))
    page = html.unescape(r.text)
    assert "2 of 2 members" in page
    assert page.index('href="/contacts/C001"') < page.index('href="/contacts/C002"')
    assert "Claire Martin" in page and "Subscriber" in page


def test_export_downloads_the_members_for_a_purpose_and_is_audited(make_client, web_ws):
    marie = make_client("marie", lang="en")
    save(marie, two_conditions(), "Individuals with email")
    url = "/segments/individuals-with-email/export"
    r = marie.post(url, data={"format": "csv", "purpose": "", "csrf_token": csrf_of(marie)})
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment")
    assert f"individuals-with-email-{AS_OF.isoformat()}.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert [row["contact_id"] for row in rows] == ["C001", "C002"]

    r = marie.post(url, data={"format": "xlsx", "purpose": "email",
                              "csrf_token": csrf_of(marie)})
    assert r.content[:2] == b"PK" and r.headers["X-Habitue-Members"] == "2"
    assert json.loads(r.headers["X-Habitue-Left-Out"]) == {"no_opt_in": 0,
                                                           "unusable_address": 0}
    entries = audit_actions(web_ws, "segment.export")
    assert len(entries) == 2 and entries[0].detail["purpose"] == "email"
    assert {e.target for e in entries} == {"individuals-with-email"}


def test_freeze_makes_a_list_of_todays_members(make_client, web_ws):
    marie = make_client("marie", lang="en")
    save(marie, two_conditions(), "Individuals with email")
    r = marie.post("/segments/individuals-with-email/freeze",
                   data={"name": "January mailing", "csrf_token": csrf_of(marie)},
                   follow_redirects=False)
    assert r.status_code == 303
    (m,) = web_ws.list_marketing_lists()
    assert r.headers["location"] == f"/lists?frozen={m.list_id}"
    assert (m.name, m.member_count, m.as_of, m.created_by) == \
        ("January mailing", 2, AS_OF, "marie")
    assert [e.target for e in audit_actions(web_ws, "list.freeze")] == [str(m.list_id)]


def test_delete_keeps_a_segment_others_use(make_client, web_ws):
    marie = make_client("marie", lang="en")
    save(marie, two_conditions(), "Base")
    root = set_params(set_type(empty_draft(), "n1", "segment"), "n1", segment="base")
    save(marie, root, "Uses base")
    r = marie.post("/segments/base/delete", data={"csrf_token": csrf_of(marie)},
                   follow_redirects=False)
    assert r.status_code == 409
    r = marie.post("/segments/uses-base/delete", data={"csrf_token": csrf_of(marie)},
                   follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/segments")
    assert [s.segment.key for s in web_ws.list_segments()] == ["base"]


def test_the_list_page_and_the_size_history(make_client, web_ws):
    marie = make_client("marie", lang="en")
    save(marie, two_conditions(), "Individuals with email")
    web_ws.compute(as_of=AS_OF, now=NOW)  # records the size of every saved segment
    page = html.unescape(marie.get("/segments").text)
    row = block(r'<tr data-segment="individuals-with-email">.*?</tr>', page)
    assert "Individuals with email" in row and "Opted in to email" in row
    assert re.search(r'<td class="num">2<br>', row)
    page = marie.get("/segments/individuals-with-email").text
    options = json.loads(block(
        r'<script type="application/json" id="segment-history">(.*?)</script>', page, 1))
    assert options["series"][0]["data"] == [2]
    assert options["xAxis"]["data"] == [AS_OF.isoformat()]


# -- who may do what, and whose segments one sees -----------------------------------------------

def test_a_viewer_builds_and_counts_but_cannot_change_anything(make_client, web_ws):
    web_ws.create_segment("theatre", {"rules": [{"consent": "email"}]}, now=NOW,
                          organisation="THEATRE", name="Theatre")
    victor = make_client("victor", lang="en")
    assert count_of(htmx(victor, f"{BUILDER}/status", form(two_conditions())).text) == 2
    page = victor.get("/segments/theatre").text
    assert 'data-testid="save-segment"' not in page and "export-form" not in page
    assert save(victor, two_conditions(), "Mine").status_code == 403
    token = csrf_of(victor)
    for action, data in (("export", {"format": "csv"}), ("freeze", {"name": "L"}),
                         ("delete", {})):
        r = victor.post(f"/segments/theatre/{action}", data={**data, "csrf_token": token})
        assert r.status_code == 403, action
    assert [s.segment.key for s in web_ws.list_segments()] == ["theatre"]
    assert web_ws.list_marketing_lists() == []
    assert 'data-testid="new-segment"' not in victor.get("/segments").text


def test_one_sees_only_the_segments_of_ones_organisations(make_client, web_ws):
    web_ws.create_segment("secret", {"rules": [{"field": "city", "is": SECRET_NAME}]},
                          now=NOW, organisation="FESTIVAL", name="Festival secret")
    web_ws.create_segment("theatre", {"rules": [{"consent": "email"}]}, now=NOW,
                          organisation="THEATRE", name="Theatre")
    marie, felix = make_client("marie", lang="en"), make_client("felix", lang="en")
    listing = marie.get("/segments").text
    assert "Theatre" in listing and "Festival secret" not in listing
    assert SECRET_NAME not in listing
    assert marie.get("/segments/secret").status_code == 404
    r = marie.post("/segments/secret/export", data={"csrf_token": csrf_of(marie)})
    assert r.status_code == 404
    assert htmx(marie, f"{BUILDER}/status", form(two_conditions(), "FESTIVAL")).status_code \
        == 403
    assert "Theatre" not in felix.get("/segments").text
    assert save(felix, two_conditions(), "Not mine").status_code == 403
    admin = make_client("admin", lang="en")
    assert "Festival secret" in admin.get("/segments").text


@pytest.mark.parametrize("path", ["status", "tree", "preview", "save"])
def test_the_builders_requests_need_the_csrf_token(make_client, path):
    marie = make_client("marie", lang="en")
    r = marie.post(f"{BUILDER}/{path}", data=grouped(form(two_conditions(), name="x")),
                   headers={"HX-Request": "true"})
    assert r.status_code == 403


def test_a_form_that_does_not_carry_a_segment_is_a_bad_request(make_client):
    marie = make_client("marie", lang="en")
    r = htmx(marie, f"{BUILDER}/status", [("organisation", "THEATRE"), ("nodes", "n1")])
    assert r.status_code == 400
    admin = make_client("admin", lang="en")  # sees every organisation, but this one is none
    assert htmx(admin, f"{BUILDER}/status", form(two_conditions(), "")).status_code == 400
