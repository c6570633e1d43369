"""Benchmark: server time of the pages marketing teams use most (contact search, the contact
card and its timeline, the dashboard) on a store that holds a computed venue.

    .venv/bin/python bench/bench_web.py --database-url duckdb:///bench/data/import-1000000.duckdb

Requests go through the whole application in-process (Starlette's test client, logged in as an
administrator created for the purpose); each figure is the server's own time, read from the
``Server-Timing`` header the contact pages set (for the dashboard, the in-process round
trip). Beside each page, its floor: the plain queries of what it shows (the name matched by
``LIKE``, the id by equality, the contact's row and indicators, its orders and lines, the
levels counted), timed on one open connection. ``--json`` prints the figures as one JSON
object and saves nothing (``bench/suite.py`` runs it so, as a child). Never part of the test
run.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from datetime import datetime

import sqlalchemy as sa
from common import machine, save, self_peak_rss_mb
from fastapi.testclient import TestClient

from habitue.api.app import create_app
from habitue.services.accounts import AccountError
from habitue.services.workspace import Workspace
from habitue.settings import Settings
from habitue.storage.store import Store

LOGIN, PASSWORD = "bench", "bench-password-2026"


def _log_in(client: TestClient) -> TestClient:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"login": LOGIN, "password": PASSWORD,
                                    "csrf_token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return client


CODES = ("assiduite", "produit_enfant", "adherent", "pmg", "pmg_n", "recence",
         "filiere_vente", "abonne", "anciennete", "jeune", "engagement_social",
         "influence_sociale")
ORGS = "SELECT organisation_id FROM organisations WHERE institution_id = :i"
FLOORS = {
    "contact search, a name": [
        ("SELECT institution_id, contact_id, last_name, first_name FROM contacts "
         "WHERE lower(last_name) LIKE :pattern ORDER BY last_name, contact_id LIMIT 50")],
    "contact search, an id": [
        ("SELECT institution_id, contact_id, last_name, first_name FROM contacts "
         "WHERE contact_id = :c LIMIT 50")],
    "contact card": [
        "SELECT * FROM contacts WHERE institution_id = :i AND contact_id = :c",
        f"SELECT * FROM contact_indicators WHERE contact_id = :c AND organisation_id IN ({ORGS})"],
    "card timeline": [
        f"SELECT * FROM orders WHERE buyer_contact_id = :c AND organisation_id IN ({ORGS})",
        ("SELECT * FROM order_lines WHERE beneficiary_contact_id = :c "
         f"AND organisation_id IN ({ORGS})")],
    "dashboard": [" UNION ALL ".join(
        f"SELECT '{code}' AS indicator, organisation_id, {code}_level AS level, count(*) AS n "
        f"FROM contact_indicators GROUP BY 1, 2, 3" for code in CODES)],
}


def _summary(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "median_ms": round(statistics.median(values), 1),
            "p90_ms": round(values[max(0, int(len(values) * 0.9) - 1)], 1),
            "max_ms": round(values[-1], 1)}


def _floors(store: Store, inst: str, names: list[str], ids: list[str]) -> dict:
    """Each page's plain queries, on one open connection (the first run untimed)."""
    params = {
        "contact search, a name": [{"pattern": f"%{n.lower()}%"} for n in names],
        "contact search, an id": [{"c": i} for i in ids[:len(names)]],
        "contact card": [{"i": inst, "c": i} for i in ids],
        "card timeline": [{"i": inst, "c": i} for i in ids],
        "dashboard": [{}] * 3,
    }
    out = {}
    with store.connect() as conn:
        for name, statements in FLOORS.items():
            if not params[name]:
                continue
            timings = []
            for p in [params[name][0], *params[name]]:
                started = time.perf_counter()
                for sql in statements:
                    conn.execute(sa.text(sql), p).fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            out[name] = _summary(timings[1:])
    return out


