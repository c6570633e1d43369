"""The contact search's folding (storage.text_folding) on both stores: Python folds a word as
the store folds a name, letter for letter; each contact's ``search_text`` is written folded by
migration 0011, by every import (inserts, updates of some columns only, merged by the store or
in DuckDB) and by the API's records, so that a contact is found by its new names and no
longer by its old ones; on PostgreSQL a word search uses the trigram index of that column."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from habitue.importers.records import Record
from habitue.importers.runner import run_import
from habitue.services.records import ingest_records
from habitue.storage import migrate
from habitue.storage.contact_queries import ContactFilter, _where, search_contacts
from habitue.storage.schema import SECONDARY_INDEXES, contacts
from habitue.storage.text_folding import SEARCHED_COLUMNS, SPELT, fold, folded_sql, search_text_sql
from tests.factories.files import minimal_venue, write_csv

NOW = datetime(2026, 1, 15, 12, 0)

# every letter of the Latin blocks, Greek and Cyrillic, composed and decomposed, capitals
# and small; a few of the scripts where the engines part (Hebrew points, Devanagari vowel
# signs, Japanese voicing marks, Hangul); the letters spelt out
LETTERS = [chr(c) for lo, hi in ((0xC0, 0x24F), (0x370, 0x4FF), (0x1E00, 0x1EFF))
           for c in range(lo, hi + 1) if unicodedata.category(chr(c)).startswith("L")]
TEXTS = (LETTERS + [unicodedata.normalize("NFD", c) for c in LETTERS]
         + ["שָׁלוֹם", "प्रिया", "がぎ", "한국", "İstanbul", "ẞ", "Hélène Lœvenbruck", "", "A-b_c%",
            *(letter for letter, _ in SPELT)])


def test_python_folds_a_word_as_the_store_folds_a_name(store):
    dialect = "postgresql" if store.kind == "postgresql" else "duckdb"
    with store.connect() as conn:  # never committed: the table goes with the rollback
        conn.execute(sa.text("CREATE TEMPORARY TABLE folding (i INTEGER, t TEXT)"))
        conn.execute(sa.text("INSERT INTO folding VALUES (:i, :t)"),
                     [{"i": i, "t": f"x{t}y"} for i, t in enumerate(TEXTS)]
                     + [{"i": -1, "t": None}])
        got = dict(conn.execute(sa.text(
            f"SELECT i, {folded_sql('t', dialect)} FROM folding")).all())
    assert got.pop(-1) is None
    assert got == {i: fold(f"x{t}y", dialect) for i, t in enumerate(TEXTS)}
    # the words marketing teams type
    assert {fold(w, dialect) for w in ("Hélène", "HÉLÈNE", "helene", "He\u0301le\u0300ne")} == {
        "helene"}
    assert fold("LŒVENBRUCK", dialect) == "loevenbruck" == fold("Lœvenbrück", dialect)
    assert [fold(w, dialect) for w in ("Straße", "ŁÓDŹ", "Ærø", "École")] == [
        "strasse", "lodz", "aero", "ecole"]


def _dialect(store) -> str:
    return "postgresql" if store.kind == "postgresql" else "duckdb"


def _index_definition(conn) -> str | None:
    return conn.execute(sa.text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_contacts_search' "
        "AND schemaname = current_schema()")).scalar()


def test_the_migration_writes_search_text_as_the_merge_does(store):
    """Migration 0011 fills ``search_text`` with its own frozen copy of the folding: it must
    be the one the importer's merge writes (``search_text_sql``), letter for letter."""
    dialect = _dialect(store)
    names = [t for t in TEXTS if t]
    with store.begin() as conn:  # written as no import would: no search_text
        conn.execute(contacts.insert(), [
            {"institution_id": "I", "contact_id": f"C{i}", "last_name": t,
             "first_name": names[(i + 1) % len(names)], "structure_name": None if i % 3
             else names[(i + 2) % len(names)], "email": None if i % 2 else f"{t}@ex.org"}
            for i, t in enumerate(names)] + [dict.fromkeys(SEARCHED_COLUMNS) | {
                "institution_id": "I", "contact_id": "EMPTY"}])
    with store.begin() as conn:
        cfg = migrate._config(conn)
        command.downgrade(cfg, "0010")
        before = _index_definition(conn) if dialect == "postgresql" else None
        command.upgrade(cfg, "head")
        built = _index_definition(conn) if dialect == "postgresql" else None
    with store.connect() as conn:
        rows = conn.execute(sa.text(
            f"SELECT contact_id, search_text, {search_text_sql(dialect)}, "
            f"{', '.join(SEARCHED_COLUMNS)} FROM contacts")).all()
    assert len(rows) == len(names) + 1
    for contact_id, stored, merged, *values in rows:
        assert stored == merged == " ".join(fold(v, dialect) for v in values if v is not None), \
            contact_id
    if dialect == "postgresql":  # 0009's index of an expression, then 0011's of the column
        assert "lower(" in before and "search_text" not in before
        assert built.endswith("USING gin (search_text gin_trgm_ops)")
        declared = next(ix for ix in SECONDARY_INDEXES if ix.name == "ix_contacts_search")
        with store.connect() as conn:  # as a bulk import builds it again, rolled back
            conn.execute(sa.text("DROP INDEX ix_contacts_search"))
            conn.execute(sa.text(str(CreateIndex(declared).compile(
                dialect=postgresql.dialect()))))
            assert _index_definition(conn) == built


