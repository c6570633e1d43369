"""Find the files of an import and recognise their entity by name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from habitue.domain.format import ENTITIES, ENTITY_BY_NAME, FILE_EXTENSIONS, Entity
from habitue.importers.errors import ImportFailure


@dataclass(frozen=True)
class SourceFile:
    path: Path
    entity: Entity
    format: str  # csv | parquet | jsonl

    @property
    def name(self) -> str:
        return self.path.name


def _format_of(path: Path) -> str | None:
    return FILE_EXTENSIONS.get(path.suffix.lower())


def discover(path: Path, entity: str | None = None) -> tuple[list[SourceFile], list[Path]]:
    """The files to import, in dependency order, and the files of a directory left aside.

    A directory holds at most one file per entity, named after it (``contacts.csv``,
    ``order_lines.parquet``…). A single file is recognised by its name too, unless ``entity``
    says what it holds.
    """
    if not path.exists():
        raise ImportFailure(f"{path}: no such file or directory", file=str(path))
    if path.is_file():
        fmt = _format_of(path)
        if fmt is None:
            raise ImportFailure(
                f"{path.name}: unknown file type {path.suffix or '(none)'!r} "
                "(expected .csv, .tsv, .txt, .parquet, .jsonl or .ndjson)",
                file=path.name,
            )
        name = entity or path.stem.lower()
        if name not in ENTITY_BY_NAME:
            raise ImportFailure(
                f"{path.name}: cannot tell what the file holds from its name; name it after "
                f"one of {', '.join(ENTITY_BY_NAME)} or pass --entity",
                file=path.name,
            )
        return [SourceFile(path, ENTITY_BY_NAME[name], fmt)], []

    found: dict[str, SourceFile] = {}
    ignored: list[Path] = []
    for child in sorted(path.iterdir()):
        fmt = _format_of(child) if child.is_file() else None
        stem = child.stem.lower()
        if fmt is None or stem not in ENTITY_BY_NAME:
            ignored.append(child)
            continue
        if stem in found:
            raise ImportFailure(
                f"{path}: both {found[stem].name} and {child.name} hold {stem}; "
                "keep one file per kind of data",
                file=child.name,
            )
        found[stem] = SourceFile(child, ENTITY_BY_NAME[stem], fmt)
    if not found:
        raise ImportFailure(
            f"{path}: no file of the open format found (expected names such as contacts.csv, "
            "orders.csv, order_lines.csv)",
            file=str(path),
        )
    return [found[e.name] for e in ENTITIES if e.name in found], ignored
