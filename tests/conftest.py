"""Shared fixtures: the same tests run on a DuckDB file and on a real PostgreSQL database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from habitue.storage import migrate, schema
from habitue.storage.store import Store

PG_ADMIN_URL = os.environ.get("HABITUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test process (one per xdist worker; the pid keeps
    two test runs on one machine apart)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    dbname = f"habitue_test_{worker}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    url = _pg_url(dbname)
    store = Store(url)
    migrate.upgrade(store)
    store.dispose()
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _truncate_all(url: str) -> None:
    names = ", ".join(t.name for t in schema.metadata.sorted_tables)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute(f"TRUNCATE {names}")


STORES = ["duckdb", "postgresql"]
MERGED_IN_DUCKDB = "postgresql-merged-in-duckdb"


def pytest_generate_tests(metafunc):
    """Tests marked ``both_merges`` run a third time on PostgreSQL, every import merged in
    DuckDB against a mirror of the store (``importers.mirror``, the bulk path)."""
    if "store" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_merges")
        metafunc.parametrize("store", [*STORES, MERGED_IN_DUCKDB] if both else STORES,
                             indirect=True)


@pytest.fixture
def store(request, tmp_path: Path, monkeypatch) -> Iterator[Store]:
    """An empty, initialised store: a DuckDB file, then a PostgreSQL database (and, for
    tests marked ``both_merges``, PostgreSQL with every import merged in DuckDB)."""
    if request.param == MERGED_IN_DUCKDB:
        from habitue.importers import mirror

        monkeypatch.setattr(mirror, "MIRROR_FROM_ROWS", 0)
        monkeypatch.setattr(mirror, "MIRROR_SHARE", 0.0)
    if request.param == "duckdb":
        s = Store(f"duckdb:///{tmp_path / 'habitue.duckdb'}")
        migrate.upgrade(s)
    else:
        url = request.getfixturevalue("pg_database")
        _truncate_all(url)
        s = Store(url)
    yield s
    s.dispose()


@pytest.fixture
def pg_store(pg_database: str) -> Iterator[Store]:
    """An empty, initialised PostgreSQL store, for behaviour only PostgreSQL has."""
    _truncate_all(pg_database)
    s = Store(pg_database)
    yield s
    s.dispose()


@pytest.fixture
def duckdb_store(tmp_path: Path) -> Iterator[Store]:
    """An empty, initialised DuckDB store, for behaviour only DuckDB has."""
    s = Store(f"duckdb:///{tmp_path / 'habitue.duckdb'}")
    migrate.upgrade(s)
    yield s
    s.dispose()


@pytest.fixture
def example_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "examples" / "venue"
