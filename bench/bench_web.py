"""Benchmark: server time of the pages marketing teams use most (contact search, the contact
card and its timeline, the dashboard) on a store that holds a computed venue.

    .venv/bin/python bench/bench_web.py --database-url duckdb:///bench/data/import-1000000.duckdb

Requests go through the whole application in-process (Starlette's test client, logged in as an
administrator created for the purpose); each figure is the server's own time, read from the
``Server-Timing`` header the contact pages set (for the dashboard, the in-process round
trip). Never part of the test run.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from datetime import datetime

import sqlalchemy as sa
from fastapi.testclient import TestClient

from common import machine, save
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--name", help="results file name (default: web-<store>)")
    args = parser.parse_args()
    settings = Settings(scheduler=False, database_url=args.database_url)
    ws = Workspace(Store(args.database_url), settings)
    now = datetime(2026, 11, 23, 12)
    try:
        ws.accounts.create_user(LOGIN, role="admin", password=PASSWORD, now=now, actor="bench")
    except AccountError:
        pass  # made by an earlier run
    with ws.store.connect() as c:
        ids = [r[0] for r in c.execute(sa.text(
            "SELECT contact_id FROM contacts ORDER BY contact_id LIMIT 40 OFFSET 1000"))]
        busy = [r[0] for r in c.execute(sa.text(
            "SELECT buyer_contact_id FROM orders GROUP BY 1 ORDER BY count(*) DESC LIMIT 5"))]
        inst = c.execute(sa.text("SELECT institution_id FROM contacts LIMIT 1")).scalar()
        names = [r[0] for r in c.execute(sa.text(
            "SELECT last_name FROM contacts WHERE last_name IS NOT NULL LIMIT 10 OFFSET 500"))]
    client = _log_in(TestClient(create_app(settings, workspace=ws, clock=lambda: now)))

    def timed(path: str, **kw) -> float:
        started = time.perf_counter()
        r = client.get(path, **kw)
        elapsed = (time.perf_counter() - started) * 1000
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        if "server-timing" not in r.headers:  # pages without it: the in-process round trip
            return elapsed
        return float(re.search(r"dur=([\d.]+)", r.headers["server-timing"]).group(1))

    timed("/contacts?q=x")
    timed(f"/contacts/{inst}/{ids[0]}")  # templates compiled, caches warm
    htmx = {"HX-Request": "true"}
    res = {
        "contact search, a name": [timed(f"/contacts?q={n}") for n in names],
        "contact search, an id": [timed(f"/contacts?q={i}") for i in ids[:10]],
        "contact card": [timed(f"/contacts/{inst}/{i}") for i in ids],
        "card timeline": [timed(f"/contacts/{inst}/{i}/timeline", headers=htmx) for i in ids],
        "card of the busiest buyers": [timed(f"/contacts/{inst}/{i}") for i in busy],
        "timeline of the busiest buyers": [timed(f"/contacts/{inst}/{i}/timeline",
                                                 headers=htmx) for i in busy],
        "dashboard": [timed("/") for _ in range(3)],
    }
    out = {}
    for name, values in res.items():
        values.sort()
        out[name] = {"n": len(values), "median_ms": round(statistics.median(values), 1),
                     "p90_ms": round(values[max(0, int(len(values) * 0.9) - 1)], 1),
                     "max_ms": round(values[-1], 1)}
        print(f"{name:32s} n={len(values):3d} median {out[name]['median_ms']:7.1f} ms  "
              f"p90 {out[name]['p90_ms']:7.1f}  max {out[name]['max_ms']:7.1f}")
    ws.close()
    store = ws.store.kind
    save(args.name or f"web-{store}", {"machine": machine(), "store": args.database_url,
                                       "pages": out})


if __name__ == "__main__":
    main()
