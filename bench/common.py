"""Helpers shared by the benchmarks: run a command in a child process, measure wall time and
peak memory (max RSS of the child), describe the machine, name the benchmark stores."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
HABITUE = [sys.executable, "-m", "habitue"]
# The server database the benchmark databases are created from (and dropped through).
PG_ADMIN = os.environ.get("HABITUE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_PREFIX = "habitue_bench"
TAIL = 2000  # characters of a child's output kept in the results


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
    try:
        import duckdb

        duckdb_version = duckdb.__version__
    except ImportError:  # pragma: no cover - duckdb is a dependency
        duckdb_version = None
    return {"date": date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "duckdb": duckdb_version, "system": platform.platform()}


PG_SETTINGS = ("shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size",
               "max_parallel_workers_per_gather", "max_wal_size", "synchronous_commit")


def postgres_info(admin_url: str = PG_ADMIN) -> dict | None:
    """The server's version and the settings that move the figures (None when unreachable):
    the same figure means little without them."""
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=5) as conn:
            info = {"version": conn.execute("SHOW server_version").fetchone()[0]}
            for name in PG_SETTINGS:
                info[name] = conn.execute(f"SHOW {name}").fetchone()[0]
        return info
    except Exception:  # noqa: BLE001 - a machine without PostgreSQL is described as such
        return None


def code_version() -> dict:
    """The commit the figures were measured on, and whether the tree had local changes."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], check=False, cwd=ROOT, capture_output=True,
                                 text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "local_changes": bool(status) if status is not None else None}


def self_peak_rss_mb() -> int:
    """This process's own peak RSS (a bench run in-process reports it with its figures)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def child_json(stdout: str) -> dict:
    """What a child printed as JSON: its whole output (``habitue import --output json``), or
    else its last line that is a JSON object (a bench script's ``--json``); {} when none."""
    text = stdout.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
        return value if isinstance(value, dict) else {}
    except json.JSONDecodeError:
        pass
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {}
    return {}


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd``; its wall time and peak RSS (the child's own, via wait4). The child's output
    goes to temporary files, not pipes, so that a talkative child cannot block on a full pipe
    while we wait for it. A JSON object it printed is kept as ``child``."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=out,
                                stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    step = {"cmd": " ".join(cmd[2:] if cmd[:2] == HABITUE[:2] else cmd),
            "exit_code": proc.returncode, "seconds": round(elapsed, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "stdout_tail": stdout[-TAIL:], "stderr_tail": stderr[-TAIL:]}
    child = child_json(stdout)
    if child:
        step["child"] = child
    return step


def report(result: dict, *, as_json: bool, name: str) -> None:
    """A bench's figures: one JSON object on stdout for ``bench/suite.py`` (nothing saved),
    or saved under ``name`` with the machine and printed."""
    if as_json:
        print(json.dumps(result))
        return
    result = {"machine": machine(), **result}
    save(name, result)
    print(result)


def save(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path


def duckdb_store_path(contacts: int, data_dir: Path = DATA) -> Path:
    return Path(data_dir) / f"import-{contacts}.duckdb"


def pg_database_name(contacts: int, prefix: str = PG_PREFIX) -> str:
    return f"{prefix}_{contacts}"


def pg_url(database: str, admin_url: str = PG_ADMIN) -> str:
    return f"{admin_url.rsplit('/', 1)[0]}/{database}"


def store_url(store: str, contacts: int, *, data_dir: Path = DATA, pg_prefix: str = PG_PREFIX,
              pg_admin: str = PG_ADMIN) -> str:
    """Where the benchmark store of ``contacts`` contacts lives, for ``duckdb`` or
    ``postgresql``."""
    if store == "duckdb":
        return f"duckdb:///{duckdb_store_path(contacts, data_dir)}"
    if store == "postgresql":
        return pg_url(pg_database_name(contacts, pg_prefix), pg_admin)
    raise ValueError(f"unknown store {store!r}: duckdb or postgresql")
