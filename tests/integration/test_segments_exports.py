"""Exports (CSV through the store, XLSX streamed), exports for a purpose, marketing lists and
the size history of saved segments, on DuckDB and PostgreSQL."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from habitue.services import marketing_lists as L
from habitue.services import segment_exports as E
from habitue.services import segments as S
from habitue.services.segment_evaluation import SegmentError, evaluation_runner
from tests.factories.segment_venue import D, everyone, load_segment_venue, segment_venue

NOW = datetime(2026, 1, 15, 12)
COLUMNS = "contact_id,email,abonne,abonne:level,abonne:label_en,abonne:label_fr," \
          "attribute:points,postal_code"


@pytest.fixture
def venue(store, tmp_path):
    load_segment_venue(store, tmp_path)
    S.create_segment(store, key="everyone", now=NOW, definition=everyone())
    S.create_segment(store, key="opera", name="Opera twice", now=NOW, by="marketing",
                     definition="rules: [{behaviour: bought, genre: Opéra, lines: {gte: 2}}]")
    return store


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def read_xlsx(path: Path) -> list[list[object]]:
    """The first sheet's cells (inline or shared strings, numbers, booleans) as rows."""
    ns = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['x']}}}t"))
                      for si in root.findall("x:si", ns)]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{ns['x']}}}row"):
        cells: dict[int, object] = {}
        for c in row.findall("x:c", ns):
            letters = re.match(r"[A-Z]+", c.get("r")).group()
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            kind, v = c.get("t"), c.find("x:v", ns)
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{{{ns['x']}}}t"))
            elif kind == "s":
                value = shared[int(v.text)]
            elif kind == "b":
                value = v.text == "1"
            else:
                value = float(v.text)
            cells[col - 1] = value
        rows.append([cells.get(i) for i in range(max(cells) + 1)] if cells else [])
    return rows


EXPECTED = [
    ["contact_id", "email", "abonne", "abonne:level", "abonne:label_en", "abonne:label_fr",
     "attribute:points", "postal_code"],
    ["A", "a@example.org", "false", "0", "No", "Non", "12", "75002"],
    ["B", "b@example", "false", "0", "No", "Non", "3", "69001"],
    ["C", "", "true", "1", "Yes", "Oui", "", "75011"],
    ["D", "d@example.org", "false", "0", "No", "Non", "", "75116"],
    ["E", "e@example.org", "false", "0", "No", "Non", "", ""],
    ["F", "", "false", "0", "No", "Non", "", ""],
]


def test_csv_export_with_chosen_columns(venue, tmp_path):
    out = tmp_path / "everyone.csv"
    summary = E.export_segment(venue, S.target_of(venue, key="everyone"), as_of=D, path=out,
                               columns=COLUMNS)
    assert (summary.format, summary.members, summary.exported) == ("csv", 6, 6)
    assert read_csv(out) == EXPECTED


def test_xlsx_export_has_the_same_rows_typed(venue, tmp_path):
    out = tmp_path / "everyone.xlsx"
    summary = E.export_segment(venue, S.target_of(venue, key="everyone"), as_of=D, path=out,
                               columns=COLUMNS)
    assert (summary.format, summary.exported) == ("xlsx", 6)
    rows = read_xlsx(out)
    assert rows[0] == EXPECTED[0]
    # levels are numbers; absent values are empty cells
    as_text = [[("" if v is None else str(int(v)) if isinstance(v, float) else v)
                for v in row] + [""] * (len(EXPECTED[0]) - len(row)) for row in rows[1:]]
    assert as_text == EXPECTED[1:]


@pytest.mark.parametrize(("purpose", "kept", "left_out"), [
    ("email", ["A", "E"], {"no_opt_in": 3, "unusable_address": 1}),  # C D F | B
    ("sms", ["C"], {"no_opt_in": 4, "unusable_address": 1}),  # A B D E | F
    ("post", ["D"], {"no_opt_in": 5, "unusable_address": 0}),
])
def test_export_for_a_purpose(venue, tmp_path, purpose, kept, left_out):
    out = tmp_path / f"{purpose}.csv"
    summary = E.export_segment(venue, S.target_of(venue, key="everyone"), as_of=D, path=out,
                               columns="contact_id", purpose=purpose)
    assert [r[0] for r in read_csv(out)[1:]] == kept
    assert (summary.members, summary.exported, summary.left_out) == (6, len(kept), left_out)


