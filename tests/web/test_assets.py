"""Front-end assets are vendored files with the checksums VENDORED.md records, and no page
loads anything from another site."""

from __future__ import annotations

import hashlib
import re

from habitue.web.app import STATIC_DIR

TEMPLATES = STATIC_DIR.parent / "templates"


def test_vendored_files_match_their_recorded_checksums():
    table = (STATIC_DIR / "vendor" / "VENDORED.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| ([\d.]+) \| [^|]+ \| `([0-9a-f]{64})` \|$",
                      table, flags=re.MULTILINE)
    assert {r[0] for r in rows} == {"htmx.min.js", "echarts.min.js"}
    for name, package, version, digest in rows:
        data = (STATIC_DIR / "vendor" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, (name, package, version)


def test_templates_load_nothing_from_elsewhere():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']https?://""", text), path
        assert not re.search(r"<script(?![^>]*(src=|type=\"application/json\"))", text), \
            f"{path}: inline script (the Content-Security-Policy blocks it)"
        assert not re.search(r"\son[a-z]+=", text), f"{path}: inline event handler"


def test_static_files_are_served(make_client):
    client = make_client()
    for name in ("vendor/htmx.min.js", "vendor/echarts.min.js", "app.js", "app.css"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and len(r.content) > 1000, name
