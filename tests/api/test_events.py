"""POST /api/v1/events: ticketing events stored with the import's rules, the real-time
indicators of the contacts concerned changed in the same response, idempotency by event id,
permissions, and errors naming the field."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from habitue.storage import schema
from tests.api.conftest import API

URL = f"{API}/events"


def order(event_id: str = "e1", *, org: str = "THEATRE", buyer: str = "C002",
          performance: str = "PF-CYR-2", line_id: str = "L-90", **fields) -> dict:
    return {"id": event_id, "type": "order", "organisation_id": org,
            "occurred_at": "2026-01-15T09:00:00+01:00", "order_id": f"O-{line_id}",
            "buyer_contact_id": buyer, "created_at": "2026-01-15T09:00:00+01:00",
            "channel": "internet",
            "lines": [{"line_id": line_id, "product_id": "P-CYRANO",
                       "performance_id": performance, "amount": "30,00", "status": "PAID"}],
            **fields}


def status(event_id: str, line_id: str, value: str, at: str = "2026-01-15T09:30:00+01:00",
           org: str = "THEATRE") -> dict:
    return {"id": event_id, "type": "line_status", "organisation_id": org,
            "occurred_at": at, "line_id": line_id, "status": value}


def levels(body: dict, contact: str, org: str = "THEATRE") -> dict[str, tuple]:
    """indicator -> (value, level, label, previous_level) of one contact in the response."""
    [found] = [c for c in body["contacts"]
               if c["contact_id"] == contact and c["organisation_id"] == org]
    return {i["indicator"]: (i["value"], i["level"], i["label"], i["previous_level"])
            for i in found["indicators"]}


def stored(workspace, table, **where) -> dict | None:
    with workspace.store.connect() as conn:
        row = conn.execute(sa.select(table).where(
            *(table.c[k] == v for k, v in where.items()))).mappings().first()
    return dict(row) if row else None


def test_an_order_moves_the_buyers_realtime_indicators_in_the_same_response(
        example_workspace, client_for):
    client = client_for("marketing", ["THEATRE"])
    response = client.post(URL, json=order())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["events"] == [{
        "id": "e1", "type": "order", "organisation_id": "THEATRE", "duplicate": False,
        "outcome": "inserted",
        "records": [{"entity": "orders", "id": "O-L-90", "outcome": "inserted"},
                    {"entity": "order_lines", "id": "L-90", "outcome": "inserted"}]}]
    c002 = levels(body, "C002")
    assert c002["assiduite"] == (1, 1, "Occasionnel", 0)
    assert c002["recence"] == ("2025-10-04", 3, "Il y a moins d'une année", 0)
    assert set(c002) == {"assiduite", "produit_enfant", "adherent", "recence", "abonne",
                         "anciennete", "jeune"}  # the real-time ones
    # a user of the theatre does not see the opera's indicators of the same contact
    assert {c["organisation_id"] for c in body["contacts"]} == {"THEATRE"}
    line = stored(example_workspace, schema.order_lines, organisation_id="THEATRE",
                  line_id="L-90")
    assert (line["amount"], line["last_status"]) == (30, "PAID")
    # what the response says is what is stored
    rows = {r.indicator: r.level for r in example_workspace.indicator_rows(
        organisation="THEATRE", contact="C002")}
    assert rows["assiduite"] == 1 and rows["recence"] == 3


def test_a_refund_or_a_cancellation_moves_them_back(example_workspace, client_for):
    client = client_for("marketing", ["THEATRE"])
    assert client.post(URL, json=order()).status_code == 200
    refunded = client.post(URL, json=status("e2", "L-90", "refunded"))
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["events"][0]["outcome"] == "updated"
    assert levels(refunded.json(), "C002")["assiduite"] == (0, 0, "Inactif", 1)
    assert levels(refunded.json(), "C002")["recence"][1:] == (0, "Aucune commande", 3)
    assert client.post(URL, json=order("e3", line_id="L-91")).status_code == 200
    cancelled = client.post(URL, json={"events": [status("e4", "L-91", "CANCELLED")]})
    assert levels(cancelled.json(), "C002")["assiduite"][1] == 0
    with example_workspace.store.connect() as conn:
        history = conn.execute(sa.select(schema.order_line_statuses.c.status).where(
            schema.order_line_statuses.c.line_id == "L-90").order_by(
            schema.order_line_statuses.c.status_at)).scalars().all()
    assert history == ["PAID", "REFUNDED"]


def test_the_same_event_twice_changes_nothing_and_says_so(example_workspace, client_for):
    client = client_for("marketing", ["THEATRE"])
    first = client.post(URL, json={"events": [order(), status("e2", "L-90", "REFUNDED")]})
    assert first.status_code == 200
    again = client.post(URL, json={"events": [order(), status("e2", "L-90", "REFUNDED")]})
    assert again.status_code == 200
    assert [(e["duplicate"], e["outcome"]) for e in again.json()["events"]] == \
        [(True, "unchanged"), (True, "unchanged")]
    assert again.json()["run_id"] is None and again.json()["contacts"] == []
    # the same id with other content is a conflict, and nothing of the call is stored
    other = order(buyer="C001")
    conflict = client.post(URL, json={"events": [order("e5", line_id="L-95"), other]})
    assert conflict.status_code == 409
    assert conflict.json()["error"]["field"] == "body.events[1].id"
    assert stored(example_workspace, schema.order_lines, organisation_id="THEATRE",
                  line_id="L-95") is None


def test_a_door_scan(example_workspace, client_for):
    client = client_for("marketing", ["THEATRE"])
    response = client.post(URL, json={"id": "s1", "type": "door_scan",
                                      "organisation_id": "THEATRE",
                                      "occurred_at": "2025-10-04T20:10:00+02:00",
                                      "line_id": "L-5"})
    assert response.status_code == 200, response.text
    assert response.json()["events"][0]["outcome"] == "updated"
    line = stored(example_workspace, schema.order_lines, organisation_id="THEATRE",
                  line_id="L-5")
    assert (line["scanned_at"], line["last_status"]) == (datetime(2025, 10, 4, 20, 10),
                                                        "RESERVED")
    # the school that holds the line: its indicators come back (a scan changes none of them)
    school = levels(response.json(), "S001")
    assert all(level == previous for _, level, _, previous in school.values())


def test_a_share_and_its_visit_are_counted_at_the_next_daily_refresh(
        example_workspace, client_for, clock):
    """engagement_social and influence_sociale are refreshed daily, not in real time: the
    response does not show them, the next daily refresh counts the share and its visits."""
    client = client_for("marketing", ["THEATRE"])
    shared = {"id": "h1", "type": "social_share", "organisation_id": "THEATRE",
              "occurred_at": "2026-01-15T09:00:00+01:00", "share_id": "SH-9",
              "contact_id": "C002", "network": "instagram"}
    visits = [{"id": f"v{k}", "type": "share_visit", "organisation_id": "THEATRE",
               "occurred_at": "2026-01-15T09:30:00+01:00", "visit_id": f"V-9{k}",
               "share_id": "SH-9"} for k in range(3)]
    response = client.post(URL, json={"events": [*visits, shared]})  # visits first: fine
    assert response.status_code == 200, response.text
    assert [e["outcome"] for e in response.json()["events"]] == ["inserted"] * 4
    assert "engagement_social" not in levels(response.json(), "C002")
    assert stored(example_workspace, schema.share_visits, organisation_id="THEATRE",
                  visit_id="V-92")["visited_at"] == datetime(2026, 1, 15, 9, 30)
    example_workspace.refresh(cadence="daily", as_of=date(2026, 1, 15), now=clock())
    rows = {r.indicator: r for r in example_workspace.indicator_rows(
        organisation="THEATRE", contact="C002")}
    assert rows["engagement_social"].value == 1 and rows["engagement_social"].level > 0
    assert rows["influence_sociale"].value == 3 and rows["influence_sociale"].level > 0


def test_labels_in_english_and_an_administrator_sees_every_organisation(
        example_workspace, client_for):
    response = client_for("admin").post(f"{URL}?lang=en", json=order())
    assert response.status_code == 200
    assert levels(response.json(), "C002")["assiduite"][2] == "Occasional"
    assert levels(response.json(), "C002", "OPERA")["assiduite"][3] == 1


def test_who_may_post_events(example_workspace, client_for, anonymous):
    assert anonymous.post(URL, json=order()).status_code == 401
    viewer = client_for("viewer", ["THEATRE"])
    denied = viewer.post(URL, json=order())
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"
    theatre = client_for("marketing", ["THEATRE"])
    assert theatre.post(URL, json=order(org="OPERA")).status_code == 403
    mixed = theatre.post(URL, json={"events": [order(), order("e2", org="OPERA",
                                                              line_id="L-91")]})
    assert mixed.status_code == 403
    assert stored(example_workspace, schema.order_lines, organisation_id="THEATRE",
                  line_id="L-90") is None
    assert client_for("admin", ["OPERA"]).post(URL, json=order()).status_code == 403


def test_a_malformed_event_gets_422_with_its_field(example_workspace, client_for):
    client = client_for("marketing", ["THEATRE"])

    def error(body) -> dict:
        response = client.post(URL, json=body)
        assert response.status_code == 422, response.text
        return response.json()["error"]

    # shape (Pydantic)
    missing = order()
    del missing["buyer_contact_id"]
    assert error(missing)["field"] == "body.buyer_contact_id"
    assert error({"events": [order(), {**order("e2"), "lines": [{"line_id": "L"}]}]})[
        "field"] == "body.events[1].lines[0].product_id"
    assert error({**order(), "type": "refund"})["field"] == "body.type"
    assert error({"events": [{**order(), "type": "refund"}]})["field"] == \
        "body.events[0].type"
    assert error({"events": []})["field"] == "body.events"
    assert error({**order(), "colour": "red"})["field"] == "body.colour"
    # content (the import's rules), with the import's words
    bad_status = order()
    bad_status["lines"][0]["status"] = "PAYED"
    found = error({"events": [status("e0", "L-5", "PAID"), bad_status]})
    assert found["field"] == "body.events[1].lines[0].status"
    assert found["message"] == \
        "status: 'PAYED' is not one of RESERVED, PAID, CANCELLED, REFUNDED"
    assert error(order(buyer="C404")) == {
        "code": "rejected", "message": "unknown contact 'C404'",
        "field": "body.buyer_contact_id"}
    assert error(status("e9", "L-NONE", "PAID"))["message"] == \
        "unknown order line 'L-NONE'"
    assert error({**order(), "created_at": "2026-13-45"})["field"] == "body.created_at"
    # nothing of a rejected call is stored, not even its valid events
    assert stored(example_workspace, schema.order_lines, organisation_id="THEATRE",
                  line_id="L-5")["last_status"] == "RESERVED"
