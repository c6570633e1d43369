"""Helpers shared by the benchmarks: run a command in a child process, measure wall time and
peak memory (max RSS of the child), describe the machine."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
HABITUE = [sys.executable, "-m", "habitue"]


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {"date": date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "system": platform.platform()}


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd``; its wall time and peak RSS (the child's own, via wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    return {"cmd": " ".join(cmd[2:] if cmd[:2] == HABITUE[:2] else cmd), "exit_code": code,
            "seconds": round(elapsed, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "stdout_tail": stdout[-2000:], "stderr_tail": stderr[-2000:]}


def save(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path


