"""What the importer reads: encodings, delimiters, quoting, dates and time zones, custom
attributes, Parquet and JSON Lines, single files."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from habitue.importers.runner import run_import
from habitue.storage import schema
from tests.factories.files import (
    HEADERS,
    minimal_venue,
    read_rejects,
    summary,
    write_csv,
    write_jsonl,
    write_parquet,
)

pytestmark = pytest.mark.both_merges  # PostgreSQL: each merge (conftest)

NOW = datetime(2026, 1, 15, 12, 0)


def _import(store, path: Path, tmp_path: Path, **kwargs):
    return run_import(store, path, now=NOW, rejects_path=tmp_path / "rejects.csv", **kwargs)


def _rows(store, table, *columns):
    cols = [table.c[c] for c in columns]
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*cols).order_by(*cols))]


def _attributes(store, table, id_column: str) -> dict:
    with store.connect() as conn:
        rows = conn.execute(sa.select(table.c[id_column], table.c.attributes)).all()
    return dict(rows)


# -- encodings ----------------------------------------------------------------------------------


def test_windows_1252_file_is_detected_and_read_as_unicode(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    path = write_csv(src, "contacts", [
        "C1;INST;INDIVIDUAL;;Clémence;Œuvre;€uro@example.org;1980-01-01;oui;Élite",
        "C2;INST;INDIVIDUAL;C1;Zoë;Cœur-Dupré;;2015-06-01;non;",
    ], header="contact_id;institution_id;kind;parent_contact_id;first_name;last_name;email;"
              "birth_date;email_opt_in;Fidélité", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    contacts = summary(result)["contacts"]
    assert (contacts["encoding"], contacts["delimiter"]) == ("windows-1252", ";")
    assert contacts["unknown_columns"] == ["Fidélité"]
    assert _rows(store, schema.contacts, "contact_id", "first_name", "last_name", "email") == [
        ("C1", "Clémence", "Œuvre", "€uro@example.org"),
        ("C2", "Zoë", "Cœur-Dupré", None),
    ]
    assert _attributes(store, schema.contacts, "contact_id")["C1"] == {"Fidélité": "Élite"}
    assert summary(result)["organisations"]["encoding"] == "utf-8"
    assert _rows(store, schema.organisations, "name") == [("Théâtre",)]


def test_utf8_bom_does_not_corrupt_the_first_column(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    text = (HEADERS["contacts"] + "\r\n"
            + "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true\r\n"
            + "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false\r\n")
    (src / "contacts.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    write_jsonl(src, "orders", ["\ufeff" + '{"organisation_id": "ORG", "order_id": "O1", '
                                '"buyer_contact_id": "C1", "created_at": "2025-09-10 10:00", '
                                '"channel": "INTERNET"}'])
    (src / "orders.csv").unlink()
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", (result.error, read_rejects(result))
    assert summary(result)["contacts"]["encoding"] == "utf-8"
    assert summary(result)["contacts"]["unknown_columns"] == []
    assert summary(result)["orders"]["unknown_columns"] == []
    assert _rows(store, schema.contacts, "contact_id", "first_name", "email_opt_in") == [
        ("C1", "Claire", True), ("C2", "Léa", False)]
    assert _rows(store, schema.orders, "order_id", "buyer_contact_id") == [("O1", "C1")]


# -- delimiters and quoting ---------------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "shown"), [(",", ","), (";", ";"), ("\t", "tab")])
def test_delimiter_is_detected_and_quoting_follows_rfc_4180(store, tmp_path, delimiter, shown):
    src = minimal_venue(tmp_path / "in", delimiter=delimiter)
    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false",
        'C3,INST,INDIVIDUAL,,"Jean, ""Jeannot""",Dupont,,,',
        'C4,INST,INDIVIDUAL,,"""",",",,,',
    ], delimiter=delimiter)
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    assert {f["delimiter"] for f in summary(result).values()} == {shown}
    assert {e: (f["read"], f["inserted"]) for e, f in summary(result).items()} == {
        "organisations": (1, 1), "seasons": (1, 1), "contacts": (4, 4), "products": (1, 1),
        "performances": (1, 1), "orders": (1, 1), "order_lines": (2, 2)}
    assert _rows(store, schema.contacts, "contact_id", "first_name", "last_name") == [
        ("C1", "Claire", "Martin"), ("C2", "Léa", "Martin"),
        ("C3", f'Jean{delimiter} "Jeannot"', "Dupont"), ("C4", '"', delimiter)]


