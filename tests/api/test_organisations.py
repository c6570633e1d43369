"""Organisations and seasons through the API, scoped to what the caller sees."""

from __future__ import annotations

import pytest

from tests.api.api_data import add_nice, code, field
from tests.api.conftest import API


@pytest.fixture
def venue(example_workspace, tmp_path, clock):
    add_nice(example_workspace, tmp_path, clock())
    return example_workspace


def test_an_administrator_of_everything_sees_every_organisation(venue, admin_client):
    r = admin_client.get(f"{API}/organisations")
    assert r.status_code == 200
    assert [o["organisation_id"] for o in r.json()] == ["FEST", "OPERA", "THEATRE"]
    opera = r.json()[1]
    assert opera == {"organisation_id": "OPERA", "name": "Opéra de Lyon",
                     "institution_id": "LYON", "timezone": "Europe/Paris", "currency": "EUR"}


def test_a_viewer_sees_only_its_organisations(venue, client_for):
    viewer = client_for("viewer", ["THEATRE"])
    assert [o["organisation_id"] for o in viewer.get(f"{API}/organisations").json()] == [
        "THEATRE"]
    assert viewer.get(f"{API}/organisations/THEATRE").json()["name"] == "Théâtre des Célestins"
    for path in ("/organisations/OPERA", "/organisations/FEST/seasons", "/organisations/NOPE"):
        r = viewer.get(f"{API}{path}")
        assert r.status_code == 404 and code(r) == "not_found"
        assert field(r) == "path.organisation_id"


def test_seasons_are_listed_oldest_first_with_the_current_one(venue, client_for, clock):
    viewer = client_for("viewer", ["THEATRE"])
    r = viewer.get(f"{API}/organisations/THEATRE/seasons")
    assert r.status_code == 200
    assert r.json() == [
        {"organisation_id": "THEATRE", "season_id": "T2024", "name": "2024/2025",
         "start_date": "2024-09-01", "end_date": "2025-08-31", "current": False},
        {"organisation_id": "THEATRE", "season_id": "T2025", "name": "2025/2026",
         "start_date": "2025-09-01", "end_date": "2026-08-31", "current": True},
    ]
    clock.now = clock.now.replace(year=2025, month=3)  # the clock decides which is current
    assert [s["current"] for s in viewer.get(
        f"{API}/organisations/THEATRE/seasons").json()] == [True, False]


def test_without_a_token_organisations_are_401(venue, anonymous):
    r = anonymous.get(f"{API}/organisations")
    assert r.status_code == 401 and code(r) == "not_authenticated"


def test_unexpected_errors_and_an_unusable_store_keep_the_error_shape(tmp_path):
    from fastapi import APIRouter
    from fastapi.testclient import TestClient

    from habitue.api.app import create_app
    from habitue.services.workspace import Workspace
    from habitue.settings import Settings
    from habitue.storage.store import Store

    ws = Workspace(Store(f"duckdb:///{tmp_path / 'never-initialised.duckdb'}"),
                   Settings(scheduler=False, secret_key="x"))
    app = create_app(ws.settings, workspace=ws)
    broken = APIRouter()

    @broken.get(f"{API}/broken")
    def fail() -> dict:
        raise RuntimeError("a bug")

    app.include_router(broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get(f"{API}/broken")
        assert r.status_code == 500 and code(r) == "internal_error"
        assert "a bug" not in r.text
        r = client.get(f"{API}/health")
        assert r.status_code == 503 and code(r) == "store_unavailable"
        assert "habitue init" in r.json()["error"]["message"]
    ws.close()