def test_bad_columns_format_or_purpose(venue, tmp_path):
    target = S.target_of(venue, key="everyone")
    for kwargs, message in (({"columns": "nope"}, "unknown column 'nope'"),
                            ({"columns": "pmg:colour"}, "unknown part 'colour'"),
                            ({"purpose": "fax"}, "unknown purpose 'fax'"),
                            ({"fmt": "pdf"}, "unknown export format 'pdf'")):
        with pytest.raises(SegmentError, match=message):
            E.export_segment(venue, target, as_of=D, path=tmp_path / "x.csv", **kwargs)


def test_a_list_is_frozen_a_segment_is_not(venue, store, tmp_path):
    m = L.freeze_list(venue, "opera", name="Opera fans", as_of=D, now=NOW, by="me")
    assert (m.member_count, m.segment_key, m.as_of, m.created_by) == (1, "opera", D, "me")
    assert m.definition["rules"][0]["genre"] == "Opéra"
    # later facts: B buys two opera tickets before D
    v = segment_venue()
    v.order("OB2", buyer="B", at="2026-01-10 10:00")
    v.line("LB21", order="OB2", performance="OP2")
    v.line("LB22", order="OB2", performance="OP2")
    v.load(store, tmp_path, name="later")
    assert S.count_segment(venue, S.target_of(venue, key="opera"), as_of=D) == 2
    out = tmp_path / "list.csv"
    summary = E.export_list(venue, L.find_list(venue, "Opera fans"), path=out,
                            columns="contact_id,email")
    assert read_csv(out) == [["contact_id", "email"], ["A", "a@example.org"]]
    assert summary.members == 1
    assert [x.name for x in L.list_lists(venue)] == ["Opera fans"]


def test_lists_by_id_or_name(venue):
    L.freeze_list(venue, "opera", name="Twice", as_of=D, now=NOW)
    L.freeze_list(venue, "everyone", name="Twice", as_of=D, now=NOW)
    assert L.find_list(venue, "2").member_count == 6
    with pytest.raises(SegmentError, match="2 lists are named 'Twice': give its id"):
        L.find_list(venue, "Twice")
    with pytest.raises(SegmentError, match="unknown list 'Thrice'"):
        L.find_list(venue, "Thrice")
    with pytest.raises(SegmentError, match="unknown segment 'nope'"):
        L.freeze_list(venue, "nope", name="X", as_of=D, now=NOW)
    L.delete_list(venue, "1")
    assert [m.list_id for m in L.list_lists(venue)] == [2]


def test_sizes_are_recorded_per_batch(venue):
    with evaluation_runner(venue) as runner:
        assert S.record_segment_sizes(runner, ["ORG"], D, 7) == {"everyone": 6, "opera": 1}
    later = D + timedelta(days=400)  # the 12-month windows are empty then
    S.update_segment(venue, "opera", now=NOW, definition="rules: [{behaviour: bought, "
                     "order_date: {last: 12 months}}]")
    with evaluation_runner(venue) as runner:
        assert S.record_segment_sizes(runner, None, later, 8)["opera"] == 0
        assert S.record_segment_sizes(runner, ["ELSEWHERE"], later, 9) == {}
    assert S.show_segment(venue, "opera").sizes == [(later, 0, 8), (D, 1, 7)]
    summary = {s.segment.key: s.last_size for s in S.list_segments(venue)}
    assert summary == {"everyone": (later, 6), "opera": (later, 0)}
    S.delete_segment(venue, "opera")
    assert [s.segment.key for s in S.list_segments(venue)] == ["everyone"]


def test_sizes_after_a_batch_on_the_batch_runner(venue):
    """As ``compute_batch`` will call it: on DuckDB a runner outside any transaction, on
    PostgreSQL inside the batch's transaction (rolled back with it)."""
    like = "LIKE '\\_ind\\_%' ESCAPE '\\'"
    tables = {"duckdb": f"SELECT count(*) FROM duckdb_tables() WHERE table_name {like}",
              "postgresql": f"SELECT count(*) FROM pg_tables WHERE tablename {like}"}
    with evaluation_runner(venue) as runner:
        S.record_segment_sizes(runner, ["ORG"], date(2026, 1, 16), 3)
        inside = runner.scalar("SELECT count(*) FROM segment_sizes WHERE batch_id = 3")
        leftovers = runner.scalar(tables[venue.kind])  # the facts it needed are dropped
    assert (inside, leftovers) == (2, 0)
    assert S.show_segment(venue, "everyone").sizes == [(date(2026, 1, 16), 6, 3)]