def test_line_breaks_inside_quoted_fields_keep_line_numbers_exact(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    (src / "contacts.csv").write_text(
        "contact_id,institution_id,street,birth_date\n"   # line 1
        'C1,INST,"12 rue Neuve\nBâtiment B\nEscalier 3",1980-01-01\n'   # lines 2-4
        "C2,INST,,1980-13-01\n"                               # line 5: bad date (and so
                                                              # is order line L2 for C2)
        'C3,INST,"a\nb",1980-01-01,surplus\n'                 # lines 6-7: too many fields
        "C4,INST,,pas une date\n"                             # line 8
        "C5,INST\n",                                          # line 9: too few fields
        encoding="utf-8",
    )
    result = _import(store, src, tmp_path)

    assert [r[1:4] for r in read_rejects(result) if r[0] == "contacts.csv"] == [
        (5, "birth_date", "1980-13-01"),
        (6, "", 'C3,INST,"a\nb",1980-01-01,surplus'),
        (8, "birth_date", "pas une date"),
        (9, "birth_date", "C5,INST"),  # one reject per missing field
        (9, "street", "C5,INST"),
    ]
    assert _rows(store, schema.contacts, "contact_id", "street") == [
        ("C1", "12 rue Neuve\nBâtiment B\nEscalier 3")]


# -- dates and times ----------------------------------------------------------------------------


def test_date_times_are_read_in_the_organisations_time_zone(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "organisations", ["ORG,Théâtre,INST,Europe/Paris,EUR",
                                     "NYC,Met,INST_US,America/New_York,USD"])
    (src / "contacts.csv").write_text(
        "contact_id,institution_id,first_name,created_at,birth_date\n"
        "C1,INST,Claire,2026-11-22T23:30:00Z,14/03/1980\n"
        "C2,INST,Léa,2026-11-22 23:30,2015-06-01\n"
        "N1,INST_US,John,2026-11-22T23:30:00Z,\n",
        encoding="utf-8",
    )
    write_csv(src, "orders", [
        "ORG,Z,C1,,2026-11-22T23:30:00Z,INTERNET",
        "ORG,UTC,C1,,2026-11-22T23:30:00+00:00,INTERNET",
        "ORG,SUMMER,C1,,2026-07-14T18:30:00Z,INTERNET",
        "ORG,OFFSET,C1,,2026-07-14T20:30:00+02:00,INTERNET",
        "ORG,OFFSET_FAR,C1,,2026-07-14T20:30:00-04:00,INTERNET",
        "ORG,LOCAL,C1,,2026-03-14 20:30,INTERNET",
        "ORG,LOCAL_T,C1,,2026-03-14T20:30:15,INTERNET",
        "ORG,FR,C1,,14/03/2026 20:30,INTERNET",
        "ORG,FR_DAY,C1,,14/03/2026,INTERNET",
        "ORG,ISO_DAY,C1,,2026-03-14,INTERNET",
        "NYC,NY_Z,N1,,2026-11-22T23:30:00Z,INTERNET",
        "NYC,NY_LOCAL,N1,,2026-11-22 18:30,INTERNET",
    ])
    write_csv(src, "order_lines", [
        "ORG,Z,L1,P1,PF1,,30.00,PAID,,2026-11-22T19:55:00Z",
        "ORG,Z,L2,P1,PF1,,30.00,CANCELLED,23/11/2026 09:00,",
    ])
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    assert dict(_rows(store, schema.orders, "order_id", "created_at")) == {
        "Z": datetime(2026, 11, 23, 0, 30),
        "UTC": datetime(2026, 11, 23, 0, 30),
        "SUMMER": datetime(2026, 7, 14, 20, 30),
        "OFFSET": datetime(2026, 7, 14, 20, 30),
        "OFFSET_FAR": datetime(2026, 7, 15, 2, 30),
        "LOCAL": datetime(2026, 3, 14, 20, 30),
        "LOCAL_T": datetime(2026, 3, 14, 20, 30, 15),
        "FR": datetime(2026, 3, 14, 20, 30),
        "FR_DAY": datetime(2026, 3, 14, 0, 0),
        "ISO_DAY": datetime(2026, 3, 14, 0, 0),
        "NY_Z": datetime(2026, 11, 22, 18, 30),
        "NY_LOCAL": datetime(2026, 11, 22, 18, 30),
    }
    assert _rows(store, schema.contacts, "contact_id", "created_at", "birth_date") == [
        ("C1", datetime(2026, 11, 23, 0, 30), date(1980, 3, 14)),
        ("C2", datetime(2026, 11, 22, 23, 30), date(2015, 6, 1)),
        ("N1", datetime(2026, 11, 22, 18, 30), None),
    ]
    assert _rows(store, schema.order_lines, "line_id", "scanned_at") == [
        ("L1", datetime(2026, 11, 22, 20, 55)), ("L2", None)]
    assert _rows(store, schema.order_line_statuses, "line_id", "status", "status_at") == [
        ("L1", "PAID", datetime(2026, 11, 23, 0, 30)),
        ("L2", "CANCELLED", datetime(2026, 11, 23, 9, 0)),
    ]

    # an organisation already in the store lends its time zone to a later import
    later = write_csv(tmp_path / "later", "orders", ["NYC,NY_LATER,N1,,2026-11-23T04:00:00Z,B2B"])
    assert _import(store, later, tmp_path).status == "succeeded"
    assert ("NY_LATER", datetime(2026, 11, 22, 23, 0)) in _rows(
        store, schema.orders, "order_id", "created_at")


# -- custom attributes --------------------------------------------------------------------------


def test_unknown_columns_are_kept_as_custom_attributes(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    write_csv(src, "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true,GOLD,A-12",
        "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false,,",
    ], header=HEADERS["contacts"] + ",loyalty_card,Numéro adhérent")
    write_csv(src, "orders", ["ORG,O1,C1,,2025-09-10 10:00,INTERNET,printemps-2025"],
              header=HEADERS["orders"] + ",utm_campaign")
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded", read_rejects(result)
    assert summary(result)["contacts"]["unknown_columns"] == ["loyalty_card", "Numéro adhérent"]
    assert summary(result)["orders"]["unknown_columns"] == ["utm_campaign"]
    contacts = _attributes(store, schema.contacts, "contact_id")
    assert contacts["C1"] == {"loyalty_card": "GOLD", "Numéro adhérent": "A-12"}
    assert not contacts["C2"]  # empty cells are no attribute
    assert _attributes(store, schema.orders, "order_id") == {
        "O1": {"utm_campaign": "printemps-2025"}}
    assert _attributes(store, schema.order_lines, "line_id") == {"L1": None, "L2": None}


# -- Parquet and JSON Lines ---------------------------------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str | None]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(fh)]


_TYPED = {
    "start_date": lambda v: date.fromisoformat(v),
    "end_date": lambda v: date.fromisoformat(v),
    "birth_date": lambda v: date.fromisoformat(v),
    "email_opt_in": lambda v: v == "true",
    "amount": lambda v: Decimal(v),
    "starts_at": lambda v: datetime.fromisoformat(v),
    # an instant (stored in UTC by Parquet), read back in the organisation's zone
    "created_at": lambda v: datetime.fromisoformat(v).replace(tzinfo=ZoneInfo("Europe/Paris")),
}


def _as_parquet(csv_dir: Path, out: Path) -> Path:
    """The same data as Parquet, with native types (dates, booleans, decimals, instants)."""
    for path in sorted(csv_dir.glob("*.csv")):
        rows = _csv_rows(path)
        columns = {
            name: [None if r[name] is None else _TYPED.get(name, str)(r[name]) for r in rows]
            for name in rows[0]
        }
        write_parquet(out, path.stem, columns)
    return out


def _as_jsonl(csv_dir: Path, out: Path) -> Path:
    """The same data as JSON Lines: JSON booleans and numbers, nulls and absent keys."""
    for path in sorted(csv_dir.glob("*.csv")):
        objects = []
        for row in _csv_rows(path):
            obj = {k: v for k, v in row.items() if v is not None}
            if "email_opt_in" in obj:
                obj["email_opt_in"] = obj["email_opt_in"] == "true"
            if "amount" in obj:
                obj["amount"] = float(obj["amount"])
            if "payer_contact_id" in row:
                obj["payer_contact_id"] = None
            objects.append(obj)
        write_jsonl(out, path.stem, objects)
    return out


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_parquet_and_json_lines_import_the_same_data_as_csv(store, tmp_path, fmt):
    csv_dir = minimal_venue(tmp_path / "csv")
    convert = _as_parquet if fmt == "parquet" else _as_jsonl
    other = convert(csv_dir, tmp_path / fmt)
    first = _import(store, other, tmp_path)

    assert first.status == "succeeded", (first.error, read_rejects(first))
    assert {f.format for f in first.files} == {fmt}
    assert {f.entity: f.inserted for f in first.files} == {
        "organisations": 1, "seasons": 1, "contacts": 2, "products": 1, "performances": 1,
        "orders": 1, "order_lines": 2}
    assert _rows(store, schema.orders, "order_id", "created_at") == [
        ("O1", datetime(2025, 9, 10, 10, 0))]
    assert _rows(store, schema.order_lines, "line_id", "amount") == [
        ("L1", Decimal("30.00")), ("L2", Decimal("15.00"))]
    assert _rows(store, schema.contacts, "contact_id", "birth_date", "email_opt_in") == [
        ("C1", date(1980, 1, 1), True), ("C2", date(2015, 6, 1), False)]

    # the CSV twin finds every row identical
    second = _import(store, csv_dir, tmp_path)
    assert second.status == "succeeded"
    assert all((f.inserted, f.updated, f.unchanged) == (0, 0, f.read) for f in second.files)


def test_json_lines_that_are_not_objects_are_rejected_with_their_line(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    (src / "order_lines.csv").unlink()
    line = {"organisation_id": "ORG", "order_id": "O1", "product_id": "P1", "status": "PAID"}
    write_jsonl(src, "order_lines", [
        {**line, "line_id": "L1", "amount": 30},
        "",
        '{"organisation_id": "ORG", "line_id": ',
        "[1, 2]",
        {**line, "line_id": "L2", "amount": "12,50", "beneficiary_contact_id": "C2"},
        {**line, "line_id": "L3", "amount": -2},
        "   ",
        '"just a string"',
    ])
    result = _import(store, src, tmp_path)

    assert result.exit_code == 2
    assert read_rejects(result) == [
        ("order_lines.jsonl", 3, "", '{"organisation_id": "ORG", "line_id": ',
         "the line is not a JSON object"),
        ("order_lines.jsonl", 4, "", "[1, 2]", "the line is not a JSON object"),
        ("order_lines.jsonl", 6, "amount", "-2",
         "amount: '-2' is negative (a price paid is 0 or more)"),
        ("order_lines.jsonl", 8, "", '"just a string"', "the line is not a JSON object"),
    ]
    lines = summary(result)["order_lines"]
    assert (lines["read"], lines["inserted"], lines["rejected"]) == (6, 2, 4)
    assert _rows(store, schema.order_lines, "line_id", "amount", "beneficiary_contact_id") == [
        ("L1", Decimal("30.00"), None), ("L2", Decimal("12.50"), "C2")]


def test_json_lines_file_without_objects_fails_as_a_whole(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    (src / "contacts.csv").unlink()
    (src / "contacts.jsonl").write_text("\n\n", encoding="utf-8")
    result = _import(store, src, tmp_path)

    assert result.exit_code == 1
    assert result.error == "contacts.jsonl: the file holds no JSON object"
    assert _rows(store, schema.organisations, "organisation_id") == []


# -- single files -------------------------------------------------------------------------------


def test_single_file_imports_into_a_store_holding_the_rest(store, tmp_path):
    assert _import(store, minimal_venue(tmp_path / "in"), tmp_path).status == "succeeded"
    path = write_csv(tmp_path / "single", "contacts", [
        "C1,INST,INDIVIDUAL,,Claire,Martin,claire.martin@example.org,1980-01-01,true",
        "C3,INST,INDIVIDUAL,C1,Hugo,Martin,,2018-04-04,",
        "C4,INST,INDIVIDUAL,C9,Nina,Orphan,,,",
    ])
    result = _import(store, path, tmp_path)

    assert result.exit_code == 2
    assert [(f.file, f.read, f.inserted, f.updated, f.unchanged, f.rejected)
            for f in result.files] == [("contacts.csv", 3, 1, 1, 0, 1)]
    assert read_rejects(result) == [
        ("contacts.csv", 4, "parent_contact_id", "C9", "unknown contact 'C9'")]
    assert _rows(store, schema.contacts, "contact_id", "email", "parent_contact_id") == [
        ("C1", "claire.martin@example.org", None), ("C2", None, "C1"), ("C3", None, "C1")]

    # a line for the stored order, pointing at the contact just imported
    lines = write_csv(tmp_path / "single", "order_lines", ["ORG,O1,L3,P1,PF1,C3,12.00,PAID,,"])
    result = _import(store, lines, tmp_path)
    assert result.status == "succeeded", read_rejects(result)
    assert _rows(store, schema.order_lines, "line_id") == [("L1",), ("L2",), ("L3",)]
    assert len(_rows(store, schema.contacts, "contact_id")) == 3


def test_file_named_after_no_entity_needs_entity(store, tmp_path):
    assert _import(store, minimal_venue(tmp_path / "in"), tmp_path).status == "succeeded"
    path = write_csv(tmp_path / "single", "contacts", ["C5,INST,INDIVIDUAL,,Eve,Neuve,,,"],
                     name="export-clients-2026.csv")
    result = _import(store, path, tmp_path)

    assert result.exit_code == 1
    assert result.error == (
        "export-clients-2026.csv: cannot tell what the file holds from its name; name it after "
        "one of organisations, seasons, contacts, products, performances, orders, order_lines, "
        "social_shares, share_visits or pass --entity"
    )
    assert ("C5",) not in _rows(store, schema.contacts, "contact_id")

    result = _import(store, path, tmp_path, entity="contacts")
    assert result.status == "succeeded"
    assert [(f.file, f.entity, f.inserted) for f in result.files] == [
        ("export-clients-2026.csv", "contacts", 1)]
    assert ("C5",) in _rows(store, schema.contacts, "contact_id")


def test_directory_files_of_unknown_kind_are_left_aside(store, tmp_path):
    src = minimal_venue(tmp_path / "in")
    (src / "notes.csv").write_text("anything,at,all\n", encoding="utf-8")
    (src / "contacts.xlsx").write_bytes(b"PK\x03\x04")
    result = _import(store, src, tmp_path)

    assert result.status == "succeeded"
    assert result.ignored == ["contacts.xlsx", "notes.csv"]
    xlsx = _import(store, src / "contacts.xlsx", tmp_path)
    assert xlsx.error == ("contacts.xlsx: unknown file type '.xlsx' (expected .csv, .tsv, "
                          ".txt, .parquet, .jsonl or .ndjson)")
