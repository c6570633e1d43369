"""The code has no pyflakes errors (unused names, undefined names, f-strings without fields)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_pyflakes_errors():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    out = subprocess.run(
        [ruff, "check", "--select", "F", "--exclude", "src/habitue/storage/migrations",
         "src", "tests", "bench"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout
