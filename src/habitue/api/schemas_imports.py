"""API schemas of import runs (``docs/import-format.md``)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

from habitue.api.schemas import LocalDateTime


class ImportFilePublic(BaseModel):
    """What one file of the import gave."""

    file: str
    entity: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Rows rejected (a row counts once).")
    unknown_columns: list[str] = Field(default_factory=list,
                                       description="Columns kept as custom attributes.")


class ImportRunPublic(BaseModel):
    run_id: int
    source: str = Field(description="The uploaded file's name (or the path imported by the "
                                    "command line).")
    status: Literal["running", "succeeded", "partial", "failed"]
    started_at: LocalDateTime
    finished_at: LocalDateTime | None
    files: list[ImportFilePublic] = Field(default_factory=list)
    rejected: int = Field(0, description="Reject rows (problems) in all.")
    ignored: list[str] = Field(default_factory=list,
                               description="Files of the upload that are not of the format.")
    touched_contacts: int = Field(0, description="Contacts whose facts the import changed.")
    error: str | None = Field(None, description="Why a failed import failed.")
    rejects_url: str | None = Field(None, description="Where to download the rejects.")
    progress: str | None = Field(None, description=(
        "While it runs: its current step, e.g. `merging order_lines.csv` (null when the "
        "server process answering is not the one running it)."))

    @classmethod
    def from_row(cls, row: dict, rejects_url: str) -> ImportRunPublic:
        summary = row.get("summary") or {}
        if isinstance(summary, str):
            summary = json.loads(summary)
        rejected = int(summary.get("rejected") or 0)
        return cls(run_id=row["run_id"], source=row["source"], status=row["status"],
                   started_at=row["started_at"], finished_at=row.get("finished_at"),
                   files=[ImportFilePublic(**f) for f in summary.get("files") or []],
                   rejected=rejected, ignored=summary.get("ignored") or [],
                   touched_contacts=int(summary.get("touched_contacts") or 0),
                   progress=(row.get("progress") or {}).get("step"),
                   error=row.get("error") or summary.get("error"),
                   rejects_url=rejects_url if rejected else None)


class ImportRunPage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[ImportRunPublic]
