"""The per-contact (real-time) path gives exactly what the batch gives, on generated data."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from habitue.generator import generate_venue
from habitue.services.indicators import codes_for, compute_indicators, refresh_touched
from habitue.storage import schema
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import native
from tests.factories.venue import generated_and_computed

D = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, 0)


@pytest.fixture
def generated_store(store, tmp_path):
    return generated_and_computed(store, tmp_path / "venue", contacts=400, seed=7, today=D,
                                  now=NOW)


def _rows(store, contacts: list[str]) -> dict:
    t = schema.contact_indicators
    cols = [c for c in t.columns if c.name not in ("as_of", "batch_id")]
    with store.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(t.c.contact_id.in_(contacts))).mappings()
        return {(r["organisation_id"], r["contact_id"]): dict(r) for r in rows}


def test_per_contact_refresh_equals_batch(generated_store):
    store = generated_store
    with store.connect() as conn:
        all_contacts = sorted(conn.execute(sa.select(schema.contacts.c.contact_id)).scalars())
    picked = random.Random(3).sample(all_contacts, 40)
    expected = _rows(store, picked)
    assert len(expected) == 80  # 40 contacts x 2 organisations
    # the sample must exercise the indicators, not only their defaults
    assert any(r["assiduite_level"] > 0 for r in expected.values())
    assert any(r["pmg_level"] > 0 for r in expected.values())

    t = schema.contact_indicators
    wipe = {c.name: None for c in t.columns
            if c.name not in ("organisation_id", "contact_id", "institution_id", "as_of",
                              "batch_id")}
    with store.begin() as conn:
        conn.execute(t.update().where(t.c.contact_id.in_(picked)).values(**wipe))
    assert all(r["assiduite_level"] is None for r in _rows(store, picked).values())

    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        ids = ", ".join(f"('default', '{c}')" for c in picked)
        refreshed = refresh_touched(
            runner, as_of=D, codes=codes_for("full"),
            touched_sql=f"SELECT * FROM (VALUES {ids}) AS v(institution_id, contact_id)")
    assert refreshed == 80
    assert _rows(store, picked) == expected


def _realtime(store) -> dict:
    t = schema.contact_indicators
    cols = [t.c.organisation_id, t.c.contact_id,
            *(t.c[c] for code in codes_for("realtime") for c in (code, f"{code}_level"))]
    with store.connect() as conn:
        return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(sa.select(*cols))}


@pytest.mark.both_merges
def test_a_bulk_load_refreshes_every_contact_once_committed(store, tmp_path, monkeypatch):
    """Past the per-contact limit (50,000 contacts; 50 here), an import refreshes the
    real-time indicators of every contact of its institutions as a batch, after its commit
    (merged in DuckDB on PostgreSQL: computed in that DuckDB, stored in the import's
    transaction): the values are those of a full computation."""
    import habitue.importers.merge as merge
    import habitue.services.indicators as indicators
    from habitue.services.workspace import Workspace

    monkeypatch.setattr(merge, "TOUCH_EVERYONE_FROM", 50)
    monkeypatch.setattr(indicators, "PER_CONTACT_LIMIT", 50)
    data = generate_venue(tmp_path / "venue", contacts=300, organisations=2, seed=11, today=D)
    result = Workspace(store).import_path(data.directory, now=NOW)
    assert result.status == "succeeded", result.error
    assert result.touched_contacts == 300

    refreshed = _realtime(store)
    assert len(refreshed) == 600  # every contact, in both organisations
    with store.connect() as conn:
        batches = conn.execute(sa.select(schema.indicator_batches.c.cadence)).scalars().all()
    assert batches == ["realtime"]

    compute_indicators(store, as_of=D, now=NOW)
    full = _realtime(store)
    assert refreshed == full
    assert any(levels[1] > 0 for levels in full.values())  # not only defaults
