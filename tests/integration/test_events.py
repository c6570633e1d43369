"""Events and records given in memory (services.events, services.records): stored with the
importer's rules, in order, all or nothing, idempotent by event id, and the real-time
indicators of the contacts concerned refreshed in the same transaction."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from habitue.generator import generate_venue
from habitue.importers.records import Record, RecordsRejected
from habitue.services.events import Event, EventConflict, EventsRejected, ingest_events
from habitue.services.indicators import codes_for, compute_indicators
from habitue.services.records import ingest_records
from habitue.services.workspace import Workspace
from habitue.storage import schema
from habitue.storage.event_schema import ingested_events

NOW = datetime(2026, 1, 15, 10, 0)
PARIS_WINTER = timezone(timedelta(hours=1))


@pytest.fixture
def venue(store, example_dir):
    result = Workspace(store).import_path(example_dir, now=NOW)
    assert result.status == "succeeded", result.error
    return store


def order(event_id: str, order_id: str, buyer: str, *lines: dict, **fields) -> Event:
    data = {"order_id": order_id, "buyer_contact_id": buyer, "created_at": "2026-01-15 09:00",
            "channel": "INTERNET", **fields, "lines": list(lines)}
    return Event(event_id, "order", "THEATRE", datetime(2026, 1, 15, 9, 0), data)


def line(line_id: str, performance: str = "PF-CYR-2", product: str = "P-CYRANO",
         status: str = "PAID", **fields) -> dict:
    return {"line_id": line_id, "product_id": product, "performance_id": performance,
            "amount": "30.00", "status": status, **fields}


def status(event_id: str, line_id: str, value: str, at: datetime, **fields) -> Event:
    return Event(event_id, "line_status", "THEATRE", at, {"line_id": line_id, "status": value,
                                                         **fields})


def _one(store, table, **where):
    with store.connect() as conn:
        rows = conn.execute(sa.select(table).where(
            *(table.c[k] == v for k, v in where.items()))).mappings().all()
    assert len(rows) <= 1
    return dict(rows[0]) if rows else None


def _statuses(store, line_id: str) -> list[tuple[str, datetime]]:
    h = schema.order_line_statuses
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(h.c.status, h.c.status_at).where(h.c.organisation_id == "THEATRE",
                                                       h.c.line_id == line_id)
            .order_by(h.c.status_at, h.c.seq))]


def _count(store, table) -> int:
    with store.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def _levels(result, contact: str, org: str = "THEATRE") -> dict[str, int]:
    return {i.indicator: i.level for i in result.indicators
            if i.contact_id == contact and i.organisation_id == org}


def test_an_order_event_is_stored_and_moves_the_buyers_indicators_at_once(venue):
    result = ingest_events(venue, [order("e1", "O-9", "C002", line("L-90"), line("L-91"))],
                           now=NOW)
    [outcome] = result.events
    assert (outcome.duplicate, outcome.outcome) == (False, "inserted")
    assert outcome.records == [("orders", "O-9", "inserted"), ("order_lines", "L-90", "inserted"),
                               ("order_lines", "L-91", "inserted")]
    assert _one(venue, schema.orders, organisation_id="THEATRE", order_id="O-9")["channel"] \
        == "INTERNET"
    assert _statuses(venue, "L-90") == [("PAID", datetime(2026, 1, 15, 9, 0))]  # created_at
    assert result.touched == [("LYON", "C002")]
    # C002 had no ticket at the theatre: now one performance this season, last one in October
    levels = _levels(result, "C002")
    assert levels["assiduite"] == 1 and levels["recence"] == 3
    previous = {i.indicator: i.previous_level for i in result.indicators
                if i.contact_id == "C002" and i.organisation_id == "THEATRE"}
    assert previous["assiduite"] == 0 and previous["recence"] == 0
    # the values are those stored (what segments and the contact card read)
    stored = _one(venue, schema.contact_indicators, organisation_id="THEATRE",
                  contact_id="C002")
    assert (stored["assiduite"], stored["assiduite_level"]) == (1, 1)
    assert stored["recence"] == date(2025, 10, 4)
    # only the real-time indicators are in the result; the opera's are there too (same
    # institution), unchanged
    assert {i.indicator for i in result.indicators} == set(codes_for("realtime"))
    assert _levels(result, "C002", "OPERA")["assiduite"] == 1


def test_the_same_event_twice_changes_nothing_and_says_so(venue):
    events = [order("e1", "O-9", "C002", line("L-90")),
              status("e2", "L-90", "REFUNDED", datetime(2026, 1, 15, 9, 30))]
    first = ingest_events(venue, events, now=NOW)
    assert [o.outcome for o in first.events] == ["inserted", "updated"]
    runs = _count(venue, schema.import_runs)
    with venue.connect() as conn:
        before = {t.name: sorted(map(tuple, conn.execute(sa.select(t))), key=repr)
                  for t in (schema.orders, schema.order_lines, schema.order_line_statuses,
                            ingested_events)}
    again = ingest_events(venue, events, now=NOW + timedelta(minutes=5))
    assert [(o.id, o.duplicate, o.outcome) for o in again.events] == [
        ("e1", True, "unchanged"), ("e2", True, "unchanged")]
    assert again.run_id is None and again.touched == []
    assert _count(venue, schema.import_runs) == runs
    with venue.connect() as conn:
        after = {t.name: sorted(map(tuple, conn.execute(sa.select(t))), key=repr)
                 for t in (schema.orders, schema.order_lines, schema.order_line_statuses,
                           ingested_events)}
    assert after == before


def test_an_old_event_sent_again_does_not_undo_a_newer_one(venue):
    ingest_events(venue, [order("e1", "O-9", "C002", line("L-90"), origin="mail")], now=NOW)
    ingest_events(venue, [order("e2", "O-9", "C002", line("L-90"), origin="web")], now=NOW)
    result = ingest_events(venue, [order("e1", "O-9", "C002", line("L-90"), origin="mail")],
                           now=NOW)
    assert result.events[0].duplicate
    assert _one(venue, schema.orders, organisation_id="THEATRE", order_id="O-9")["origin"] \
        == "web"


def test_an_id_sent_again_with_other_content_is_a_conflict(venue):
    ingest_events(venue, [order("e1", "O-9", "C002", line("L-90"))], now=NOW)
    with pytest.raises(EventConflict) as caught:
        ingest_events(venue, [order("e3", "O-10", "C001", line("L-95")),
                              order("e1", "O-9", "C001", line("L-90"))], now=NOW)
    [reject] = caught.value.rejects
    assert (reject.index, reject.field) == (1, "id")
    assert _one(venue, schema.orders, organisation_id="THEATRE", order_id="O-10") is None
    # one id in one call twice with other content, too
    with pytest.raises(EventConflict):
        ingest_events(venue, [status("e4", "L-90", "REFUNDED", NOW),
                              status("e4", "L-90", "CANCELLED", NOW)], now=NOW)
    assert _statuses(venue, "L-90") == [("PAID", datetime(2026, 1, 15, 9, 0))]


def test_status_changes_are_appended_to_the_history_and_move_indicators_back(venue):
    ingest_events(venue, [order("e1", "O-9", "C002", line("L-90"))], now=NOW)
    refunded = ingest_events(
        venue, [status("e2", "L-90", "REFUNDED", datetime(2026, 1, 15, 9, 30))], now=NOW)
    assert refunded.events[0].outcome == "updated"
    assert _levels(refunded, "C002")["assiduite"] == 0  # back to what it was
    assert _levels(refunded, "C002")["recence"] == 0
    # status_at defaults to occurred_at, an instant converted to the organisation's time
    paid = ingest_events(venue, [status("e3", "L-90", "PAID",
                                        datetime(2026, 1, 15, 10, 0, tzinfo=PARIS_WINTER))],
                         now=NOW)
    assert _levels(paid, "C002")["assiduite"] == 1
    assert _statuses(venue, "L-90") == [("PAID", datetime(2026, 1, 15, 9, 0)),
                                        ("REFUNDED", datetime(2026, 1, 15, 9, 30)),
                                        ("PAID", datetime(2026, 1, 15, 10, 0))]
    stored = _one(venue, schema.order_lines, organisation_id="THEATRE", line_id="L-90")
    assert (stored["last_status"], stored["amount"]) == ("PAID", Decimal("30.00"))
    # an older status arriving late goes in its place in the history
    ingest_events(venue, [status("e4", "L-90", "RESERVED", datetime(2026, 1, 15, 8, 0))],
                  now=NOW)
    assert _statuses(venue, "L-90")[0] == ("RESERVED", datetime(2026, 1, 15, 8, 0))
    assert _one(venue, schema.order_lines, line_id="L-90",
                organisation_id="THEATRE")["last_status"] == "PAID"


def test_a_door_scan_sets_scanned_at_and_keeps_the_line_and_its_history(venue):
    before = _one(venue, schema.order_lines, organisation_id="THEATRE", line_id="L-5")
    history = _statuses(venue, "L-5")
    result = ingest_events(venue, [Event("s1", "door_scan", "THEATRE",
                                         datetime(2025, 10, 4, 20, 10), {"line_id": "L-5"})],
                           now=NOW)
    assert result.events[0].outcome == "updated"
    after = _one(venue, schema.order_lines, organisation_id="THEATRE", line_id="L-5")
    assert after["scanned_at"] == datetime(2025, 10, 4, 20, 10)
    assert {k: v for k, v in after.items() if k not in ("scanned_at", "import_run_id")} == \
        {k: v for k, v in before.items() if k not in ("scanned_at", "import_run_id")}
    assert _statuses(venue, "L-5") == history
    assert result.touched == [("LYON", "S001")]


def test_a_batch_is_applied_in_order_with_forward_references(venue):
    """A visit before its share, a share of an order that comes later, a status change and a
    scan of a line created earlier in the same call: all in one transaction."""
    at = datetime(2026, 1, 15, 9, 0)
    result = ingest_events(venue, [
        Event("v1", "share_visit", "THEATRE", at, {"visit_id": "V-9", "share_id": "SH-9"}),
        Event("h1", "social_share", "THEATRE", at, {"share_id": "SH-9", "contact_id": "C002",
                                                     "order_id": "O-9", "network": "x"}),
        order("o1", "O-9", "C002", line("L-90"), line("L-91")),
        status("s1", "L-90", "CANCELLED", datetime(2026, 1, 15, 9, 5)),
        Event("d1", "door_scan", "THEATRE", at, {"line_id": "L-91",
                                                 "scanned_at": "2026-01-15 20:25"}),
        status("s2", "L-90", "PAID", datetime(2026, 1, 15, 9, 10)),
    ], now=NOW)
    assert [o.outcome for o in result.events] == ["inserted", "inserted", "inserted",
                                                  "updated", "updated", "updated"]
    assert _statuses(venue, "L-90") == [("PAID", datetime(2026, 1, 15, 9, 0)),
                                        ("CANCELLED", datetime(2026, 1, 15, 9, 5)),
                                        ("PAID", datetime(2026, 1, 15, 9, 10))]
    assert _one(venue, schema.order_lines, organisation_id="THEATRE",
                line_id="L-91")["scanned_at"] == datetime(2026, 1, 15, 20, 25)
    assert _one(venue, schema.share_visits, organisation_id="THEATRE", visit_id="V-9")
    assert _levels(result, "C002")["assiduite"] == 1


def test_a_rejected_event_rejects_the_whole_call_with_its_index_and_field(venue):
    runs = _count(venue, schema.import_runs)
    events = [
        order("e1", "O-9", "C002", line("L-90")),
        order("e2", "O-10", "C404", line("L-95"), line("L-96", status="PAYED")),
        Event("e3", "door_scan", "THEATRE", NOW, {"line_id": "L-NONE"}),
        status("e4", "L-5", "REFUNDED", NOW, status_at="31/02/2026"),
    ]
    with pytest.raises(EventsRejected) as caught:
        ingest_events(venue, events, now=NOW)
    found = {(r.index, r.field): r.reason for r in caught.value.rejects}
    assert found == {
        (1, "buyer_contact_id"): "unknown contact 'C404'",
        (1, "lines[1].status"): "status: 'PAYED' is not one of RESERVED, PAID, CANCELLED, "
                                "REFUNDED",
        (2, "line_id"): "unknown order line 'L-NONE'",
        (3, "status_at"): "status_at: '31/02/2026' is not a date-time (expected ISO 8601 "
                          "such as 2026-03-14T20:30:00+01:00, 2026-03-14 20:30 or "
                          "14/03/2026 20:30)",
    }
    # nothing at all was stored: not the valid first event, not a run, not the log
    assert _one(venue, schema.orders, organisation_id="THEATRE", order_id="O-9") is None
    assert _count(venue, schema.import_runs) == runs
    assert _count(venue, ingested_events) == 0


def test_a_bad_custom_attribute_or_organisation_names_its_field(venue):
    bad_attr = order("e1", "O-9", "C002", line("L-90", attributes={"Status": "x"}))
    with pytest.raises(EventsRejected) as caught:
        ingest_events(venue, [bad_attr], now=NOW)
    assert [(r.index, r.field) for r in caught.value.rejects] == \
        [(0, "lines[0].attributes.Status")]
    elsewhere = Event("e2", "social_share", "NOWHERE", NOW, {"share_id": "S", "contact_id": "C1"})
    with pytest.raises(EventsRejected) as caught:
        ingest_events(venue, [elsewhere], now=NOW)
    assert ("organisation_id", "unknown organisation 'NOWHERE'") in \
        {(r.field, r.reason) for r in caught.value.rejects}


def test_custom_attributes_of_an_event_are_kept(venue):
    ingest_events(venue, [order("e1", "O-9", "C002", line("L-90", attributes={"seat": "B12"}),
                                attributes={"campaign": "noel"})], now=NOW)
    assert _one(venue, schema.orders, organisation_id="THEATRE",
                order_id="O-9")["attributes"] in ({"campaign": "noel"}, '{"campaign":"noel"}')


def test_records_keep_what_they_leave_out_and_clear_what_is_none(venue):
    result = ingest_records(venue, [
        Record("contacts", {"contact_id": "C002", "institution_id": "LYON",
                            "email": "paul@example.org", "loyalty": "silver"}),
        Record("contacts", {"contact_id": "C009", "institution_id": "LYON",
                            "first_name": "Ana", "birth_date": date(2001, 5, 4)}),
        Record("contacts", {"contact_id": "C002", "institution_id": "LYON", "phone": None}),
    ], now=NOW)
    assert result.actions == ["updated", "inserted", "unchanged"]
    paul = _one(venue, schema.contacts, institution_id="LYON", contact_id="C002")
    assert (paul["email"], paul["first_name"], paul["birth_date"]) == \
        ("paul@example.org", "Paul", date(1999, 7, 30))
    ana = _one(venue, schema.contacts, institution_id="LYON", contact_id="C009")
    assert (ana["first_name"], ana["kind"], ana["email"]) == ("Ana", "INDIVIDUAL", None)
    assert sorted(result.touched) == [("LYON", "C002"), ("LYON", "C009")]
    assert _levels(result, "C009")["jeune"] == 1  # computed at once for the new contact
    again = ingest_records(venue, [Record("contacts", {"contact_id": "C009",
                                                       "institution_id": "LYON",
                                                       "first_name": None})], now=NOW)
    assert again.actions == ["updated"]
    assert _one(venue, schema.contacts, institution_id="LYON",
                contact_id="C009")["first_name"] is None


def test_a_rejected_record_is_reported_with_its_index_and_field(venue):
    with pytest.raises(RecordsRejected) as caught:
        ingest_records(venue, [
            Record("contacts", {"contact_id": "C009", "institution_id": "LYON"}),
            Record("contacts", {"contact_id": "C010", "institution_id": "LYON",
                                "Birth Date": "31/02/2000"}),
        ], now=NOW)
    [reject] = caught.value.rejects
    assert (reject.index, reject.field, reject.value) == (1, "Birth Date", "31/02/2000")
    assert reject.reason.startswith("birth_date: '31/02/2000' is not a date")
    assert _one(venue, schema.contacts, institution_id="LYON", contact_id="C009") is None


def _realtime(store, pairs) -> dict:
    t = schema.contact_indicators
    cols = [t.c[c] for code in codes_for("realtime") for c in (code, f"{code}_level")]
    with store.connect() as conn:
        rows = conn.execute(sa.select(t.c.organisation_id, t.c.contact_id, *cols))
        return {(r[0], r[1]): tuple(r[2:]) for r in rows if (r[0], r[1]) in pairs}


def test_the_refreshed_indicators_equal_a_full_computation(store, tmp_path):
    """Events on generated data: the real-time values the call returns and stores are those
    a full batch computation gives."""
    today = date(2026, 3, 10)
    now = datetime(2026, 3, 10, 12, 0)
    data = generate_venue(tmp_path / "venue", contacts=300, organisations=2, seed=5,
                          today=today)
    assert Workspace(store).import_path(data.directory, now=now).status == "succeeded"
    compute_indicators(store, as_of=today, now=now)
    with store.connect() as conn:
        orgs = sorted(conn.execute(sa.select(schema.organisations.c.organisation_id))
                      .scalars())
        contacts = sorted(conn.execute(sa.select(schema.contacts.c.contact_id)).scalars())
        perfs = conn.execute(sa.select(
            schema.performances.c.organisation_id, schema.performances.c.performance_id,
            schema.performances.c.product_id).where(
            schema.performances.c.product_id.isnot(None))).all()
        lines = conn.execute(sa.select(schema.order_lines.c.organisation_id,
                                       schema.order_lines.c.line_id)
                             .where(schema.order_lines.c.last_status == "PAID")).all()
    rnd = random.Random(2)
    events = []
    for k in range(12):
        org, perf, product = rnd.choice(perfs)
        events.append(Event(f"o{k}", "order", org, now, {
            "order_id": f"EV-{k}", "buyer_contact_id": rnd.choice(contacts),
            "created_at": "2026-03-10 11:00", "channel": "B2B",
            "lines": [{"line_id": f"EV-{k}", "product_id": product, "performance_id": perf,
                       "beneficiary_contact_id": rnd.choice(contacts), "amount": "10",
                       "status": "PAID"}]}))
    for k, (org, line_id) in enumerate(rnd.sample(lines, 8)):
        events.append(Event(f"s{k}", "line_status", org, now,
                            {"line_id": line_id, "status": "REFUNDED"}))
    result = ingest_events(store, events, now=now)
    pairs = {(o, c) for _, c in result.touched for o in orgs}
    assert len(result.touched) >= 12
    returned = {}
    for i in result.indicators:
        returned.setdefault((i.organisation_id, i.contact_id), {})[i.indicator] = \
            (i.value, i.level)
    refreshed = _realtime(store, pairs)
    assert set(returned) == pairs
    compute_indicators(store, as_of=today, now=now)
    full = _realtime(store, pairs)
    assert refreshed == full
    codes = codes_for("realtime")
    assert returned == {p: {c: (v[2 * i], v[2 * i + 1]) for i, c in enumerate(codes)}
                        for p, v in full.items()}
    assert any(levels[1] > 0 for levels in full.values())


def test_concurrent_calls_take_turns(venue):
    """The API serves calls from several threads: each call is its own run, none is lost."""
    from concurrent.futures import ThreadPoolExecutor

    def post(k: int):
        return ingest_events(venue, [order(f"c{k}", f"O-C{k}", "C002", line(f"L-C{k}"))],
                             now=NOW)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(post, range(6)))
    assert sorted(r.run_id for r in results) == sorted({r.run_id for r in results})
    assert all(r.events[0].outcome == "inserted" for r in results)
    assert _count(venue, ingested_events) == 6
    with venue.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.order_lines).where(
            schema.order_lines.c.line_id.like("L-C%"))).scalar() == 6