def _samples(ws: Workspace, contacts: int, searches: int) -> tuple[str, list, list, list]:
    """An institution, ``contacts`` contact ids, the busiest buyers and ``searches`` last
    names, taken past the first rows where the store is large enough."""
    with ws.store.connect() as c:
        total = c.execute(sa.text("SELECT count(*) FROM contacts")).scalar()
        offset = min(1000, max(0, total - contacts))
        ids = [r[0] for r in c.execute(sa.text(
            f"SELECT contact_id FROM contacts ORDER BY contact_id LIMIT {contacts} "
            f"OFFSET {offset}"))]
        busy = [r[0] for r in c.execute(sa.text(
            "SELECT buyer_contact_id FROM orders GROUP BY 1 ORDER BY count(*) DESC, 1 "
            "LIMIT 5"))]
        inst = c.execute(sa.text("SELECT institution_id FROM contacts LIMIT 1")).scalar()
        names = [r[0] for r in c.execute(sa.text(
            f"SELECT last_name FROM contacts WHERE last_name IS NOT NULL "
            f"ORDER BY contact_id LIMIT {searches} "
            f"OFFSET {min(500, max(0, total - 10 * searches))}"))]
    return inst, ids, busy, names


def run(url: str, *, contacts: int = 40, searches: int = 10) -> dict:
    """Each page's server time (median, p90, max), its floor, and this process's peak RSS."""
    settings = Settings(scheduler=False, database_url=url)
    ws = Workspace(Store(url), settings)
    now = datetime(2026, 11, 23, 12)
    try:
        ws.accounts.create_user(LOGIN, role="admin", password=PASSWORD, now=now, actor="bench")
    except AccountError:
        pass  # made by an earlier run
    inst, ids, busy, names = _samples(ws, contacts, searches)
    client = _log_in(TestClient(create_app(settings, workspace=ws, clock=lambda: now)))

    def timed(path: str, **kw) -> float:
        started = time.perf_counter()
        r = client.get(path, **kw)
        elapsed = (time.perf_counter() - started) * 1000
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        if "server-timing" not in r.headers:  # pages without it: the in-process round trip
            return elapsed
        return float(re.search(r"dur=([\d.]+)", r.headers["server-timing"]).group(1))

    try:
        timed("/contacts?q=x")
        timed(f"/contacts/{inst}/{ids[0]}")  # templates compiled, caches warm
        htmx = {"HX-Request": "true"}
        pages = {
            "contact search, a name": [timed(f"/contacts?q={n}") for n in names],
            "contact search, an id": [timed(f"/contacts?q={i}") for i in ids[:searches]],
            "contact card": [timed(f"/contacts/{inst}/{i}") for i in ids],
            "card timeline": [timed(f"/contacts/{inst}/{i}/timeline", headers=htmx)
                              for i in ids],
            "card of the busiest buyers": [timed(f"/contacts/{inst}/{i}") for i in busy],
            "timeline of the busiest buyers": [timed(f"/contacts/{inst}/{i}/timeline",
                                                     headers=htmx) for i in busy],
            "dashboard": [timed("/") for _ in range(3)],
        }
        floors = _floors(ws.store, inst, names, ids)
    finally:
        ws.close()
    return {"store": ws.store.kind,
            "pages": {k: _summary(v) for k, v in pages.items() if v},
            "floor": floors, "peak_rss_mb": self_peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--name", help="results file name (default: web-<store>)")
    parser.add_argument("--contacts", type=int, default=40, help="cards and timelines opened")
    parser.add_argument("--searches", type=int, default=10, help="searches of each kind")
    parser.add_argument("--json", action="store_true", help="print JSON only, save nothing")
    args = parser.parse_args()
    result = run(args.database_url, contacts=args.contacts, searches=args.searches)
    if args.json:
        print(json.dumps(result))
        return
    for name, fig in result["pages"].items():
        print(f"{name:32s} n={fig['n']:3d} median {fig['median_ms']:7.1f} ms  "
              f"p90 {fig['p90_ms']:7.1f}  max {fig['max_ms']:7.1f}")
    save(args.name or f"web-{result['store']}", {"machine": machine(),
                                                 "store": args.database_url,
                                                 "pages": result["pages"],
                                                 "floor": result["floor"]})


if __name__ == "__main__":
    main()
