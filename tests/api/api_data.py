"""Data of the API resource tests: the example venue (THEATRE and OPERA, institution LYON)
and a second institution NICE with one organisation FEST, so that a user of one institution
can be shown not to see the other's contacts, segments and lists."""

from __future__ import annotations

from pathlib import Path

from habitue.services.workspace import Workspace

NICE_FILES = {
    "organisations.csv": "organisation_id,name,institution_id\nFEST,Festival de Nice,NICE\n",
    "seasons.csv": "organisation_id,season_id,name,start_date,end_date\n"
                   "FEST,F2025,2025/2026,2025-09-01,2026-08-31\n",
    "contacts.csv": "contact_id,institution_id,first_name,last_name,email,postal_code,"
                    "email_opt_in\n"
                    "N001,NICE,Nadia,Niçoise,nadia@example.org,06000,true\n"
                    "C001,NICE,Claire,Homonyme,claire.nice@example.org,06100,false\n",
}


def add_nice(ws: Workspace, tmp_path: Path, now) -> None:
    """Import the second institution into the workspace."""
    folder = tmp_path / "nice"
    folder.mkdir()
    for name, text in NICE_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = ws.import_path(folder, now=now, rejects_path=tmp_path / "nice-rejects.csv")
    assert result.status == "succeeded", result.as_dict()


def code(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, body
    return body["error"]["code"]


def field(response) -> str | None:
    return response.json()["error"]["field"]