def test_a_word_search_uses_the_trigram_index(pg_store):
    names = ["Hélène", "Lœvenbruck", "Martin", "Durand", "Bernard", "Petit", "Moreau", "Zoé"]
    with pg_store.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO contacts (institution_id, contact_id, first_name, last_name, email) "
            "VALUES ('I', :id, :first, :last, :email)"),
            [{"id": f"C{i:05d}", "first": names[i % 8], "last": f"{names[i % 7]}{i}",
              "email": f"c{i}@example.org"} for i in range(4000)])
        conn.execute(sa.text(f"UPDATE contacts SET search_text = "
                             f"{search_text_sql('postgresql')}"))
        conn.execute(sa.text("ANALYZE contacts"))
    words = ContactFilter(("LOEVENBRÜCK120",))
    with pg_store.connect() as conn:
        # whether the index can answer the query: on a few thousand contacts the planner
        # rightly prefers to scan; it picks the index by itself from about 10,000 (measured)
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        params: dict = {}
        plan = "\n".join(r[0] for r in conn.execute(sa.text(
            f"EXPLAIN SELECT contact_id FROM contacts WHERE {_where(words, params, 'postgresql')}"),
            params))
        assert "ix_contacts_search" in plan, plan
        total, page = search_contacts(conn, words, offset=0, limit=10)
    expected = sorted(f"Lœvenbruck{i}" for i in range(4000)
                      if i % 7 == 1 and str(i).startswith("120"))
    assert total == len(expected) == 2 and [c["last_name"] for c in page] == expected


# -- what writes contacts keeps search_text up to date --------------------------------------


def _found(store, *words: str) -> list[str]:
    with store.connect() as conn:
        total, page = search_contacts(conn, ContactFilter(words), offset=0, limit=50)
    assert total == len(page)
    return [c["contact_id"] for c in page]


def _import(store, directory: Path, tmp_path: Path):
    result = run_import(store, directory, now=NOW, rejects_path=tmp_path / "rejects.csv")
    assert result.status == "succeeded", (result.error, result.files)
    return result


def _venue(directory: Path) -> Path:
    minimal_venue(directory)
    write_csv(directory, "contacts", [
        "C1,INST,INDIVIDUAL,,Hélène,Lœvenbruck,helene@théâtre.example,1980-01-01,true",
        "C2,INST,INDIVIDUAL,C1,Léa,MARTIN,,2015-06-01,false",
        "C3,INST,INDIVIDUAL,,Paul,Straße,paul@example.org,1990-01-01,true",
    ])
    return directory


@pytest.mark.both_merges
def test_an_import_writes_the_search_text_of_new_contacts(store, tmp_path):
    _import(store, _venue(tmp_path / "v"), tmp_path)
    assert _found(store, "helene") == _found(store, "HÉLÈNE") == ["C1"]
    assert _found(store, "loevenbruck", "théâtre") == ["C1"]
    assert _found(store, "lea", "martin") == ["C2"]
    assert _found(store, "strasse") == _found(store, "@example.org") == ["C3"]
    assert _found(store, "C2") == ["C2"]  # the id, as it is


@pytest.mark.both_merges
def test_an_import_of_some_columns_writes_the_search_text_of_the_row_as_merged(store, tmp_path):
    _import(store, _venue(tmp_path / "v"), tmp_path)
    write_csv(tmp_path / "email", "contacts", ["C1,INST,hlv@opera.example"],
              header="contact_id,institution_id,email")
    result = _import(store, tmp_path / "email", tmp_path)
    assert result.files[0].updated == 1
    assert _found(store, "opera.example") == _found(store, "helene", "lœvenbruck") == ["C1"]
    assert _found(store, "théâtre") == []
    write_csv(tmp_path / "name", "contacts", ["C2,INST,Núñez", "C3,INST,"],
              header="contact_id,institution_id,last_name")
    result = _import(store, tmp_path / "name", tmp_path)
    assert result.files[0].updated == 2
    assert _found(store, "nunez") == _found(store, "léa") == ["C2"]  # the first name kept
    assert _found(store, "martin") == _found(store, "strasse") == []
    assert _found(store, "paul", "example") == ["C3"]  # a name cleared, the others kept


@pytest.mark.both_merges
def test_search_text_is_no_column_of_the_import_format(store, tmp_path):
    """A file's ``search_text`` column is a custom attribute like any unknown column."""
    write_csv(tmp_path / "v", "contacts", ["C1,INST,INDIVIDUAL,Ève,Zola,zzz"],
              header="contact_id,institution_id,kind,first_name,last_name,search_text")
    result = _import(store, tmp_path / "v", tmp_path)
    assert result.files[0].unknown_columns == ["search_text"]
    assert _found(store, "zzz") == [] and _found(store, "eve", "zola") == ["C1"]


def test_a_contact_changed_through_the_api_is_found_by_its_new_name(store, tmp_path):
    _import(store, _venue(tmp_path / "v"), tmp_path)
    result = ingest_records(store, [
        Record("contacts", {"contact_id": "C3", "institution_id": "INST",
                            "first_name": "Zoë", "last_name": "Ørsted"}),
        Record("contacts", {"contact_id": "C4", "institution_id": "INST",
                            "structure_name": "Théâtre de l'Œuvre", "kind": "STRUCTURE"}),
    ], now=NOW)
    assert result.actions == ["updated", "inserted"]
    assert _found(store, "zoe", "orsted") == _found(store, "paul@example") == ["C3"]
    assert _found(store, "strasse") == []
    assert _found(store, "oeuvre", "THEATRE") == ["C4"]
