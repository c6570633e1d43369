"""The worked example imports cleanly, and a second import changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from habitue.importers.runner import run_import
from habitue.storage import schema

pytestmark = pytest.mark.both_merges  # PostgreSQL: each merge (conftest)

NOW = datetime(2026, 1, 15, 12, 0)


def _count(store, table) -> int:
    with store.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_example_imports_and_reimport_changes_nothing(store, example_dir):
    first = run_import(store, example_dir, now=NOW)
    assert first.status == "succeeded", first.error
    assert first.exit_code == 0
    assert {f.entity: f.inserted for f in first.files}["order_lines"] == 8
    lines_before = _count(store, schema.order_line_statuses)

    second = run_import(store, example_dir, now=NOW)
    assert second.status == "succeeded"
    assert all(f.inserted == 0 and f.updated == 0 for f in second.files)
    assert all(f.unchanged == f.read for f in second.files)
    assert _count(store, schema.order_line_statuses) == lines_before
    assert _count(store, schema.order_lines) == 7
