"""Imports through the API: upload a file or a zip, the run imported in a background thread
and polled until it ends, its summary, its rejects; one import at a time; who may import."""

from __future__ import annotations

import csv
import io
import threading
import zipfile

import pytest

from habitue.settings import Settings
from tests.api.api_data import code, field
from tests.api.conftest import API

BAD_CONTACTS = ("contact_id,institution_id,first_name,email_opt_in,points\n"
                "C900,LYON,Zoé,true,7\n"
                "C901,LYON,Yann,maybe,\n")


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The API fixtures' settings, with the uploads kept under the test's directory."""
    return Settings(scheduler=False, secret_key="test-secret-key-not-for-production",
                    data_dir=str(tmp_path / "data"))


def zipped(folder) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, f"export/{path.name}")  # a folder inside the zip is fine
        zf.writestr("__MACOSX/._contacts.csv", b"junk")
        zf.writestr("README.txt", b"not a file of the format")
    return out.getvalue()


def upload(client, name: str, content: bytes | str, **form):
    data = content.encode() if isinstance(content, str) else content
    return client.post(f"{API}/imports", files={"file": (name, data)}, data=form)


def poll(client, workspace, run_id: int) -> dict:
    """Poll the run until it has ended: each try waits for the import's thread (bounded),
    never sleeps."""
    for _ in range(20):
        run = client.get(f"{API}/imports/{run_id}").json()
        if run["status"] != "running":
            return run
        workspace.import_jobs.wait(run_id, timeout=30)
    raise AssertionError(f"import {run_id} still running: {run}")


def test_upload_a_zip_of_the_example_venue(workspace, admin_client, example_dir, tmp_path):
    r = upload(admin_client, "venue.zip", zipped(example_dir))
    assert r.status_code == 202, r.text
    started = r.json()
    assert started["status"] in ("running", "succeeded") and started["source"] == "venue.zip"
    assert r.headers["location"] == f"{API}/imports/{started['run_id']}"
    run = poll(admin_client, workspace, started["run_id"])
    assert run["status"] == "succeeded", run
    assert [f["file"] for f in run["files"]][:3] == ["organisations.csv", "seasons.csv",
                                                     "contacts.csv"]
    contacts = next(f for f in run["files"] if f["entity"] == "contacts")
    assert (contacts["read"], contacts["inserted"], contacts["rejected"]) == (4, 4, 0)
    assert contacts["unknown_columns"] == ["loyalty_card"]
    assert run["ignored"] == ["README.txt"] and run["rejects_url"] is None
    assert run["finished_at"] is not None and run["error"] is None
    # on the application's clock (a run is timed from its start), not the machine's
    assert run["started_at"] <= run["finished_at"] < "2026-01-15T10:05"
    assert run["started_at"].startswith("2026-01-15T10:00")
    assert admin_client.get(f"{API}/contacts?q=martin").json()["total"] == 2
    kept = tmp_path / "data" / "imports" / str(started["run_id"]) / "files"
    assert sorted(p.name for p in kept.iterdir())[:2] == ["README.txt", "contacts.csv"]


def test_a_bad_row_is_rejected_and_its_rejects_downloaded(example_workspace, admin_client):
    r = upload(admin_client, "contacts.csv", BAD_CONTACTS)
    assert r.status_code == 202, r.text
    run = poll(admin_client, example_workspace, r.json()["run_id"])
    assert run["status"] == "partial" and run["rejected"] == 1
    assert run["files"][0]["inserted"] == 1 and run["files"][0]["rejected"] == 1
    assert run["rejects_url"] == f"{API}/imports/{run['run_id']}/rejects"
    r = admin_client.get(run["rejects_url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert list(csv.reader(io.StringIO(r.text))) == [
        ["file", "line", "column", "value", "reason"],
        ["contacts.csv", "3", "email_opt_in", "maybe",
         ("email_opt_in: 'maybe' is not a boolean (expected true/false, 1/0, yes/no, "
          "oui/non, y/n)")]]
    zoe = admin_client.get(f"{API}/contacts/C900").json()
    assert zoe["attributes"] == {"points": "7"}


def test_a_file_that_cannot_be_imported_fails_the_run(workspace, admin_client):
    r = upload(admin_client, "export.csv", "a,b\n1,2\n")
    run = poll(admin_client, workspace, r.json()["run_id"])
    assert run["status"] == "failed" and "cannot tell what the file holds" in run["error"]
    assert run["files"] == []
    r = upload(admin_client, "export.csv", "contact_id\nC1\n", entity="contacts")
    assert poll(admin_client, workspace, r.json()["run_id"])["status"] == "succeeded"


def test_an_unusable_upload_is_refused_and_recorded(workspace, admin_client):
    r = upload(admin_client, "venue.zip", b"this is no zip")
    assert r.status_code == 422 and code(r) == "invalid_upload" and field(r) == "body.file"
    [run] = admin_client.get(f"{API}/imports").json()["items"]
    assert run["status"] == "failed" and "not a readable zip" in run["error"]
    r = admin_client.post(f"{API}/imports", data={"entity": "contacts"})
    assert r.status_code == 422 and field(r) == "body.file"
    r = upload(admin_client, "contacts.csv", "contact_id\n", entity="tickets")
    assert r.status_code == 422 and field(r) == "body.entity"


def test_one_import_at_a_time(workspace, admin_client):
    release = threading.Event()
    real = workspace.import_path

    def held(*args, **kwargs):  # the first import waits until the test lets it go
        release.wait(30)
        return real(*args, **kwargs)

    workspace.import_path = held
    first = upload(admin_client, "contacts.csv", "contact_id\nC1\n").json()["run_id"]
    assert admin_client.get(f"{API}/imports/{first}").json()["status"] == "running"
    r = upload(admin_client, "contacts.csv", "contact_id\nC2\n")
    assert r.status_code == 409 and code(r) == "import_running"
    r = admin_client.get(f"{API}/imports/{first}/rejects")
    assert r.status_code == 409
    release.set()
    assert poll(admin_client, workspace, first)["status"] == "succeeded"
    r = upload(admin_client, "contacts.csv", "contact_id\nC2\n")
    assert r.status_code == 202
    assert poll(admin_client, workspace, r.json()["run_id"])["status"] == "succeeded"


def test_runs_are_listed_newest_first_with_the_command_line_ones(example_workspace,
                                                                 admin_client):
    r = upload(admin_client, "contacts.csv", BAD_CONTACTS)
    poll(admin_client, example_workspace, r.json()["run_id"])
    page = admin_client.get(f"{API}/imports?page_size=1").json()
    assert page["total"] == 2 and page["page_size"] == 1
    assert [run["source"] for run in page["items"]] == ["contacts.csv"]
    older = admin_client.get(f"{API}/imports?page=2&page_size=1").json()["items"]
    assert older[0]["source"].endswith("examples/venue") and older[0]["status"] == "succeeded"
    r = admin_client.get(f"{API}/imports/999")
    assert r.status_code == 404 and field(r) == "path.run_id"


def test_who_may_import(example_workspace, client_for):
    for client in (client_for("viewer", ["THEATRE", "OPERA"]),
                   client_for("marketing", ["THEATRE"]), client_for("admin", ["OPERA"])):
        r = upload(client, "contacts.csv", "contact_id\nC1\n")
        assert r.status_code == 403 and code(r) == "forbidden"
        assert client.get(f"{API}/imports/1/rejects").status_code == 403
        assert client.get(f"{API}/imports/1").status_code == 200  # following runs is fine
    every = client_for("marketing", ["THEATRE", "OPERA"])
    r = upload(every, "contacts.csv", "contact_id\nC1\n")
    assert r.status_code == 202
    poll(every, example_workspace, r.json()["run_id"])
    [entry] = example_workspace.audit.query(action="import.create").entries
    assert (entry.actor, entry.target) == (every.login, str(r.json()["run_id"]))


def test_a_running_import_shows_its_current_step(workspace, admin_client):
    reached, release = threading.Event(), threading.Event()
    real = workspace.import_path

    def held(*args, reporter, **kwargs):  # reports a step, then waits for the test
        reporter.step("merging contacts.csv", 0, None)
        reached.set()
        release.wait(30)
        return real(*args, reporter=reporter, **kwargs)

    workspace.import_path = held
    run_id = upload(admin_client, "contacts.csv", "contact_id\nC1\n").json()["run_id"]
    assert reached.wait(30)
    running = admin_client.get(f"{API}/imports/{run_id}").json()
    assert (running["status"], running["progress"]) == ("running", "merging contacts.csv")
    release.set()
    done = poll(admin_client, workspace, run_id)
    assert (done["status"], done["progress"]) == ("succeeded", None)
