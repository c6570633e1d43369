"""Imports started from the API or the web pages: the uploaded file (one file of the open
format, or a zip of several) is kept under the data directory and imported in a background
thread; the run is recorded as ``running`` before the thread starts, so that its id can be
returned at once and polled (``ws.import_runs``, ``GET /api/v1/imports/{id}``).

One import runs at a time per server process (on DuckDB only one writer may hold the file;
on PostgreSQL two merges of the same tables would wait on each other): a second one is refused
with ``ImportBusy`` until the first ends.

Layout: ``<data dir>/imports/<run id>/files/`` holds what is imported (the file, or the
zip's files), ``<data dir>/imports/<run id>/rejects.csv`` the rejects.
"""

from __future__ import annotations

import logging
import shutil
import threading
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from habitue.domain.format import ENTITIES
from habitue.importers.runner import REJECT_COLUMNS, start_run
from habitue.reporting import SILENT
from habitue.storage import import_queries as iq

if TYPE_CHECKING:
    from habitue.services.workspace import Workspace

log = logging.getLogger("habitue.imports")
ENTITY_NAMES = tuple(e.name for e in ENTITIES)


class ImportBusy(Exception):
    """Another import is running in this process."""


class ImportUploadError(ValueError):
    """The upload cannot be imported at all (no file name, a damaged zip, …); the run is
    recorded as failed with this message."""


@dataclass(frozen=True)
class StartedImport:
    run_id: int
    source: str
    path: Path


def _clean_name(name: str | None) -> str:
    base = Path((name or "").replace("\\", "/")).name.strip()
    if not base or base.startswith("."):
        raise ImportUploadError("the upload has no usable file name (name it after the data "
                                "it holds, such as contacts.csv, or send a .zip)")
    return base


def extract_zip(archive: Path, into: Path) -> list[str]:
    """Extract the zip's files flat into ``into`` (folders inside the zip are ignored, and so
    are hidden files and macOS resource forks); returns their names."""
    names: list[str] = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                parts = info.filename.replace("\\", "/").split("/")
                base = parts[-1]
                if not base or base.startswith(".") or "__MACOSX" in parts:
                    continue
                if base in names:
                    raise ImportUploadError(f"{archive.name}: two files are named {base!r}")
                with zf.open(info) as src, (into / base).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                names.append(base)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError) as exc:
        raise ImportUploadError(f"{archive.name}: not a readable zip file ({exc})") from exc
    if not names:
        raise ImportUploadError(f"{archive.name}: the zip holds no file")
    return names


class _Progress:
    """The reporter of one background import: its latest step (``reading orders.csv``,
    ``merging order_lines.csv``, ``refreshing real-time indicators``…), which ``get`` adds to
    the run while it runs. Kept by the process running the import: with several server
    processes, a poll answered by another one shows the run without its step."""

    def __init__(self) -> None:
        self.latest: dict | None = None

    def step(self, name: str, done: int = 0, total: int | None = None) -> None:
        self.latest = {"step": name, "done": done, "total": total}


class ImportJobs:
    """``ws.import_jobs``: start an import in the background, follow it, wait for it."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._lock = threading.Lock()
        self._threads: dict[int, threading.Thread] = {}
        self._progress: dict[int, _Progress] = {}

    @property
    def root(self) -> Path:
        return Path(self.ws.settings.data_dir) / "imports"

    def directory(self, run_id: int) -> Path:
        return self.root / str(int(run_id))

    def running(self) -> list[int]:
        with self._lock:
            return [r for r, t in self._threads.items() if t.is_alive()]

    def start(self, upload: BinaryIO, filename: str | None, *, now: datetime,
              entity: str | None = None) -> StartedImport:
        """Record a run, keep the upload, start importing it; returns at once. Raises
        ``ImportBusy`` when an import is running, ``ImportUploadError`` when the upload cannot
        be imported at all (the run is then recorded as failed)."""
        if entity is not None and entity not in ENTITY_NAMES:
            raise ImportUploadError(f"unknown entity {entity!r}; expected one of: "
                                    f"{', '.join(ENTITY_NAMES)}")
        with self._lock:
            if any(t.is_alive() for t in self._threads.values()):
                raise ImportBusy("an import is already running: wait for it to end")
            self.ws.require_schema()
            source = (filename or "").strip() or "upload"
            run_id = start_run(self.ws.store, source, now=now)
            try:
                path = self._keep(run_id, upload, filename)
            except ImportUploadError as exc:
                self._fail(run_id, str(exc), now)
                raise
            thread = threading.Thread(target=self._run, args=(run_id, path, now, entity),
                                      name=f"habitue-import-{run_id}", daemon=True)
            self._threads = {r: t for r, t in self._threads.items() if t.is_alive()}
            self._progress = {r: p for r, p in self._progress.items() if r in self._threads}
            self._threads[run_id] = thread
            self._progress[run_id] = _Progress()
            thread.start()
        return StartedImport(run_id, source, path)

    def wait(self, run_id: int, timeout: float | None = None) -> bool:
        """Wait for the run's thread to end (a run of another process, or already ended:
        at once); False when it still runs after ``timeout`` seconds."""
        with self._lock:
            thread = self._threads.get(run_id)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def wait_all(self, timeout: float | None = None) -> None:
        for run_id in self.running():
            self.wait(run_id, timeout)

    # -- the run's files and thread ---------------------------------------------------------

    def _keep(self, run_id: int, upload: BinaryIO, filename: str | None) -> Path:
        name = _clean_name(filename)
        folder = self.directory(run_id)
        if folder.exists():  # left by a store whose run ids were the same
            shutil.rmtree(folder)
        files = folder / "files"
        files.mkdir(parents=True)
        if name.lower().endswith(".zip"):
            archive = folder / name
            with archive.open("wb") as fh:
                shutil.copyfileobj(upload, fh)
            extract_zip(archive, files)
            return files
        with (files / name).open("wb") as fh:
            shutil.copyfileobj(upload, fh)
        return files / name

    def _run(self, run_id: int, path: Path, now: datetime, entity: str | None) -> None:
        try:
            self.ws.import_path(path, now=now, entity=entity, run_id=run_id,
                                rejects_path=self.directory(run_id) / "rejects.csv",
                                reporter=self._progress.get(run_id) or SILENT)
        except Exception as exc:
            log.exception("import %s failed", run_id)
            self._fail(run_id, f"the import stopped on an unexpected error: {exc}", now)

    def _fail(self, run_id: int, error: str, now: datetime) -> None:
        with self.ws.store.begin() as conn:
            iq.fail_run(conn, run_id, error=error, now=now)

    # -- reading -------------------------------------------------------------------------

    def get(self, run_id: int) -> dict | None:
        """The run (its ``import_runs`` row); while it runs in this process, with
        ``progress``: its latest step."""
        with self.ws.store.connect() as conn:
            run = iq.get_run(conn, run_id)
        progress = self._progress.get(run_id)
        if run is not None and run.get("status") == "running" and progress is not None:
            run = {**run, "progress": progress.latest}
        return run

    def recent(self, *, limit: int = 20, offset: int = 0) -> tuple[int, list[dict]]:
        with self.ws.store.connect() as conn:
            return iq.count_runs(conn), iq.list_runs(conn, limit=limit, offset=offset)

    def rejects(self, run_id: int) -> list[tuple]:
        """The header, then one row per reject of the run (the columns of the CLI's rejects
        file), from the store."""
        with self.ws.store.connect() as conn:
            return [REJECT_COLUMNS, *(tuple(r) for r in iq.iter_rejects(conn, run_id))]
