"""File downloads of the API: exports written to a scratch directory, sent in chunks, the
directory removed once sent."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from habitue.services.segment_exports import ExportSummary

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

EXPORT_RESPONSES = {
    200: {
        "description": "The file (CSV: UTF-8, comma-separated, a header row; or XLSX).",
        "content": {"text/csv": {"schema": {"type": "string"}},
                    MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "X-Habitue-Members": {"description": "Members of the segment or list.",
                                  "schema": {"type": "integer"}},
            "X-Habitue-Exported": {"description": "Rows written.",
                                   "schema": {"type": "integer"}},
            "X-Habitue-Left-Out": {"description": "With a purpose: members left out, by "
                                                  "reason (JSON object).",
                                   "schema": {"type": "string"}},
        },
    },
}
"""``responses=`` of an export route, for the OpenAPI schema."""


@contextmanager
def scratch_dir() -> Iterator[Path]:
    """A directory for one export; removed if the export fails (else by the response)."""
    folder = Path(tempfile.mkdtemp(prefix="habitue-export-"))
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def export_response(summary: ExportSummary, folder: Path, filename: str) -> FileResponse:
    """The exported file as an attachment, with its counts in headers."""
    headers = {"X-Habitue-Members": str(summary.members),
               "X-Habitue-Exported": str(summary.exported)}
    if summary.purpose:
        headers["X-Habitue-Left-Out"] = json.dumps(summary.left_out, separators=(",", ":"))
    return FileResponse(summary.path, media_type=MEDIA_TYPES[summary.format],
                        filename=filename, headers=headers,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
