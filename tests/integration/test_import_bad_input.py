"""Bad input: whole-import failures change nothing; bad rows are rejected with the exact
file, line, column and reason a person reads, and the other rows still go in."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from habitue.importers.runner import run_import
from habitue.storage import schema
from tests.factories.files import minimal_venue, read_rejects, summary, write_csv

pytestmark = pytest.mark.both_merges  # PostgreSQL: each merge (conftest)

NOW = datetime(2026, 1, 15, 12, 0)
NOT_A_DATE = "is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"
NOT_A_DATETIME = ("is not a date-time (expected ISO 8601 such as 2026-03-14T20:30:00+01:00, "
                  "2026-03-14 20:30 or 14/03/2026 20:30)")
NOT_A_BOOLEAN = "is not a boolean (expected true/false, 1/0, yes/no, oui/non, y/n)"
STORED = [schema.institutions, *schema.ENTITY_TABLES.values(), schema.order_line_statuses]


def _import(store, path: Path, tmp_path: Path, **kwargs):
    return run_import(store, path, now=NOW, rejects_path=tmp_path / "rejects.csv", **kwargs)


def _rows(store, table, *columns, order_by=None):
    cols = [table.c[c] for c in columns]
    with store.connect() as conn:
        query = sa.select(*cols).order_by(*(order_by or cols))
        return [tuple(r) for r in conn.execute(query)]


def _snapshot(store) -> dict[str, list]:
    """Every stored fact (import bookkeeping aside)."""
    with store.connect() as conn:
        return {t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
                for t in STORED}


def _assert_empty(store) -> None:
    assert {name: rows for name, rows in _snapshot(store).items() if rows} == {}


# -- whole-import failures --------------------------------------------------------------------


def test_missing_required_column_fails_whole_import_and_changes_nothing(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    assert _import(store, src, tmp_path).status == "succeeded"
    before = _snapshot(store)

    # contacts.csv and order_lines.csv bring valid changes; orders.csv lost its channel column
    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin-Durand,claire@example.org,1980-01-01,false",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false",
        "C3,INST,INDIVIDUAL,,Paul,Neuf,,,",
    ])
    write_csv(src, "orders", ["ORG,O1,C1,,2025-09-10 10:00"],
              header="organisation_id,order_id,buyer_contact_id,payer_contact_id,created_at")
    write_csv(src, "order_lines", ["ORG,O1,L1,P1,PF1,,30.00,REFUNDED,2025-09-12 10:00,"])
    result = _import(store, src, tmp_path)

    assert result.status == "failed"
    assert result.exit_code == 1
    assert result.error == (
        "orders.csv, line 1: required column channel missing from the header (found: "
        "organisation_id, order_id, buyer_contact_id, payer_contact_id, created_at)"
    )
    assert result.files == []
    assert result.rejects_path is None
    assert _snapshot(store) == before


def test_several_missing_columns_are_all_named(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "order_lines", ["ORG;O1;L1;P1;30.00"],
              header="organisation_id;order_id;line_id;product_id;amount")
    result = _import(store, src, tmp_path)

    assert result.exit_code == 1
    assert result.error == (
        "order_lines.csv, line 1: required column status missing from the header "
        "(found: organisation_id, order_id, line_id, product_id, amount)"
    )
    write_csv(src, "order_lines", ["ORG;O1"], header="organisation_id;order_id")
    result = _import(store, src, tmp_path)
    assert result.error == (
        "order_lines.csv, line 1: required columns line_id, product_id, amount, status "
        "missing from the header (found: organisation_id, order_id)"
    )
    _assert_empty(store)


def test_empty_file_fails_whole_import(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    (src / "contacts.csv").write_bytes(b"")
    result = _import(store, src, tmp_path)

    assert result.status == "failed"
    assert result.exit_code == 1
    assert result.error == "contacts.csv: the file is empty (a header line is required)"
    _assert_empty(store)

    (src / "contacts.csv").write_bytes(b"\r\n\r\n")
    result = _import(store, src, tmp_path)
    assert result.error == "contacts.csv, line 1: the header line is empty"
    _assert_empty(store)


def test_unreadable_file_fails_whole_import(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    (src / "orders.csv").unlink()
    (src / "orders.parquet").write_bytes(b"this is not a parquet file")
    result = _import(store, src, tmp_path)

    assert result.status == "failed"
    assert result.exit_code == 1
    assert result.error.startswith("orders.parquet: cannot be read: ")
    _assert_empty(store)


def test_failed_import_is_recorded_with_its_reason(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    (src / "seasons.csv").write_bytes(b"")
    result = _import(store, src, tmp_path)

    runs = _rows(store, schema.import_runs, "run_id", "status", "error")
    assert runs == [(result.run_id, "failed", ("seasons.csv: the file is empty "
                                              "(a header line is required)"))]


# -- bad cells ----------------------------------------------------------------------------------


def test_bad_dates_reject_their_row_only(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false",
        "C3,INST,INDIVIDUAL,,Paul,Faux,,31/02/2026,",
        "C4,INST,INDIVIDUAL,,Anne,Faux,,2026-02-30,",
        "C5,INST,INDIVIDUAL,,Jean,Vrai,,29/02/2024,",
    ])
    write_csv(src, "orders", [
        "ORG,O1,C1,,2025-09-10 10:00,INTERNET",
        "ORG,O2,C1,,yesterday,INTERNET",
        "ORG,O3,C1,,31/02/2026 10:00,INTERNET",
        "ORG,O4,C1,,2025-09-11,B2B",
    ])
    result = _import(store, src, tmp_path)

    assert result.status == "partial"
    assert result.exit_code == 2
    assert read_rejects(result) == [
        ("contacts.csv", 4, "birth_date", "31/02/2026", f"birth_date: '31/02/2026' {NOT_A_DATE}"),
        ("contacts.csv", 5, "birth_date", "2026-02-30", f"birth_date: '2026-02-30' {NOT_A_DATE}"),
        ("orders.csv", 3, "created_at", "yesterday",
         f"created_at: 'yesterday' {NOT_A_DATETIME}"),
        ("orders.csv", 4, "created_at", "31/02/2026 10:00",
         f"created_at: '31/02/2026 10:00' {NOT_A_DATETIME}"),
    ]
    assert _rows(store, schema.contacts, "contact_id", "birth_date") == [
        ("C1", date(1980, 1, 1)), ("C2", date(2015, 6, 1)), ("C5", date(2024, 2, 29))]
    assert _rows(store, schema.orders, "order_id", "created_at") == [
        ("O1", datetime(2025, 9, 10, 10, 0)), ("O4", datetime(2025, 9, 11, 0, 0))]
    assert summary(result)["orders"]["rejected"] == 2
    assert len(_rows(store, schema.order_lines, "line_id")) == 2


def test_required_cell_left_empty_is_rejected(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,PAID,,",
        "ORG,O1,L2,P1,PF1,,  ,PAID,,",
    ])
    result = _import(store, src, tmp_path)

    assert read_rejects(result) == [
        ("order_lines.csv", 3, "amount", "", "amount is required")]
    assert _rows(store, schema.order_lines, "line_id") == [("L1",)]


def test_unknown_enum_values_list_the_allowed_ones_and_enums_ignore_case(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "orders", [
        "ORG,O1,C1,,2025-09-10 10:00,internet",
        "ORG,O2,C1,,2025-09-10 11:00,PHONE",
        "ORG,O3,C2,,2025-09-10 12:00,b2B",
    ])
    write_csv(src, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,Paid,,",
        "ORG,O1,L2,P1,PF1,C2,15.00,PENDING,,",
        "ORG,O3,L3,P1,PF1,C2,15.00,cancelled,,",
    ])
    result = _import(store, src, tmp_path)

    assert result.exit_code == 2
    assert read_rejects(result) == [
        ("order_lines.csv", 3, "status", "PENDING",
         "status: 'PENDING' is not one of RESERVED, PAID, CANCELLED, REFUNDED"),
        ("orders.csv", 3, "channel", "PHONE",
         "channel: 'PHONE' is not one of INTERNET, B2B, OTHERS"),
    ]
    assert _rows(store, schema.orders, "order_id", "channel") == [
        ("O1", "INTERNET"), ("O3", "B2B")]
    assert _rows(store, schema.order_line_statuses, "line_id", "status") == [
        ("L1", "PAID"), ("L3", "CANCELLED")]


def test_amounts_negative_decimal_comma_and_too_many_decimals(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "order_lines", [
        "ORG,O1,L1,P1,PF1,,-1.00,PAID,,",
        'ORG,O1,L2,P1,PF1,,"12,50",PAID,,',
        "ORG,O1,L3,P1,PF1,,12.505,PAID,,",
        "ORG,O1,L4,P1,PF1,,0,PAID,,",
        "ORG,O1,L5,P1,PF1,,douze,PAID,,",
        "ORG,O1,L6,P1,PF1,,7.5,PAID,,",
    ])
    write_csv(src, "performances", ["ORG;PF1;P1;Cyrano;EVENT;2025-10-03 20:30;;900",
                                    "ORG;PF2;P1;Cyrano;EVENT;2025-10-04 20:30;;12,5"],
              header="organisation_id;performance_id;product_id;name;kind;starts_at;season_id;"
                     "capacity")
    result = _import(store, src, tmp_path)

    assert result.exit_code == 2
    assert read_rejects(result) == [
        ("order_lines.csv", 2, "amount", "-1.00",
         "amount: '-1.00' is negative (a price paid is 0 or more)"),
        ("order_lines.csv", 4, "amount", "12.505", "amount: '12.505' has more than 2 decimals"),
        ("order_lines.csv", 6, "amount", "douze",
         "amount: 'douze' is not a number (expected a decimal such as 12.50 or 12,50)"),
        ("performances.csv", 3, "capacity", "12,5", "capacity: '12,5' is not a whole number"),
    ]
    assert _rows(store, schema.order_lines, "line_id", "amount") == [
        ("L2", Decimal("12.50")), ("L4", Decimal("0.00")), ("L6", Decimal("7.50"))]
    assert _rows(store, schema.performances, "performance_id", "capacity") == [("PF1", 900)]


# -- references ---------------------------------------------------------------------------------


def test_unknown_references_are_rejected_unless_they_arrive_in_the_same_import(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    # C2 points at its parent C3, further down the same file (forward reference)
    write_csv(src, "contacts", [
        "C2,INST,INDIVIDUAL,C3,Léa,Martin,,2015-06-01,false",
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true",
        "C3,INST,INDIVIDUAL,C1,Marc,Martin,,,",
        "C4,INST,INDIVIDUAL,CX,Nina,Orphan,,,",
    ])
    write_csv(src, "orders", [
        "ORG,O1,C1,,2025-09-10 10:00,INTERNET",
        "ORG,O2,C9,,2025-09-10 11:00,INTERNET",
        "ORG,O3,C3,C2,2025-09-10 12:00,B2B",
        "ORG,O4,C1,,2025-09-10 13:00,PHONE",
    ])
    write_csv(src, "order_lines", [
        "ORG,O1,L1,P1,PF1,,30.00,PAID,,",
        "ORG,O9,L2,P1,PF1,,15.00,PAID,,",
        "ORG,O2,L3,P1,PF1,,15.00,PAID,,",
        "ORG,O3,L4,P1,PF1,C2,15.00,PAID,,",
        "ORG,O4,L5,P1,PF1,,15.00,PAID,,",
        "ORG,O1,L6,P1,PF1,C4,15.00,PAID,,",
    ])
    result = _import(store, src, tmp_path)

    assert result.exit_code == 2
    assert read_rejects(result) == [
        ("contacts.csv", 5, "parent_contact_id", "CX", "unknown contact 'CX'"),
        ("order_lines.csv", 3, "order_id", "O9", "unknown order 'O9'"),
        ("order_lines.csv", 4, "order_id", "O2",
         "unknown order 'O2' (its row in orders.csv, line 3, was rejected)"),
        ("order_lines.csv", 6, "order_id", "O4",
         "unknown order 'O4' (its row in orders.csv, line 5, was rejected)"),
        ("order_lines.csv", 7, "beneficiary_contact_id", "C4",
         "unknown contact 'C4' (its row in contacts.csv, line 5, was rejected)"),
        ("orders.csv", 3, "buyer_contact_id", "C9", "unknown contact 'C9'"),
        ("orders.csv", 5, "channel", "PHONE",
         "channel: 'PHONE' is not one of INTERNET, B2B, OTHERS"),
    ]
    assert _rows(store, schema.contacts, "contact_id", "parent_contact_id") == [
        ("C1", None), ("C2", "C3"), ("C3", "C1")]
    assert _rows(store, schema.orders, "order_id") == [("O1",), ("O3",)]
    assert _rows(store, schema.order_lines, "line_id") == [("L1",), ("L4",)]
    assert _rows(store, schema.order_line_statuses, "line_id") == [("L1",), ("L4",)]


def test_chain_of_rejected_parents_explains_each_link(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false",
        "K1,INST,INDIVIDUAL,K2,A,A,,,",
        "K2,INST,INDIVIDUAL,K3,B,B,,,",
        "K3,INST,INDIVIDUAL,K4,C,C,,,",
    ])
    result = _import(store, src, tmp_path)

    assert read_rejects(result) == [
        ("contacts.csv", 4, "parent_contact_id", "K2",
         "unknown contact 'K2' (its row in contacts.csv, line 5, was rejected)"),
        ("contacts.csv", 5, "parent_contact_id", "K3",
         "unknown contact 'K3' (its row in contacts.csv, line 6, was rejected)"),
        ("contacts.csv", 6, "parent_contact_id", "K4", "unknown contact 'K4'"),
    ]
    assert _rows(store, schema.contacts, "contact_id") == [("C1",), ("C2",)]


# -- duplicates ---------------------------------------------------------------------------------


def test_duplicate_ids_with_different_content_reject_every_copy(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false",
        "C3,INST,INDIVIDUAL,,Paul,Durand,paul@example.org,,yes",
        "C3,INST,INDIVIDUAL,,Paul,Dupont,paul@example.org,,no",
        "C4,INST,INDIVIDUAL,,Anne,Petit,,,",
        "C4,INST,INDIVIDUAL,,Anne,Petit,,,",
        "C3,INST,INDIVIDUAL,,Paul,Durand,paul@example.org,,yes",
    ])
    result = _import(store, src, tmp_path)

    reason = "contact_id 'C3' appears on lines 4, 5, 8 with different last_name, email_opt_in"
    assert read_rejects(result) == [
        ("contacts.csv", 4, "contact_id", "C3", reason),
        ("contacts.csv", 5, "contact_id", "C3", reason),
        ("contacts.csv", 8, "contact_id", "C3", reason),
    ]
    assert _rows(store, schema.contacts, "contact_id") == [("C1",), ("C2",), ("C4",)]
    counts = summary(result)["contacts"]
    assert (counts["read"], counts["inserted"], counts["rejected"]) == (7, 3, 3)


def test_same_id_in_two_institutions_is_not_a_duplicate(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false",
        "C1,OTHER,INDIVIDUAL,,Claude,Autre,,,",
    ])
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    assert _rows(store, schema.contacts, "institution_id", "contact_id", "first_name") == [
        ("INST", "C1", "Claire"), ("INST", "C2", "Léa"), ("OTHER", "C1", "Claude")]


# -- booleans -----------------------------------------------------------------------------------


def test_booleans_in_french_and_english_any_case(store, tmp_path):
    words = {"oui": True, "NON": False, "Yes": True, "no": False, "1": True, "0": False,
             "Y": True, "n": False, "TRUE": True, "False": False, "": None}
    rows = [f"B{i},INST,INDIVIDUAL,,X,Y,,,{w}" for i, w in enumerate(words)]
    rows += ["B98,INST,INDIVIDUAL,,X,Y,,,peut-être", "B99,INST,INDIVIDUAL,,X,Y,,,2"]
    write_csv(tmp_path / "in", "contacts", rows)
    result = _import(store, tmp_path / "in", tmp_path)

    n = len(words)
    assert read_rejects(result) == [
        ("contacts.csv", n + 2, "email_opt_in", "peut-être",
         f"email_opt_in: 'peut-être' {NOT_A_BOOLEAN}"),
        ("contacts.csv", n + 3, "email_opt_in", "2", f"email_opt_in: '2' {NOT_A_BOOLEAN}"),
    ]
    stored = dict(_rows(store, schema.contacts, "contact_id", "email_opt_in"))
    assert stored == {f"B{i}": value for i, value in enumerate(words.values())}


# -- seasons ------------------------------------------------------------------------------------


def test_overlapping_seasons_are_rejected_in_the_file_and_against_the_store(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "seasons", [
        "ORG,S2025,2025/2026,2025-09-01,2026-08-31",
        "ORG,S2024,2024/2025,2024-09-01,2025-08-31",
    ])
    assert _import(store, src, tmp_path).status == "succeeded"

    seasons = tmp_path / "seasons"
    write_csv(seasons, "seasons", [
        "ORG,S2026,2026/2027,2026-08-31,2027-08-31",   # its first day is S2025's last
        "ORG,A,été,2030-06-01,2030-07-31",
        "ORG,B,juillet,2030-07-01,2030-07-14",        # inside A (same file)
        "ORG,C,hiver,2031-01-01,2031-03-31",
        "ORG,D,à l'envers,2032-06-01,2032-05-31",
        "ORG,S2024,2024/2025,2024-09-01,2025-08-31",  # itself: no overlap
    ])
    result = _import(store, seasons / "seasons.csv", tmp_path)

    assert result.exit_code == 2
    assert read_rejects(result) == [
        ("seasons.csv", 2, "start_date", "2026-08-31",
         ("season 'S2026' (2026-08-31 to 2027-08-31) overlaps season 'S2025' of organisation "
         "'ORG'")),
        ("seasons.csv", 3, "start_date", "2030-06-01",
         "season 'A' (2030-06-01 to 2030-07-31) overlaps season 'B' of organisation 'ORG'"),
        ("seasons.csv", 4, "start_date", "2030-07-01",
         "season 'B' (2030-07-01 to 2030-07-14) overlaps season 'A' of organisation 'ORG'"),
        ("seasons.csv", 6, "end_date", "2032-05-31",
         "end_date: 2032-05-31 is before start_date 2032-06-01"),
    ]
    assert _rows(store, schema.seasons, "season_id") == [("C",), ("S2024",), ("S2025",)]

    # moving a stored season onto another one is rejected too, and the stored row is kept
    write_csv(seasons, "seasons", ["ORG,S2024,2024/2025,2024-09-01,2025-09-30"])
    result = _import(store, seasons / "seasons.csv", tmp_path)
    assert [r[4] for r in read_rejects(result)] == [
        ("season 'S2024' (2024-09-01 to 2025-09-30) overlaps season 'S2025' of organisation "
        "'ORG'")]
    assert _rows(store, schema.seasons, "season_id", "end_date") == [
        ("C", date(2031, 3, 31)), ("S2024", date(2025, 8, 31)), ("S2025", date(2026, 8, 31))]


def test_seasons_of_different_organisations_may_overlap(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "organisations", ["ORG,Théâtre,INST,Europe/Paris,EUR",
                                     "OPERA,Opéra,INST,Europe/Paris,EUR"])
    write_csv(src, "seasons", ["ORG,S2025,2025/2026,2025-09-01,2026-08-31",
                               "OPERA,S2025,2025/2026,2025-09-01,2026-08-31",
                               "OPERA,O2025,2025/2026,2025-10-01,2026-06-30"])
    result = _import(store, src, tmp_path)

    assert [(r[1], r[4]) for r in read_rejects(result)] == [
        (3, ("season 'S2025' (2025-09-01 to 2026-08-31) overlaps season 'O2025' of "
            "organisation 'OPERA'")),
        (4, ("season 'O2025' (2025-10-01 to 2026-06-30) overlaps season 'S2025' of "
            "organisation 'OPERA'")),
    ]
    assert _rows(store, schema.seasons, "organisation_id", "season_id") == [("ORG", "S2025")]


# -- line numbers in a large file ---------------------------------------------------------------


def test_line_numbers_are_exact_in_a_large_file(store, tmp_path):
    n = 50_000
    lines = [f"K{i},First{i},Last{i},2000-01-01" for i in range(n)]
    lines[2] = "K2,First2,Last2,2000-13-01"                   # file line 4
    lines[24_999] = "K24999,First,Last,2000-01-01,extra"      # line 25001: too many fields
    lines[25_000] = 'K25000,"Jean, ""dit Jeannot""",Last,1990-05-05'
    lines[25_010] = 'K25010,"deux\nlignes",Last,1990-05-05'   # lines 25012-25013
    lines[25_020] = "K25020,First,Last"                       # line 25023: too few fields
    lines[n - 2] = "K49998,First,Last,31/02/2026"             # line 50001
    lines[n - 1] = "K49999,First,Last,demain"                 # line 50002
    path = write_csv(tmp_path / "big", "contacts", lines,
                     header="contact_id,first_name,last_name,birth_date")
    result = _import(store, path, tmp_path)

    assert result.exit_code == 2
    rejects = read_rejects(result)
    assert [(r[1], r[2], r[3]) for r in rejects] == [
        (4, "birth_date", "2000-13-01"),
        (25001, "", "K24999,First,Last,2000-01-01,extra"),
        (25023, "birth_date", "K25020,First,Last"),
        (50001, "birth_date", "31/02/2026"),
        (50002, "birth_date", "demain"),
    ]
    assert rejects[1][4] == ("the row has more fields than the header (delimiter ','): "
                             "Expected Number of Columns: 4 Found: 5")
    assert rejects[2][4] == ("the row has fewer fields than the header (delimiter ','): "
                             "Expected Number of Columns: 4 Found: 3")
    counts = summary(result)["contacts"]
    assert (counts["read"], counts["inserted"], counts["rejected"]) == (n, n - 5, 5)
    names = dict(_rows(store, schema.contacts, "contact_id", "first_name"))
    assert names["K25000"] == 'Jean, "dit Jeannot"'
    assert names["K25010"] == "deux\nlignes"
    assert names["K49997"] == "First49997"
