"""Exporting members (of a segment or of a frozen list) to CSV or XLSX, with chosen columns,
and for a purpose: only the members with the channel's opt-in and a usable address, and how
many were left out and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import ibis

from habitue.segments.columns import (
    MEMBERS_TABLE,
    PURPOSES,
    REASONS,
    Column,
    export_table,
    left_out_counts,
    parse_columns,
)
from habitue.services.indicators import DIALECTS
from habitue.services.segment_evaluation import (
    SegmentError,
    Target,
    evaluation_runner,
    evaluator,
)
from habitue.storage import indicator_store as ist
from habitue.storage import segment_store as ss
from habitue.storage.bulk import SqlRunner
from habitue.storage.exports import write_csv, write_xlsx
from habitue.storage.store import Store

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    format: str
    members: int  # of the segment or the list
    exported: int
    purpose: str | None = None
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> members

    def as_dict(self) -> dict:
        return {"path": str(self.path), "format": self.format, "members": self.members,
                "exported": self.exported, "purpose": self.purpose,
                "left_out": dict(self.left_out)}


def export_format(path: Path, fmt: str | None) -> str:
    """``fmt``, else the file's suffix (``.xlsx``: xlsx, anything else: csv)."""
    fmt = (fmt or ("xlsx" if Path(path).suffix.lower() == ".xlsx" else "csv")).lower()
    if fmt not in FORMATS:
        raise SegmentError(f"unknown export format '{fmt}'; expected csv or xlsx")
    return fmt


def _check_purpose(purpose: str | None) -> None:
    if purpose is not None and purpose not in PURPOSES:
        raise SegmentError(f"unknown purpose '{purpose}'; expected one of: "
                           f"{', '.join(PURPOSES)}")


def _columns(runner: SqlRunner, institution: str,
             columns: Sequence[str] | str | None) -> tuple[Column, ...]:
    try:
        return parse_columns(columns, indicators=ist.enabled_codes(runner, institution))
    except ValueError as exc:
        raise SegmentError(str(exc)) from exc


def write_members(runner: SqlRunner, *, members: int, organisation_id: str,
                  columns: Sequence[Column], purpose: str | None, lang: str, path: Path,
                  fmt: str) -> ExportSummary:
    """Export the members of ``_seg_members`` (``members`` of them)."""
    dialect = DIALECTS[runner.capabilities.name]
    left_out: dict[str, int] = {}
    if purpose is not None:
        counted = dict(runner.fetchall(str(ibis.to_sql(left_out_counts(purpose),
                                                       dialect=dialect))))
        left_out = {r: int(counted.get(r, 0)) for r in REASONS}
    select = str(ibis.to_sql(export_table(columns, organisation_id=organisation_id, lang=lang,
                                          purpose=purpose), dialect=dialect))
    headers = [c.spec for c in columns]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        exported = write_xlsx(runner, select, headers, path)
    else:
        exported = write_csv(runner, select, headers, path)
    return ExportSummary(path, fmt, members, exported, purpose, left_out)


def export_segment(store: Store, target: Target, *, as_of: date, path: Path,
                   fmt: str | None = None, columns: Sequence[str] | str | None = None,
                   purpose: str | None = None, lang: str = "fr",
                   memory_limit: str = "3GB") -> ExportSummary:
    """The members of a segment as of ``as_of``, one row each, ordered by contact id."""
    fmt = export_format(path, fmt)
    _check_purpose(purpose)
    with evaluator(store, as_of, memory_limit) as ev:
        cols = _columns(ev.runner, target.institution_id, columns)
        members = ev.materialise(target)
        return write_members(ev.runner, members=members, organisation_id=target.organisation_id,
                             columns=cols, purpose=purpose, lang=lang, path=path, fmt=fmt)


def export_list(store: Store, m: ss.MarketingList, *, path: Path, fmt: str | None = None,
                columns: Sequence[str] | str | None = None, purpose: str | None = None,
                lang: str = "fr", memory_limit: str = "3GB") -> ExportSummary:
    """The frozen members of a list, with their contact fields and indicators as they are
    now."""
    fmt = export_format(path, fmt)
    _check_purpose(purpose)
    with evaluation_runner(store, memory_limit) as runner:
        cols = _columns(runner, m.institution_id, columns)
        runner.recreate_temp(MEMBERS_TABLE, ss.list_members_sql(m))
        ist.analyze(runner, MEMBERS_TABLE)
        members = int(runner.scalar(f"SELECT count(*) FROM {MEMBERS_TABLE}"))
        summary = write_members(runner, members=members, organisation_id=m.organisation_id,
                                columns=cols, purpose=purpose, lang=lang, path=path, fmt=fmt)
        runner.drop(MEMBERS_TABLE)
    return summary
