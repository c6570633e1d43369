"""Importing again: idempotency, updates matched on ids, the status history of order lines
and the per-file summary."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from habitue.importers.runner import run_import
from habitue.storage import schema
from tests.factories.files import HEADERS, minimal_venue, read_rejects, summary, write_csv

pytestmark = pytest.mark.both_merges  # PostgreSQL: each merge (conftest)

NOW = datetime(2026, 1, 15, 12, 0)
STORED = [schema.institutions, *schema.ENTITY_TABLES.values(), schema.order_line_statuses]
ORDER_CREATED = datetime(2025, 9, 10, 10, 0)  # orders.csv of the minimal venue


def _import(store, path: Path, tmp_path: Path, **kwargs):
    return run_import(store, path, now=NOW, rejects_path=tmp_path / "rejects.csv", **kwargs)


def _rows(store, table, *columns):
    cols = [table.c[c] for c in columns]
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*cols).order_by(*cols))]


def _snapshot(store) -> dict[str, list]:
    with store.connect() as conn:
        return {t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
                for t in STORED}


def _revenue(store) -> Decimal:
    with store.connect() as conn:
        return conn.execute(sa.select(sa.func.sum(schema.order_lines.c.amount))).scalar()


def _statuses(store, line_id: str) -> list[tuple[str, datetime]]:
    h = schema.order_line_statuses
    with store.connect() as conn:
        rows = conn.execute(sa.select(h.c.status, h.c.status_at).where(h.c.line_id == line_id)
                            .order_by(h.c.status_at, h.c.seq))
        return [tuple(r) for r in rows]


def _latest(store) -> list[tuple[str, str, datetime]]:
    """Each line's latest status as the order line keeps it (the last row of its history)."""
    return _rows(store, schema.order_lines, "line_id", "last_status", "last_status_at")


def _counts(result) -> dict[str, tuple[int, int, int, int, int]]:
    """(read, inserted, updated, unchanged, rejected) per entity."""
    return {e: (f["read"], f["inserted"], f["updated"], f["unchanged"], f["rejected"])
            for e, f in summary(result).items()}


def _venue_with_history(directory: Path) -> Path:
    minimal_venue(directory)
    write_csv(directory, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true,GOLD",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false,",
    ], header=HEADERS["contacts"] + ",loyalty_card")
    write_csv(directory, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,PAID,,",
        "ORG,O1,L2,P1,PF1,C2,15.00,RESERVED,,",
        "ORG,O1,L2,P1,PF1,C2,15.00,PAID,2025-09-12 09:00,",
        "ORG,O1,L2,P1,PF1,C2,15.00,REFUNDED,2025-09-20 18:00,",
    ])
    return directory


# -- idempotency --------------------------------------------------------------------------------


def test_importing_the_same_directory_twice_changes_nothing(store, tmp_path):
    src = _venue_with_history(tmp_path / "in")
    first = _import(store, src, tmp_path)
    assert first.status == "succeeded", read_rejects(first)
    before = _snapshot(store)
    assert len(before["order_lines"]) == 2
    assert len(before["order_line_statuses"]) == 4
    assert _revenue(store) == Decimal("45.00")

    second = _import(store, src, tmp_path)

    assert second.status == "succeeded"
    assert all((f.inserted, f.updated, f.unchanged, f.rejected) == (0, 0, f.read, 0)
               for f in second.files)
    assert second.touched_contacts == 0
    assert _snapshot(store) == before  # not even import_run_id moved
    assert _revenue(store) == Decimal("45.00")


