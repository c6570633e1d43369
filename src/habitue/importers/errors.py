"""Errors and reports of an import."""

from __future__ import annotations

from dataclasses import dataclass, field


class ImportFailure(Exception):
    """The import as a whole cannot go on (unreadable file, missing required column…).

    Nothing is changed in the store when this is raised. The message names the file and, where
    it can, the line and the column.
    """

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.file = file


@dataclass
class FileSummary:
    file: str
    entity: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    unknown_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "entity": self.entity,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "unknown_columns": self.unknown_columns,
        }
