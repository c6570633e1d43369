"""What a generation produced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GenerationSummary:
    """Row counts and paths of the written files, keyed by file name without extension
    (``"contacts"``, ``"order_lines"``…). ``rows["order_lines"]`` counts rows, including the
    extra rows of status changes; ``lines`` counts distinct line ids."""

    directory: Path
    fmt: str
    rows: Mapping[str, int]
    paths: Mapping[str, Path]
    lines: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())