def test_rows_are_matched_on_their_ids_whatever_their_order(store, tmp_path):
    src = _venue_with_history(tmp_path / "in")
    assert _import(store, src, tmp_path).status == "succeeded"
    before = _snapshot(store)

    # same facts: rows shuffled, columns in another order, other spellings of the same values
    write_csv(src, "contacts", [
        "C2,,Martin,Léa,C1,individual,INST,01/06/2015,NON",
        "C1,GOLD,Martin,Claire,,Individual,INST,1980-01-01,Oui",
    ], header="contact_id,loyalty_card,last_name,first_name,parent_contact_id,kind,"
              "institution_id,birth_date,email_opt_in")
    write_csv(src, "order_lines", [
        "REFUNDED,2025-09-20T18:00:00+02:00,ORG,L2,O1,P1,PF1,C2,\"15,00\"",
        "paid,,ORG,L1,O1,P1,PF1,,30",
        "Paid,12/09/2025 09:00,ORG,L2,O1,P1,PF1,C2,15.0",
        "reserved,,ORG,L2,O1,P1,PF1,C2,15",
    ], header="status,status_at,organisation_id,line_id,order_id,product_id,performance_id,"
              "beneficiary_contact_id,amount")
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    assert all(f.unchanged == f.read for f in result.files), _counts(result)
    assert _snapshot(store) == before


# -- updates ------------------------------------------------------------------------------------


