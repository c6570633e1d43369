"""Layer boundaries (design.md): the pure layers import no web framework, driver or CLI."""

from __future__ import annotations

import subprocess
import sys

PURE_MODULES = [
    "habitue.domain.enums",
    "habitue.domain.format",
    "habitue.domain.calendar",
    "habitue.indicators.catalogue",
    "habitue.indicators.facts",
    "habitue.indicators.compiler",
    "habitue.segments",
    "habitue.segments.parser",
    "habitue.segments.compiler",
    "habitue.segments.describe",
    "habitue.segments.columns",
]
# (rich is not listed: Ibis itself imports it for its reprs)
FORBIDDEN = ["fastapi", "starlette", "typer", "psycopg", "duckdb", "sqlalchemy", "uvicorn"]


def test_pure_layers_import_no_framework_driver_or_cli():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE_MODULES)
        + f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "", f"pure layers imported: {out.stdout.strip()}"