def test_changed_rows_are_updated_and_absent_columns_keep_their_values(store, tmp_path):
    src = _venue_with_history(tmp_path / "in")
    assert _import(store, src, tmp_path).status == "succeeded"

    changes = tmp_path / "changes"
    write_csv(changes, "contacts", ["C1,INST,Claire-Marie", "C2,INST,Léa"],
              header="contact_id,institution_id,first_name")
    write_csv(changes, "orders", ["ORG,O1,C1,2025-09-10 10:00,B2B"],
              header="organisation_id,order_id,buyer_contact_id,created_at,channel")
    write_csv(changes, "order_lines", ["ORG,O1,L1,P1,PF1,,32.00,PAID,,"])
    result = _import(store, changes, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    assert _counts(result) == {
        "contacts": (2, 0, 1, 1, 0),
        "orders": (1, 0, 1, 0, 0),
        "order_lines": (1, 0, 1, 0, 0),
    }
    c = schema.contacts
    assert _rows(store, c, "contact_id", "first_name", "last_name", "email", "birth_date",
                 "email_opt_in", "parent_contact_id") == [
        ("C1", "Claire-Marie", "Martin", "claire@example.org", date(1980, 1, 1), True, None),
        ("C2", "Léa", "Martin", None, date(2015, 6, 1), False, "C1"),
    ]
    with store.connect() as conn:
        attributes = dict(conn.execute(sa.select(c.c.contact_id, c.c.attributes)).all())
    assert attributes["C1"] == {"loyalty_card": "GOLD"}
    assert _rows(store, schema.orders, "order_id", "channel") == [("O1", "B2B")]
    assert _rows(store, schema.order_lines, "line_id", "amount") == [
        ("L1", Decimal("32.00")), ("L2", Decimal("15.00"))]
    assert _statuses(store, "L1") == [("PAID", ORDER_CREATED)]
    assert _revenue(store) == Decimal("47.00")


def test_custom_attributes_are_merged_on_update(store, tmp_path):
    src = _venue_with_history(tmp_path / "in")
    assert _import(store, src, tmp_path).status == "succeeded"

    changes = tmp_path / "changes"
    write_csv(changes, "contacts", ["C1,INST,SILVER,ami", "C2,INST,,"],
              header="contact_id,institution_id,loyalty_card,segment")
    result = _import(store, changes, tmp_path)

    assert _counts(result)["contacts"] == (2, 0, 1, 1, 0)
    c = schema.contacts
    with store.connect() as conn:
        attributes = dict(conn.execute(sa.select(c.c.contact_id, c.c.attributes)).all())
    assert attributes["C1"] == {"loyalty_card": "SILVER", "segment": "ami"}
    assert not attributes["C2"]
    # without the columns, the attributes stay
    write_csv(changes, "contacts", ["C1,INST,Claire"], header="contact_id,institution_id,"
                                                             "first_name")
    result = _import(store, changes / "contacts.csv", tmp_path)
    assert _counts(result)["contacts"] == (1, 0, 0, 1, 0)
    with store.connect() as conn:
        assert conn.execute(sa.select(c.c.attributes).where(c.c.contact_id == "C1")).scalar() \
            == {"loyalty_card": "SILVER", "segment": "ami"}


# -- status history -----------------------------------------------------------------------------


def test_a_new_status_is_appended_to_the_history_never_overwritten(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    assert _import(store, src, tmp_path).status == "succeeded"
    assert _statuses(store, "L1") == [("PAID", ORDER_CREATED)]  # status_at: order's created_at

    later = tmp_path / "later"
    write_csv(later, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,REFUNDED,2025-10-01 09:30,",
        "ORG,O1,L2,P1,PF1,C2,15.00,PAID,,",
    ])
    result = _import(store, later / "order_lines.csv", tmp_path)

    assert _counts(result) == {"order_lines": (2, 0, 1, 1, 0)}
    assert _statuses(store, "L1") == [
        ("PAID", ORDER_CREATED), ("REFUNDED", datetime(2025, 10, 1, 9, 30))]
    assert _statuses(store, "L2") == [("PAID", ORDER_CREATED)]
    assert len(_rows(store, schema.order_lines, "line_id")) == 2
    assert _revenue(store) == Decimal("45.00")
    # NULL: dated at the order's creation (a line imported on one row without status_at)
    assert _latest(store) == [("L1", "REFUNDED", datetime(2025, 10, 1, 9, 30)),
                              ("L2", "PAID", None)]

    # the old file again: its PAID row is already in the history
    before = _snapshot(store)
    result = _import(store, src / "order_lines.csv", tmp_path)
    assert _counts(result) == {"order_lines": (2, 0, 0, 2, 0)}
    assert _snapshot(store) == before

    # back to PAID later on: a third row, the first PAID row stays
    write_csv(later, "order_lines", ["ORG,O1,L1,P1,PF1,,30.00,PAID,2025-11-02 12:00,"])
    result = _import(store, later / "order_lines.csv", tmp_path)
    assert _counts(result) == {"order_lines": (1, 0, 1, 0, 0)}
    assert _statuses(store, "L1") == [
        ("PAID", ORDER_CREATED), ("REFUNDED", datetime(2025, 10, 1, 9, 30)),
        ("PAID", datetime(2025, 11, 2, 12, 0))]
    assert _latest(store)[0] == ("L1", "PAID", datetime(2025, 11, 2, 12, 0))

    # a status dated before the latest one joins the history but is not the latest
    write_csv(later, "order_lines", ["ORG,O1,L1,P1,PF1,,30.00,CANCELLED,2025-10-15 08:00,"])
    result = _import(store, later / "order_lines.csv", tmp_path)
    assert _counts(result) == {"order_lines": (1, 0, 1, 0, 0)}
    assert len(_statuses(store, "L1")) == 4
    assert _latest(store)[0] == ("L1", "PAID", datetime(2025, 11, 2, 12, 0))


def test_one_file_may_hold_several_status_rows_of_one_line(store, tmp_path):
    src = _venue_with_history(tmp_path / "in")
    write_csv(src, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,PAID,,",
        "ORG,O1,L2,P1,PF1,C2,15.00,RESERVED,,",
        "ORG,O1,L2,P1,PF1,C2,15.00,PAID,2025-09-12 09:00,",
        "ORG,O1,L2,P1,PF1,C2,15.00,REFUNDED,2025-09-20 18:00,",
        "ORG,O1,L2,P1,PF1,C2,15.00,REFUNDED,2025-09-20 18:00,",   # exact repeat
        "ORG,O1,L3,P1,PF1,,20.00,PAID,2025-09-12 09:00,",
        "ORG,O1,L3,P1,PF1,,25.00,CANCELLED,2025-09-13 09:00,",    # amount differs
    ])
    result = _import(store, src, tmp_path)

    assert read_rejects(result) == [
        ("order_lines.csv", line, "line_id", "L3",
         "line_id 'L3' appears on lines 7, 8 with different amount") for line in (7, 8)]
    assert _statuses(store, "L2") == [
        ("RESERVED", ORDER_CREATED),
        ("PAID", datetime(2025, 9, 12, 9, 0)),
        ("REFUNDED", datetime(2025, 9, 20, 18, 0)),
    ]
    assert _rows(store, schema.order_lines, "line_id", "amount") == [
        ("L1", Decimal("30.00")), ("L2", Decimal("15.00"))]
    assert _revenue(store) == Decimal("45.00")
    assert _rows(store, schema.order_line_statuses, "line_id") == [
        ("L1",), ("L2",), ("L2",), ("L2",)]
    assert _latest(store) == [("L1", "PAID", None),
                              ("L2", "REFUNDED", datetime(2025, 9, 20, 18, 0))]


def test_status_at_defaults_to_the_created_at_of_the_order(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "orders", ["ORG,O1,C1,,2025-09-10 10:00,INTERNET",
                              "ORG,O2,C2,,2025-11-02T08:15:00Z,INTERNET"])
    write_csv(src, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,PAID,,",
        "ORG,O2,L2,P1,PF1,C2,15.00,RESERVED,,",
    ])
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    assert _statuses(store, "L1") == [("PAID", ORDER_CREATED)]
    assert _statuses(store, "L2") == [("RESERVED", datetime(2025, 11, 2, 9, 15))]
    assert _latest(store) == [("L1", "PAID", None), ("L2", "RESERVED", None)]


# -- summary ------------------------------------------------------------------------------------


def test_each_file_counts_read_as_inserted_updated_unchanged_and_rejected(store, tmp_path):
    src = _venue_with_history(tmp_path / "in")
    assert _import(store, src, tmp_path).status == "succeeded"

    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true,GOLD",  # same
        "C2,INST,INDIVIDUAL,C1,Léa,Martin-Petit,,2015-06-01,false,",                # updated
        "C3,INST,INDIVIDUAL,C2,Tom,Martin,,2019-02-02,,",                           # new
        "C4,INST,INDIVIDUAL,,Bad,Date,,2019-02-30,,",                               # rejected
        "C5,INST,INDIVIDUAL,,Dup,A,,,,",                                            # rejected
        "C5,INST,INDIVIDUAL,,Dup,B,,,,",                                            # rejected
    ], header=HEADERS["contacts"] + ",loyalty_card")
    write_csv(src, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,PAID,,",                         # same
        "ORG,O1,L2,P1,PF1,C2,15.00,RESERVED,,",                   # same
        "ORG,O1,L2,P1,PF1,C2,15.00,PAID,2025-09-12 09:00,",       # same
        "ORG,O1,L2,P1,PF1,C2,15.00,REFUNDED,2025-09-20 18:00,",   # same
        "ORG,O1,L2,P1,PF1,C2,15.00,PAID,2025-09-25 18:00,",       # a new status
        "ORG,O1,L3,P1,PF1,C3,12.00,PAID,,",                       # new, for the new contact
        "ORG,O1,L4,P1,PF1,C4,12.00,PAID,,",                       # its contact was rejected
        "ORG,O1,L5,P1,PF1,,12.00,LOST,,",                         # rejected
    ])
    result = _import(store, src, tmp_path)

    assert result.exit_code == 2
    counts = _counts(result)
    assert counts["contacts"] == (6, 1, 1, 1, 3)
    assert counts["order_lines"] == (8, 1, 1, 4, 2)
    assert counts["orders"] == (1, 0, 0, 1, 0)
    for entity, (read, inserted, updated, unchanged, rejected) in counts.items():
        assert read == inserted + updated + unchanged + rejected, entity
    assert result.rejected == len(read_rejects(result)) == 5
    assert _revenue(store) == Decimal("57.00")

    with store.connect() as conn:
        run = conn.execute(sa.select(schema.import_runs)
                           .where(schema.import_runs.c.run_id == result.run_id)).one()
        stored_rejects = conn.execute(
            sa.select(sa.func.count()).select_from(schema.import_rejects)
            .where(schema.import_rejects.c.run_id == result.run_id)).scalar()
    assert run.status == "partial"
    assert run.summary["files"] == [f.as_dict() for f in result.files]
    assert stored_rejects == 5
